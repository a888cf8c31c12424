"""Validate a YAML document against one of scanner/schemas/*.json, with `FILE:LINE: at KEY.PATH: message` errors."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema

from scanner.engine.rules import RulesError, _dotted, _message, _narrow
from scanner.yamlio import YamlDoc


class FileProblems(RulesError):
    """Problems in a configuration or attestations file (`what` names it in the summary line)."""

    def __init__(self, problems: list[str], what: str) -> None:
        super().__init__(problems)
        self.what = what


def load_schema(name: str) -> dict[str, Any]:
    return dict(json.loads(resources.files("scanner.schemas").joinpath(name).read_text(encoding="utf-8")))


def schema_problems(doc: YamlDoc, where: str, schema: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(load_schema(schema))
    problems = []
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        error = _narrow(error)
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extra = [k for k in error.instance if k not in known]
            path = (*path, extra[0]) if extra else path  # point at the unexpected key's own line
        problems.append(f"{where}:{doc.line(path, 1)}: at {_dotted(path)}: {_message(error)}")
    return problems


def problem(doc: YamlDoc, where: str, path: tuple[Any, ...], message: str) -> str:
    return f"{where}:{doc.line(path, 1)}: at {_dotted(path)}: {message}"
