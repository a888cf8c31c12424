"""Shared reading for CI systems whose files are lists of steps with shell commands (CodeBuild, Cloud
Build, Buildkite, Travis, Drone, Bitbucket): load one YAML document, turn a command list into steps
with their lines."""

from __future__ import annotations

from typing import Any

from scanner.facts.ci._util import Source, as_list, as_str
from scanner.facts.ci.commands import in_one_shell
from scanner.facts.ci.model import ParseError, Step
from scanner.facts.repo_index import RepoIndex

Keys = tuple[str | int, ...]


def load(index: RepoIndex, path: str, what: str, doc: int = 0) -> tuple[Source | None, list[ParseError]]:
    parsed = index.yaml(path)
    if parsed.error:
        return None, [ParseError(path, parsed.error_line, f"invalid YAML: {parsed.error}")]
    if len(parsed.docs) <= doc or not isinstance(parsed.docs[doc].data, dict):
        return None, [ParseError(path, 1, f"{what} is not a mapping")]
    return Source(path, parsed.docs[doc], index.text(path) or ""), []


def yaml_has_key(index: RepoIndex, path: str, *keys: str) -> bool:
    """The first YAML document is a mapping with one of `keys` at the top."""
    data = index.yaml_data(path)
    return isinstance(data, dict) and any(k in data for k in keys)


def command_steps(src: Source, keys: Keys, value: Any, name: str = "", *, can_fail: bool = False) -> list[Step]:
    """A command or list of commands at `keys` as steps, one per list item (lines kept), run in one shell."""
    out = []
    if isinstance(value, str):
        if value.strip():
            line = src.line(*keys)
            out.append(
                Step(name=name, path=src.path, line=line, run=value, run_line=src.value_line(*keys), can_fail=can_fail)
            )
        return out
    for i, item in enumerate(as_list(value)):
        text = as_str(item) if not isinstance(item, dict) else ""
        if text.strip():
            out.append(
                Step(
                    name=name,
                    path=src.path,
                    line=src.line(*keys, i),
                    run=text,
                    run_line=src.value_line(*keys, i),
                    can_fail=can_fail,
                )
            )
    return in_one_shell(out)
