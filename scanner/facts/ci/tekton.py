"""Tekton: `Pipeline` and `Task` resources (`tekton.dev`), with Pipelines-as-Code annotations in
`.tekton/` (`pipelinesascode.tekton.dev/on-event: "[push]"`, `on-target-branch`). A Pipeline's tasks
are jobs (`runAfter` are needs; `taskRef` resolves to a Task in the repo, inline `taskSpec` is read);
a Task's steps are its steps. Without Pipelines-as-Code, what starts a run (an EventListener, a person
with `tkn`) is not in the file: the trigger is `other` (neither automatic nor manual)."""

from __future__ import annotations

import re
from typing import Any

from scanner.facts.ci._k8s_ci import container_step, items, mentions, resources
from scanner.facts.ci._util import Source, as_map, as_str, as_strs
from scanner.facts.ci.model import OTHER, PULL_REQUEST, PUSH, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "tekton"
GROUP = "tekton.dev"
GLOBS = ("**/*.yaml", "**/*.yml")
_PAC = "pipelinesascode.tekton.dev/"
_LIST = re.compile(r"[\w.*/-]+")


def detect(index: RepoIndex, path: str) -> bool:
    return mentions(index, path, GROUP, ("Pipeline", "PipelineRun"))


def parse(index: RepoIndex, path: str) -> tuple[list[Pipeline], list[ParseError]]:
    tasks = _task_index(index)
    out = []
    for src in resources(index, path, GROUP, ("Pipeline", "PipelineRun")):
        data = src.data
        meta = as_map(data.get("metadata"))
        name = as_str(meta.get("name") or meta.get("generateName")) or path
        spec = as_map(data.get("spec"))
        prefix: tuple[str | int, ...] = ("spec",)
        if data.get("kind") == "PipelineRun":
            spec, prefix = as_map(spec.get("pipelineSpec")), ("spec", "pipelineSpec")
        triggers = _triggers(as_map(meta.get("annotations")), src.line("metadata") or 1, path)
        jobs = []
        for i, task in enumerate(items(spec.get("tasks"))):
            tid = as_str(task.get("name")) or f"task-{i + 1}"
            keys = (*prefix, "tasks", i)
            steps = _task_steps(src, keys, task, tasks)
            jobs.append(
                Job(
                    id=tid,
                    name=tid,
                    line=src.line(*keys),
                    path=path,
                    steps=tuple(steps),
                    needs=as_strs(task.get("runAfter")),
                )
            )
        out.append(Pipeline(path, SYSTEM, name, triggers, tuple(jobs), line=src.line() or 1))
    return out, []


def _triggers(annotations: dict[str, Any], line: int, path: str) -> tuple[Trigger, ...]:
    events = _LIST.findall(as_str(annotations.get(f"{_PAC}on-event")))
    branches = tuple(_LIST.findall(as_str(annotations.get(f"{_PAC}on-target-branch"))))
    out = []
    if "push" in events:
        out.append(Trigger(PUSH, branches=branches, event="push", line=line, path=path))
    if "pull_request" in events:
        out.append(Trigger(PULL_REQUEST, event="pull_request", line=line, path=path))
    return tuple(out) or (Trigger(OTHER, event="pipelinerun", detail="started outside the file", line=line, path=path),)


def _task_steps(src: Source, keys: tuple[str | int, ...], task: dict[str, Any], tasks: dict[str, Source]) -> list[Step]:
    if task.get("taskSpec"):
        tsrc, tkeys, spec = src, (*keys, "taskSpec"), as_map(task.get("taskSpec"))
    else:
        ref = as_str(as_map(task.get("taskRef")).get("name"))
        found = tasks.get(ref)
        if found is None:
            return [
                Step(
                    name=ref,
                    path=src.path,
                    line=src.line(*keys),
                    uses=f"tekton/{ref}",
                    inputs=tuple((as_str(p.get("name")), as_str(p.get("value"))) for p in items(task.get("params"))),
                )
            ]
        tsrc, tkeys, spec = found, ("spec",), as_map(found.data.get("spec"))
    out = []
    for i, step in enumerate(items(spec.get("steps"))):
        made = container_step(tsrc, (*tkeys, "steps", i), step, as_str(step.get("name")))
        if made is not None:
            out.append(made)
    return out


def _task_index(index: RepoIndex) -> dict[str, Source]:
    def build() -> dict[str, Source]:
        out: dict[str, Source] = {}
        for path in index.paths(*GLOBS):
            if mentions(index, path, GROUP, ("Task",)):
                for src in resources(index, path, GROUP, ("Task",)):
                    out.setdefault(as_str(as_map(src.data.get("metadata")).get("name")), src)
        return out

    return index.derived("ci.tekton.tasks", build)


PLUGIN = CISystem(name=SYSTEM, globs=GLOBS, parse=parse, detect=detect, named=False, owned=(".tekton/**",))
