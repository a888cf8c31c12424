"""Validate a YAML document against one of scanner/schemas/*.json, with `FILE:LINE: at KEY.PATH: message` errors."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema

from scanner.engine.rules import _dotted, _message, _narrow
from scanner.yamlio import YamlDoc


def load_schema(name: str) -> dict[str, Any]:
    return dict(json.loads(resources.files("scanner.schemas").joinpath(name).read_text(encoding="utf-8")))


def schema_problems(doc: YamlDoc, where: str, schema: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(load_schema(schema))
    problems = []
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        error = _narrow(error)
        path = tuple(error.absolute_path)
        problems.append(f"{where}:{doc.line(path, 1)}: at {_dotted(path)}: {_message(error)}")
    return problems


def problem(doc: YamlDoc, where: str, path: tuple[Any, ...], message: str) -> str:
    return f"{where}:{doc.line(path, 1)}: at {_dotted(path)}: {message}"
