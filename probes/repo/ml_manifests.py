"""Manifest helpers for the ML probes (no probes here): every parsed YAML document of the repo's own
files (Helm chart templates included, since `templates/` there holds real manifests), looked up by
kind/apiVersion, plus small safe accessors for nested data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from probes.repo._ml import memo
from probes.repo.infra_iac import Block, resources, tf_blocks
from scanner.facts.paths import parent_dir, path_parts
from scanner.facts.repo_index import RepoIndex
from scanner.yamlio import PathKey, YamlDoc

YAML_GLOBS = ("**/*.yml", "**/*.yaml")


@dataclass(frozen=True)
class Doc:
    path: str
    index: int  # document number in the file
    doc: YamlDoc

    @property
    def data(self) -> Any:
        return self.doc.data

    def line(self, *keys: str | int) -> int:
        return self.doc.line(tuple(keys)) or 1

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", "")) if isinstance(self.data, dict) else ""

    @property
    def api(self) -> str:
        return str(self.data.get("apiVersion", "")) if isinstance(self.data, dict) else ""

    @property
    def schema(self) -> str:
        return str(self.data.get("$schema", "")) if isinstance(self.data, dict) else ""


def helm_templates(index: RepoIndex) -> list[str]:
    """YAML under `templates/` next to a Chart.yaml (path kind "example" by folder name, but real manifests)."""
    charts = {parent_dir(p) or "." for p in index.by_name("Chart.yaml", kinds=None)}
    out = []
    for path in index.paths(*YAML_GLOBS, kinds=("example",)):
        parts = path_parts(path)
        if "templates" in parts:
            chart = "/".join(parts[: parts.index("templates")]) or "."
            if chart in charts:
                out.append(path)
    return out


def yaml_docs(index: RepoIndex) -> list[Doc]:
    """Mapping documents of the repo's own YAML (code paths plus Helm chart templates; tests, examples and
    docs excluded). Unparsable files are skipped here: the files probe reports them."""

    def build() -> list[Doc]:
        out = []
        for path in index.paths(*YAML_GLOBS, kinds=("code",)) + helm_templates(index):
            for n, doc in enumerate(index.yaml(path).docs):
                if isinstance(doc.data, dict):
                    out.append(Doc(path, n, doc))
        return out

    return memo(index, "yaml_docs", build)


def docs_of_kind(index: RepoIndex, kind: str, api_prefix: str = "") -> list[Doc]:
    return [d for d in yaml_docs(index) if d.kind == kind and d.api.startswith(api_prefix)]


def dig(data: Any, *keys: str | int) -> Any:
    """data[k1][k2]... or None when any step is missing or of the wrong type."""
    for key in keys:
        if isinstance(key, int):
            data = data[key] if isinstance(data, list) and -len(data) <= key < len(data) else None
        else:
            data = data.get(key) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%"))
        except ValueError:
            return None
    return None


def walk(data: Any, path: PathKey = (), depth: int = 6) -> Iterator[tuple[PathKey, Any]]:
    """(path, value) for every node of nested dicts/lists, to a bounded depth."""
    yield path, data
    if depth <= 0:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*path, key), depth - 1)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from walk(value, (*path, i), depth - 1)


def terraform(index: RepoIndex, *types: str, enabled: bool = False) -> list[Block]:
    """Terraform resources of `types` (shared block reader, parsed once per index). With enabled=False,
    switched-off blocks (`count = 0`) are returned too: check `Block.enabled`."""
    blocks = memo(index, "tf_blocks", lambda: tf_blocks(index))
    return resources(blocks, *types, enabled=enabled)
