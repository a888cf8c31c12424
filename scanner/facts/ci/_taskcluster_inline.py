"""Tasks written out in `.taskcluster.yml` itself (Taskcluster-GitHub without Taskgraph).

The file's `tasks:` is a JSON-e template: `$let`, `$if`/`then`, `$flatten`, `$mergeDeep` around task
definitions. Every mapping with a `payload.command` and a `metadata.name` is a task; it runs on the
events its innermost enclosing `$if` names (`tasks_for == "github-push"`, a pull request, a release; a
push of `refs/tags/` is a tag), else on the events the file handles. `dependencies` naming other tasks'
`as_slugid("...")` (or their plain `ID`) become needs. The template is read, never rendered.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.facts.ci._util import Source, as_list, as_map, as_str
from scanner.facts.ci.model import PULL_REQUEST, PUSH, RELEASE, TAG, Job, Step, Trigger

_SLUG = re.compile(r"as_slugid\(\s*[\"']([\w.-]+)[\"']\s*\)")
_TAG_REF = re.compile(r"==\s*[\"']refs/tags/")
_EVENTS = (("github-pull-request", PULL_REQUEST), ("github-release", RELEASE))
Keys = tuple[str | int, ...]


def inline_tasks(src: Source, base: tuple[Trigger, ...], command_text: Any) -> list[Job]:
    """The task definitions of the `tasks:` template, as jobs (`command_text` reads a command value)."""
    found: list[tuple[Keys, dict[str, Any], str]] = []
    _walk(as_map(src.data).get("tasks"), ("tasks",), "", found)
    slugs = {_slug(task): as_str(as_map(task.get("metadata")).get("name")) for _, task, _ in found}
    jobs: list[Job] = []
    for keys, task, condition in found:
        name = as_str(as_map(task.get("metadata")).get("name"))
        line = src.line(*keys)
        run = command_text(as_map(task.get("payload")).get("command"))
        step = Step(
            name=name,
            path=src.path,
            line=src.line(*keys, "payload", "command") or line,
            run=run,
            run_line=src.value_line(*keys, "payload", "command") or line,
        )
        needs = tuple(
            slugs[s]
            for dep in as_list(task.get("dependencies"))
            if (s := _slug_of(dep) or as_str(dep)) and s in slugs and slugs[s]
        )
        jobs.append(
            Job(
                id=name,
                name=name,
                line=line,
                path=src.path,
                steps=(step,) if run.strip() else (),
                needs=needs,
                triggers=_condition_triggers(condition, line, src.path) or base,
            )
        )
    return jobs


def _walk(node: Any, keys: Keys, condition: str, found: list[tuple[Keys, dict[str, Any], str]]) -> None:
    if isinstance(node, list):
        for i, item in enumerate(node):
            _walk(item, (*keys, i), condition, found)
        return
    if not isinstance(node, dict):
        return
    if "$if" in node:
        inner = as_str(node.get("$if"))
        _walk(node.get("then"), (*keys, "then"), inner if _names_events(inner) else condition, found)
        _walk(node.get("else"), (*keys, "else"), condition, found)
        return
    metadata = as_map(node.get("metadata"))
    if as_str(metadata.get("name")) and "command" in as_map(node.get("payload")):
        found.append((keys, node, condition))
        return
    for key, value in node.items():
        _walk(value, (*keys, str(key)), condition, found)


def _names_events(condition: str) -> bool:
    return "tasks_for" in condition


def _condition_triggers(condition: str, line: int | None, path: str) -> tuple[Trigger, ...]:
    out: list[Trigger] = []
    if "github-push" in condition:
        tag = bool(_TAG_REF.search(condition))
        out.append(Trigger(TAG if tag else PUSH, line=line, event="github-push", path=path, detail=condition))
    for event, kind in _EVENTS:
        if event in condition:
            out.append(Trigger(kind, line=line, event=event, path=path, detail=condition))
    return tuple(out)


def _slug(task: dict[str, Any]) -> str:
    """The name other tasks depend on it by: `as_slugid("x")` in its taskId, or its plain `ID`."""
    return _slug_of(task.get("taskId")) or as_str(task.get("ID"))


def _slug_of(value: Any) -> str:
    m = _SLUG.search(str(value))
    return m.group(1) if m else ""
