"""dbt configs and tests as dbt resolves them (helpers only, no probes).

Effective model configs (SQL `config()` over property YAML over `dbt_project.yml` folders), generic
and singular tests with their severity, and classification (PII) markers in `meta`/`tags`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from probes.repo._data import under
from probes.repo.data_dbt_files import DbtFacts, DbtProject, Entry, node_config, sql_config
from scanner.facts.repo_index import RepoIndex

PII_FLAGS = frozenset({"pii", "contains_pii", "is_pii", "sensitive", "has_pii", "personal_data"})
PII_LEVELS = frozenset({"sensitivity", "data_classification", "classification", "pii_type"})
NOT_SENSITIVE = frozenset(
    {"", "false", "no", "none", "null", "public", "internal", "non-sensitive", "non_sensitive", "nonsensitive", "0"}
)
PII_TAG = re.compile(r"^(pii|sensitive|gdpr|phi|personal(_data)?|confidential|restricted)$", re.IGNORECASE)


# configs -----------------------------------------------------------------------------------------
def folder_configs(project: DbtProject, key: str, resource: str = "models") -> list[tuple[tuple[str, ...], Any, int]]:
    """`+key` values set in dbt_project.yml for this project's folders: (folders, value, line).
    The empty tuple is the project-wide default."""
    tree = project.data.get(resource)
    if not isinstance(tree, dict):
        return []
    out: list[tuple[tuple[str, ...], Any, int]] = []

    def visit(node: dict[str, Any], folders: tuple[str, ...], keypath: tuple[str, ...]) -> None:
        for name, value in node.items():
            if name == f"+{key}" or (name == key and not isinstance(value, dict)):
                out.append((folders, value, project.doc.line((*keypath, name)) or 1))
            elif isinstance(value, dict) and not name.startswith("+"):
                visit(value, (*folders, name), (*keypath, name))

    for name, value in tree.items():
        if name in (f"+{key}", key):
            out.append(((), value, project.doc.line((resource, name)) or 1))
        elif isinstance(value, dict) and name == project.name:
            visit(value, (), (resource, name))
    return out


def model_folders(project: DbtProject, path: str) -> tuple[str, ...]:
    """The folders of a model file below its model path (models/marts/pii/x.sql -> ("marts", "pii"))."""
    for root in project.model_paths:
        base = project.rel(root)
        if under(path, base):
            return tuple(PurePosixPath(path[len(base) + 1 :]).parent.parts)
    return ()


def model_names(facts: DbtFacts) -> list[str]:
    return sorted(set(facts.model_files) | {e.name for e in facts.section("models") if e.name})


def effective(facts: DbtFacts, model: str, key: str) -> tuple[Any, str | None, int]:
    """A model's effective config value and where it is set (path, line): SQL config() over YAML over
    dbt_project.yml folders, deepest first. (None, None, 0) when unset."""
    path = facts.model_files.get(model)
    if path is not None and key in facts.model_configs.get(path, {}):
        return facts.model_configs[path][key], path, 1
    for entry in facts.section("models"):
        if entry.name == model and key in entry.config():
            return entry.config()[key], entry.path, entry.config_line(key)
    project = facts.project_of(path) if path else (facts.projects[0] if len(facts.projects) == 1 else None)
    if project is None:
        return None, None, 0
    folders = model_folders(project, path) if path else ()
    best = [(f, v, ln) for f, v, ln in folder_configs(project, key) if folders[: len(f)] == f]
    if not best:
        return None, None, 0
    _, value, line = max(best, key=lambda x: len(x[0]))
    return value, project.path, line


# classification -------------------------------------------------------------------------------------
def sensitivity(config: dict[str, Any]) -> tuple[bool, bool]:
    """(classified, sensitive) from a config's `meta` keys and `tags`."""
    meta = config.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    tags = config.get("tags")
    tags = tags if isinstance(tags, list) else [tags]
    keys = {str(k).lower(): v for k, v in meta.items()}
    classified = bool(keys.keys() & (PII_FLAGS | PII_LEVELS))
    sensitive = any(str(keys[k]).lower() not in NOT_SENSITIVE for k in keys.keys() & (PII_FLAGS | PII_LEVELS))
    tagged = any(isinstance(t, str) and PII_TAG.match(t) for t in tags)
    return classified or tagged, sensitive or tagged


@dataclass(frozen=True)
class Mark:
    model: str
    column: str | None
    sensitive: bool
    path: str
    line: int


