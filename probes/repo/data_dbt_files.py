"""dbt project files, walked once per probe run (helpers only, no probes).

`collect_dbt(index)` finds the dbt projects of the repo's own code (`dbt_project.yml` outside tests,
examples and vendored paths), walks their property YAML once, and lists their SQL, Markdown and model
files. Projects that are only the `dbt init` starter (`my_first_dbt_model`) or have no models, seeds,
snapshots or sources are scaffolds (docs/model.md): they are set aside and count as absent.
SQL is read with regex; `{{ config(...) }}` arguments with `ast` (they are Python-like literals).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from probes.repo._data import OWN_KINDS, parent_dir, under
from scanner.facts.paths import CODE
from scanner.facts.pyparse import parse_expression
from scanner.facts.repo_index import RepoIndex
from scanner.yamlio import YamlDoc

SECTIONS: tuple[str, ...] = ("models", "seeds", "snapshots", "sources", "exposures", "semantic_models", "metrics")
SECTIONS += ("groups", "saved_queries", "unit_tests", "data_tests", "macros")
NOT_PROPERTIES = frozenset(
    {"dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml", "selectors.yml", "package-lock.yml"}
)
STARTER_MODELS = frozenset({"my_first_dbt_model", "my_second_dbt_model"})
LEGACY_CONFIG = ("meta", "tags", "access", "group", "contract", "grants", "materialized", "docs", "severity")
REF = re.compile(r"""\bref\(\s*['"]([\w.-]+)['"]\s*(?:,\s*['"]([\w.-]+)['"])?""")
CONFIG_CALL = re.compile(r"\{\{-?\s*config\s*\(")


@dataclass(frozen=True)
class Entry:
    """One item of a property-file section (a model, source, exposure, ...)."""

    section: str
    path: str
    doc: YamlDoc = field(repr=False)
    keypath: tuple[str | int, ...]
    data: dict[str, Any] = field(repr=False)

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    @property
    def line(self) -> int:
        return self.doc.line((*self.keypath, "name")) or self.doc.line(self.keypath) or 1

    def line_at(self, *sub: str | int) -> int:
        return self.doc.line((*self.keypath, *sub)) or self.line

    def config(self) -> dict[str, Any]:
        return node_config(self.data)

    def config_line(self, key: str) -> int:
        """Line of `config: {key: ...}`, else of a legacy top-level `key:`, else of the entry."""
        for sub in (("config", key), (key,)):
            line = self.doc.lines.get((*self.keypath, *sub))
            if line:
                return line
        return self.line


def node_config(data: dict[str, Any]) -> dict[str, Any]:
    """Config of a node or column: legacy top-level keys, overridden by its `config:` block."""
    out = {k: data[k] for k in LEGACY_CONFIG if k in data}
    cfg = data.get("config")
    if isinstance(cfg, dict):
        out.update(cfg)
    return out


@dataclass
class DbtProject:
    path: str
    root: str
    name: str
    data: dict[str, Any] = field(repr=False)
    doc: YamlDoc = field(repr=False)
    model_paths: tuple[str, ...] = ("models",)
    test_paths: tuple[str, ...] = ("tests",)
    seed_paths: tuple[str, ...] = ("seeds",)
    other_paths: tuple[str, ...] = ("macros", "snapshots", "analyses")  # macro, snapshot, analysis paths
    starter_files: list[str] = field(default_factory=list)

    def rel(self, sub: str) -> str:
        return f"{self.root}/{sub}" if self.root else sub

    def owns(self, path: str) -> bool:
        """Whether dbt reads `path` as part of this project (it is under one of its resource paths)."""
        dirs = self.model_paths + self.test_paths + self.seed_paths + self.other_paths
        return any(under(path, self.rel(d)) for d in dirs)


@dataclass
class DbtFacts:
    projects: list[DbtProject] = field(default_factory=list)
    scaffolds: list[DbtProject] = field(default_factory=list)
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    model_files: dict[str, str] = field(default_factory=dict)  # model name -> .sql/.py path
    sql_files: list[str] = field(default_factory=list)
    md_files: list[str] = field(default_factory=list)
    seed_files: list[str] = field(default_factory=list)
    model_configs: dict[str, dict[str, Any]] = field(default_factory=dict)  # model file -> its config() args

    def section(self, name: str) -> list[Entry]:
        return self.entries.get(name, [])

    def project_of(self, path: str) -> DbtProject | None:
        return next((p for p in self.projects if under(path, p.root)), None)


def _paths(data: dict[str, Any], key: str, default: str, legacy: str = "") -> tuple[str, ...]:
    value = data.get(key) or (data.get(legacy) if legacy else None) or [default]
    return tuple(str(v).strip("/") for v in value) if isinstance(value, list) else (default,)


def _project(index: RepoIndex, path: str) -> DbtProject | None:
    parsed = index.yaml(path)
    if not parsed.docs or not isinstance(parsed.docs[0].data, dict):
        return None
    doc = parsed.docs[0]
    data = doc.data
    return DbtProject(
        path,
        parent_dir(path),
        str(data.get("name", "")),
        data,
        doc,
        _paths(data, "model-paths", "models", "source-paths"),
        _paths(data, "test-paths", "tests"),
        _paths(data, "seed-paths", "seeds", "data-paths"),
        _paths(data, "macro-paths", "macros")
        + _paths(data, "snapshot-paths", "snapshots")
        + _paths(data, "analysis-paths", "analyses"),
    )


def collect_dbt(index: RepoIndex) -> DbtFacts:
    projects = [p for p in (_project(index, x) for x in index.by_name("dbt_project.yml", kinds={CODE})) if p]
    projects.sort(key=lambda p: -len(p.root))  # nested projects first: a file belongs to the deepest root
    files: dict[str, list[str]] = {p.path: [] for p in projects}
    for path in index.paths(kinds=OWN_KINDS):
        owner = next((p for p in projects if under(path, p.root)), None)
        if owner is not None and owner.owns(path) and (index.text(path) is not None or path.endswith(".csv")):
            files[owner.path].append(path)
    facts = DbtFacts()
    for project in projects:
        part = _walk_project(index, project, files[project.path])
        if _is_scaffold(part):
            project.starter_files = [
                p for p in index.paths(kinds=None) if under(p, project.root) and PurePosixPath(p).stem in STARTER_MODELS
            ]
            facts.scaffolds.append(project)
            continue
        facts.projects.append(project)
        for name, items in part.entries.items():
            facts.entries.setdefault(name, []).extend(items)
        facts.model_files.update(part.model_files)
        facts.sql_files += part.sql_files
        facts.md_files += part.md_files
        facts.seed_files += part.seed_files
        facts.model_configs.update(part.model_configs)
    return facts


def _walk_project(index: RepoIndex, project: DbtProject, paths: list[str]) -> DbtFacts:
    part = DbtFacts()
    model_roots = [project.rel(m) for m in project.model_paths]
    for path in paths:
        name = PurePosixPath(path).name
        if path.endswith((".yml", ".yaml")) and name not in NOT_PROPERTIES:
            for doc in index.yaml(path).docs:
                if isinstance(doc.data, dict):
                    _add_entries(part, path, doc)
        elif path.endswith(".sql"):
            part.sql_files.append(path)
        elif path.endswith(".md"):
            part.md_files.append(path)
        elif path.endswith(".csv") and any(under(path, project.rel(d)) for d in project.seed_paths):
            part.seed_files.append(path)
        if path.endswith((".sql", ".py")) and any(under(path, r) for r in model_roots):
            part.model_files.setdefault(PurePosixPath(path).stem, path)
            if path.endswith(".sql"):
                part.model_configs[path] = sql_config(index.text(path) or "")
    return part


def _add_entries(part: DbtFacts, path: str, doc: YamlDoc) -> None:
    for section in SECTIONS:
        items = doc.data.get(section)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    part.entries.setdefault(section, []).append(Entry(section, path, doc, (section, i), item))


def _is_scaffold(part: DbtFacts) -> bool:
    models = set(part.model_files) | {e.name for e in part.section("models")}
    real = models - STARTER_MODELS
    return not (real or part.seed_files or part.section("sources") or part.section("snapshots"))


# reading SQL ---------------------------------------------------------------------------------------
def refs(text: str) -> list[tuple[str, str | None, int]]:
    """`ref()` calls: (first argument, second argument or None, line)."""
    return [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1) for m in REF.finditer(text)]


def sql_config(text: str) -> dict[str, Any]:
    """Keyword arguments of the first `{{ config(...) }}` call, as literals where possible."""
    m = CONFIG_CALL.search(text)
    if not m:
        return {}
    start = m.end() - 1
    depth, quote = 0, ""
    for i in range(start, len(text)):
        c = text[i]
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                try:
                    call = parse_expression("f" + text[start : i + 1]).body
                except SyntaxError:
                    return {}
                return {k.arg: _literal(k.value) for k in getattr(call, "keywords", []) if k.arg}
    return {}


def _literal(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return {"true": True, "false": False, "none": None}.get(node.id.lower(), node.id)
    if isinstance(node, ast.Dict):
        return {_literal(k): _literal(v) for k, v in zip(node.keys, node.values, strict=False) if k is not None}
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [_literal(e) for e in node.elts]
    return None
