"""Azure Pipelines template plumbing: local `template:` references, `${{ parameters.* }}`, runtime
variables in conditions, and `${{ if }}` insertions in lists."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from scanner.facts.ci._util import Source, as_list, as_map, as_str
from scanner.facts.ci.model import ParseError
from scanner.facts.repo_index import RepoIndex

Keys = tuple[str | int, ...]
_PARAM = re.compile(r"\$\{\{\s*parameters\.([\w-]+)\s*\}\}")
_TEMPLATE_REF = re.compile(r"^[ \t]*-?[ \t]*template:\s*['\"]?([^'\"\s#@]+)(@\S+)?", re.MULTILINE)


def template_refs(index: RepoIndex, paths: list[str]) -> set[str]:
    """Files that candidate pipeline files use as templates (so they are not pipelines themselves)."""
    out = set()
    for path in paths:
        for m in _TEMPLATE_REF.finditer(index.text(path) or ""):
            if not m.group(2):
                out.add(resolve_ref(path, m.group(1)))
    return out


def resolve_ref(from_path: str, ref: str) -> str:
    if ref.startswith("/"):
        return ref.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_path), ref))


def variables_of(data: dict[str, Any]) -> dict[str, str]:
    raw = data.get("variables")
    if isinstance(raw, dict):
        return {str(k): as_str(v) for k, v in raw.items()}
    return {as_str(as_map(v).get("name")): as_str(as_map(v).get("value")) for v in as_list(raw) if isinstance(v, dict)}


def resolve_variables(variables: dict[str, str], text: str) -> str:
    """A condition with runtime variables defined as `$[ expr ]` replaced by their expression."""
    for name, value in variables.items():
        m = re.fullmatch(r"\s*\$\[(.*)\]\s*", value, re.DOTALL)
        if m and name:
            text = re.sub(rf"variables(\.{re.escape(name)}\b|\[\s*'{re.escape(name)}'\s*\])", m.group(1), text)
    return text


def sub(text: str, params: dict[str, str]) -> str:
    return _PARAM.sub(lambda m: params.get(m.group(1), m.group(0)), text) if "${{" in text else text


def items(value: Any, keys: Keys) -> Iterator[tuple[Keys, Any]]:
    """List items, with `${{ if ... }}:` / `${{ each ... }}:` insertions flattened (taken as present)."""
    for i, item in enumerate(as_list(value)):
        if isinstance(item, dict) and len(item) == 1 and str(next(iter(item))).startswith("${{"):
            key = str(next(iter(item)))
            yield from items(item[key], (*keys, i, key))
        else:
            yield (*keys, i), item


def load_template(
    index: RepoIndex, src: Source, item: dict[str, Any], keys: Keys, notes: list[str], errors: list[ParseError]
) -> tuple[Source, dict[str, Any], dict[str, str]] | None:
    """A local template's source, data and parameters (defaults overridden by the caller's)."""
    ref = as_str(item.get("template"))
    if "@" in ref or not ref:
        notes.append(f"template:{ref}")
        return None
    path = resolve_ref(src.path, ref)
    parsed = index.yaml(path)
    if parsed.error or not parsed.docs or not isinstance(parsed.docs[0].data, dict):
        errors.append(ParseError(src.path, src.line(*keys), f"template {ref!r} not found or not readable"))
        return None
    tsrc = Source(path, parsed.docs[0], index.text(path) or "")
    defaults = tsrc.data.get("parameters")
    params = (
        {str(k): as_str(v) for k, v in defaults.items()}
        if isinstance(defaults, dict)
        else {as_str(as_map(p).get("name")): as_str(as_map(p).get("default")) for p in as_list(defaults)}
    )
    params.update({str(k): as_str(v) for k, v in as_map(item.get("parameters")).items()})
    return tsrc, tsrc.data, params
