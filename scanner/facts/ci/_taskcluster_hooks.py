"""Taskcluster hooks kept in the repository (`taskcluster-hook-*.json`, as Mozilla projects keep them).

A hook creates one task when it fires: on its `schedule` (cron expressions), when a Pulse message
matches its `bindings`, or when a service calls the hooks API (no schedule, no bindings). The task is a
job with the hook's triggers. When its command spawns a task graph from a YAML file of the repository
(`python /code/spawn_pipeline.py /code/data-pipeline.yml`: the file is copied into the image), every
task of that graph (`tasks:`, a JSON-e template: see `_taskcluster_inline`) is a job too, run by the
same triggers. The hook definition is read, never rendered.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from scanner.facts.ci._simple import load
from scanner.facts.ci._taskcluster_inline import inline_tasks
from scanner.facts.ci._util import Source, as_list, as_map, as_str
from scanner.facts.ci.model import EXTERNAL, SCHEDULE, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.repo_index import RepoIndex

HOOK_GLOBS = ("taskcluster-hook*.json", "**/taskcluster-hook*.json")
_GRAPH_FILE = re.compile(r"[\w./-]+\.ya?ml$")


def is_hook(index: RepoIndex, path: str) -> bool:
    """A hook definition: a mapping whose `task` has a payload."""
    data = index.yaml_data(path)
    return isinstance(data, dict) and "payload" in as_map(data.get("task"))


def hook_pipeline(
    index: RepoIndex, path: str, system: str, command_text: Callable[[Any], str]
) -> tuple[Pipeline | None, list[ParseError]]:
    src, errors = load(index, path, "Taskcluster hook")
    if src is None:
        return None, errors
    triggers = _triggers(src)
    name = as_str(as_map(src.data.get("metadata")).get("name")) or posixpath.basename(path)
    command = command_text(as_map(as_map(src.data.get("task")).get("payload")).get("command"))
    line = src.line("task", "payload", "command") or src.line("task")
    step = Step(name=name, path=path, line=line, run=command, run_line=src.value_line("task", "payload", "command"))
    jobs = [Job(id=name, name=name, line=src.line("task"), path=path, steps=(step,) if command.strip() else ())]
    graph = _spawned_graph(index, path, command)
    if graph is not None:
        graph_src, graph_errors = load(index, graph, "task graph")
        errors += graph_errors
        if graph_src is not None:
            spawned = inline_tasks(graph_src, triggers, command_text)
            jobs += [replace(j, triggers=triggers, needs=(*j.needs, name)) for j in spawned]
    return Pipeline(path, system, name, triggers, tuple(jobs), line=1), errors


def _triggers(src: Source) -> tuple[Trigger, ...]:
    path = src.path
    out = [
        Trigger(SCHEDULE, detail=as_str(cron), line=src.line("schedule", i), event="hook-schedule", path=path)
        for i, cron in enumerate(as_list(src.data.get("schedule")))
        if as_str(cron)
    ]
    out += [
        Trigger(
            EXTERNAL,
            detail=as_str(as_map(b).get("routingKeyPattern")),
            line=src.line("bindings", i),
            event="pulse",
            path=path,
        )
        for i, b in enumerate(as_list(src.data.get("bindings")))
    ]
    return tuple(out) or (Trigger(EXTERNAL, line=1, event="hooks-api", path=path),)


def _spawned_graph(index: RepoIndex, hook: str, command: str) -> str | None:
    """The repo's YAML file a hook's command names (by file name: images copy it elsewhere), nearest to
    the hook first, when it holds a `tasks:` template."""
    names = [posixpath.basename(w) for w in command.split() if _GRAPH_FILE.match(w)]
    folder = posixpath.dirname(hook)
    for name in names:
        near = posixpath.join(folder, name)
        found = [near] if index.has(near) else sorted(index.paths(name, f"**/{name}"))
        for path in found[:1]:
            if isinstance(index.yaml_data(path), dict) and "tasks" in index.yaml_data(path):
                return path
    return None