def pii_marks(facts: DbtFacts) -> list[Mark]:
    """Classification markers on models, seeds, snapshots, sources and their columns (YAML, SQL, folders)."""
    out: list[Mark] = []
    for entry in facts.section("models") + facts.section("seeds") + facts.section("snapshots"):
        out += _entry_marks(entry, entry.data, entry.keypath, entry.name)
    for entry in facts.section("sources"):
        for j, table in enumerate(entry.data.get("tables") or []):
            if isinstance(table, dict):
                out += _entry_marks(entry, table, (*entry.keypath, "tables", j), f"{entry.name}.{table.get('name')}")
    for name, path in facts.model_files.items():
        classified, sensitive = sensitivity(facts.model_configs.get(path, {}))
        if classified:
            out.append(Mark(name, None, sensitive, path, 1))
    for project in facts.projects:
        for key in ("meta", "tags"):
            for folders, value, line in folder_configs(project, key):
                classified, sensitive = sensitivity({key: value})
                if classified:
                    for name, path in facts.model_files.items():
                        if under(path, project.root) and model_folders(project, path)[: len(folders)] == folders:
                            out.append(Mark(name, None, sensitive, project.path, line))
    return out


def _entry_marks(entry: Entry, data: dict[str, Any], keypath: tuple[str | int, ...], name: str) -> list[Mark]:
    out = []
    classified, sensitive = sensitivity(node_config(data))
    if classified:
        subs = [(*keypath, *sub) for sub in (("config", "meta"), ("meta",), ("config", "tags"), ("tags",))]
        line = next((entry.doc.lines[k] for k in subs if k in entry.doc.lines), entry.line)
        out.append(Mark(name, None, sensitive, entry.path, line))
    for i, col in enumerate(data.get("columns") or []):
        if isinstance(col, dict):
            classified, sensitive = sensitivity(node_config(col))
            if classified:
                line = entry.doc.line((*keypath, "columns", i, "name")) or entry.line
                out.append(Mark(name, str(col.get("name")), sensitive, entry.path, line))
    return out


# tests --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DbtTest:
    name: str  # "relationships", "not_null", "dbt_utils.relationships_where", or "singular"
    node: str
    column: str | None
    severity: str
    path: str
    line: int


def generic_tests(facts: DbtFacts) -> Iterator[DbtTest]:
    default = _default_severity(facts)
    for entry in facts.section("models") + facts.section("seeds") + facts.section("snapshots"):
        yield from _node_tests(entry, entry.data, entry.keypath, entry.name, default)
    for entry in facts.section("sources"):
        for j, table in enumerate(entry.data.get("tables") or []):
            if isinstance(table, dict):
                node = f"{entry.name}.{table.get('name')}"
                yield from _node_tests(entry, table, (*entry.keypath, "tables", j), node, default)


def _node_tests(
    entry: Entry, data: dict[str, Any], keypath: tuple[str | int, ...], node: str, default: str
) -> Iterator[DbtTest]:
    specs: list[tuple[tuple[str | int, ...], Any, str | None]] = []
    for key in ("data_tests", "tests"):
        specs += [((*keypath, key, i), s, None) for i, s in enumerate(_list(data.get(key)))]
        for ci, col in enumerate(_list(data.get("columns"))):
            if isinstance(col, dict):
                cpath = (*keypath, "columns", ci, key)
                specs += [((*cpath, i), s, str(col.get("name"))) for i, s in enumerate(_list(col.get(key)))]
    for path, spec, column in specs:
        name, args = (spec, {}) if isinstance(spec, str) else _spec(spec)
        if name:
            config = args.get("config")
            config = config if isinstance(config, dict) else {}
            severity = str(config.get("severity") or args.get("severity") or default).lower()
            yield DbtTest(name, node, column, severity, entry.path, entry.doc.line(path) or entry.line)


def _spec(spec: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(spec, dict):
        return "", {}
    if "test_name" in spec or ("name" in spec and len(spec) > 1 and not isinstance(spec.get("name"), dict)):
        return str(spec.get("test_name") or spec.get("name")), spec
    name, args = next(iter(spec.items()))
    return str(name), args if isinstance(args, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _default_severity(facts: DbtFacts) -> str:
    for project in facts.projects:
        for resource in ("data_tests", "tests"):
            for folders, value, _ in folder_configs(project, "severity", resource):
                if not folders and str(value).lower() == "warn":
                    return "warn"
    return "error"


def singular_tests(index: RepoIndex, facts: DbtFacts) -> list[DbtTest]:
    """SQL files under test paths that are not generic test definitions."""
    out = []
    for project in facts.projects:
        roots = [project.rel(t) for t in project.test_paths]
        for path in facts.sql_files:
            text = index.text(path) or ""
            if any(under(path, r) for r in roots) and "/generic/" not in path and "{% test" not in text:
                severity = str(sql_config(text).get("severity") or "error").lower()
                out.append(DbtTest("singular", PurePosixPath(path).stem, None, severity, path, 1))
    return out
