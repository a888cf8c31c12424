"""Shared reading of CI resources written as Kubernetes manifests (Tekton, Argo Workflows): every YAML
document of a file with the wanted `apiVersion` group and `kind`, and container steps as commands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs
from scanner.facts.ci.model import Step
from scanner.facts.paths import is_helm_template
from scanner.facts.repo_index import RepoIndex


def resources(index: RepoIndex, path: str, group: str, kinds: tuple[str, ...]) -> Iterator[Source]:
    parsed = index.yaml(path)
    for doc in parsed.docs:
        data = doc.data
        if isinstance(data, dict) and as_str(data.get("apiVersion")).startswith(group) and data.get("kind") in kinds:
            yield Source(path, doc, index.text(path) or "")


def mentions(index: RepoIndex, path: str, group: str, kinds: tuple[str, ...]) -> bool:
    if is_helm_template(path):
        return False
    text = index.text(path) or ""
    return group in text and any(f"kind: {k}" in text for k in kinds) and any(resources(index, path, group, kinds))


def container_step(src: Source, keys: tuple[str | int, ...], cfg: dict[str, Any], name: str) -> Step | None:
    """A container (`script`/`source`, else `command` + `args`) as a step running that text."""
    script = as_str(cfg.get("script") or cfg.get("source"))
    key = "script" if cfg.get("script") else "source"
    if not script:
        parts = [*as_strs(cfg.get("command")), *as_strs(cfg.get("args"))]
        if parts[:2] in (["sh", "-c"], ["bash", "-c"], ["/bin/sh", "-c"], ["/bin/bash", "-c"]):
            parts = parts[2:]
        script, key = " ".join(parts), "command" if cfg.get("command") else "args"
    if not script.strip():
        return None
    return Step(
        name=name,
        path=src.path,
        line=src.line(*keys),
        run=script,
        run_line=src.value_line(*keys, key),
        uses=as_str(cfg.get("image")),
    )


def items(value: Any) -> list[dict[str, Any]]:
    return [as_map(v) for v in as_list(value)]
