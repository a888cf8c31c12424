"""Small helpers shared by the CI parsers: tolerant coercion of YAML values and line lookups."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from scanner.facts.ci.model import ParseError, Trigger
from scanner.yamlio import PathKey, YamlDoc

_BLOCK = re.compile(r"(?:^|[:-])\s*[|>][-+]?\d*[-+]?\s*(?:#.*)?$")


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def as_map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "\n".join(as_str(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {as_str(v)}" for k, v in value.items())
    return str(value)


def as_strs(value: Any) -> tuple[str, ...]:
    """A scalar or a (nested) list of scalars as strings; mappings give their keys."""
    out: list[str] = []
    for item in as_list(value):
        if isinstance(item, list):
            out.extend(as_strs(item))
        elif isinstance(item, dict):
            out.extend(str(k) for k in item)
        elif item is not None:
            out.append(as_str(item))
    return tuple(out)


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "yes", "on"))


def stamp(triggers: Iterable[Trigger], path: str) -> tuple[Trigger, ...]:
    """Triggers with the file they are declared in."""
    return tuple(t if t.path else replace(t, path=path) for t in triggers)


def pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """A mapping of inputs as (key, text) pairs, in source order."""
    return tuple((str(k), as_str(v)) for k, v in as_map(value).items())


@dataclass
class Source:
    """One parsed YAML document of one file, with its source lines, collecting parse problems."""

    path: str
    doc: YamlDoc
    text: str
    errors: list[ParseError] = field(default_factory=list)

    @property
    def data(self) -> Any:
        return self.doc.data

    def line(self, *keys: str | int) -> int | None:
        return self.doc.line(tuple(keys))

    def value_line(self, *keys: str | int) -> int | None:
        """Line where a scalar's text starts: one below the key for `|`/`>` block scalars."""
        line = self.doc.line(tuple(keys))
        if line is None:
            return None
        src = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        return line + 1 if _BLOCK.search(src) else line

    def error(self, message: str, *keys: str | int) -> None:
        self.errors.append(ParseError(self.path, self.doc.line(tuple(keys)), message))

    @property
    def _lines(self) -> list[str]:
        cached: list[str] | None = self.__dict__.get("_split")
        if cached is None:
            cached = self.text.splitlines()
            self.__dict__["_split"] = cached
        return cached


def key_path(*keys: str | int) -> PathKey:
    return tuple(keys)
