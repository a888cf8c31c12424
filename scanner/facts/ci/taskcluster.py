"""Taskcluster: tasks written out in `.taskcluster.yml` (see `_taskcluster_inline`), hooks kept in the
repo (`taskcluster-hook-*.json`, see `_taskcluster_hooks`), and Taskgraph: `.taskcluster.yml` (the
decision task), kinds in `taskcluster/kinds/<kind>/kind.yml` (or the older `taskcluster/ci/`), and
`.cron.yml`.

One pipeline holds every task of every kind (job id `kind/task`): `task-defaults` are merged into each
task, `run.command` (or `worker.command`) becomes the step, `kind-dependencies` become needs.
The events a task runs on come from its `run-on-tasks-for` (`github-push`, `github-pull-request`,
`github-release`, `cron`, `action`; an empty list: only by hand, through an action), else from the
events `.taskcluster.yml` handles. As in Taskgraph, the dependencies of a task run whenever the task
runs, so a task also inherits the events of the tasks that need it. `.cron.yml` jobs are a scheduled
pipeline of their own (which tasks they select is decided in Python, not read here).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from scanner.facts.ci._taskcluster_hooks import HOOK_GLOBS, hook_pipeline, is_hook
from scanner.facts.ci._taskcluster_inline import inline_tasks
from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs, stamp
from scanner.facts.ci.model import (
    MANUAL,
    PULL_REQUEST,
    PUSH,
    RELEASE,
    SCHEDULE,
    Job,
    ParseError,
    Pipeline,
    Step,
    Trigger,
)
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "taskcluster"
GLOBS = (".taskcluster.yml", ".taskcluster.yaml")
KIND_GLOBS = tuple(f"taskcluster/{d}/*/kind.{e}" for d in ("kinds", "ci") for e in ("yml", "yaml"))
CRON = (".cron.yml", ".cron.yaml")
_TASKS_FOR = {
    "github-push": PUSH,
    "github-pull-request": PULL_REQUEST,
    "github-pull-request-untrusted": PULL_REQUEST,
    "github-release": RELEASE,
    "cron": SCHEDULE,
    "action": MANUAL,
}
_MENTION = re.compile(r"\b(github-push|github-pull-request|github-release|cron|action)\b")
_V0_EVENT = re.compile(r"^[ \t]*-\s*(push|pull_request\.\w+|release|tag)\b", re.MULTILINE)
_CHECKOUT = re.compile(r"\$\{?(?:VCS_PATH|GECKO_PATH)\}?/|\{checkout\}/")
_SHELL_C = re.compile(r"^-[a-z]*c[a-z]*$")
MAX_TASKS = 2000


def parse(index: RepoIndex, path: str) -> tuple[list[Pipeline], list[ParseError]]:
    if path.endswith(".json"):
        hook, hook_errors = hook_pipeline(index, path, SYSTEM, _command_text)
        return [hook] if hook else [], hook_errors
    errors: list[ParseError] = []
    root = index.yaml(path)  # read for its events as text (a JSON-e template), but it must still be YAML
    if root.error:
        errors.append(ParseError(path, root.error_line, f"invalid YAML: {root.error}"))
    base = stamp(_root_triggers(index.text(path) or ""), path)
    jobs: list[Job] = []
    if not root.error and root.docs and isinstance(root.docs[0].data, dict):
        jobs += inline_tasks(Source(path, root.docs[0], index.text(path) or ""), base, _command_text)[:MAX_TASKS]
    kind_jobs: dict[str, list[str]] = {}
    deps: dict[str, tuple[str, ...]] = {}
    # Every kind the root graph loads counts, whatever its folder is called (a `docs` or `legacy` kind
    # is still a kind): the kind folders are fixed paths under the root, never examples.
    for kind_path in index.paths(*KIND_GLOBS, kinds=None):
        kind = kind_path.split("/")[-2]
        parsed = index.yaml(kind_path)
        if parsed.error or not parsed.docs or not isinstance(parsed.docs[0].data, dict):
            errors.append(ParseError(kind_path, parsed.error_line, f"invalid kind: {parsed.error or 'not a mapping'}"))
            continue
        src = Source(kind_path, parsed.docs[0], index.text(kind_path) or "")
        deps[kind] = as_strs(src.data.get("kind-dependencies"))
        for job in _kind_jobs(index, src, kind, base):
            if len(jobs) < MAX_TASKS:
                jobs.append(job)
                kind_jobs.setdefault(kind, []).append(job.id)
        errors.extend(src.errors)
    jobs = [_with_needs(j, deps.get(j.id.split("/")[0], ()), kind_jobs) for j in jobs]
    cron_path = next((p for p in CRON if index.has(p)), None)
    cron = _cron(index, cron_path, errors) if cron_path else None
    if cron is not None:
        jobs = [_scheduled_by(j, cron) for j in jobs]
    jobs = _inherit_downstream_triggers(jobs)
    pipelines = [Pipeline(path, SYSTEM, "taskgraph", base, tuple(jobs), line=1)]
    return [*pipelines, cron] if cron is not None else pipelines, errors


def _scheduled_by(job: Job, cron: Pipeline) -> Job:
    """A cron job whose target-tasks method is named after a kind (`update-db-target-tasks` -> kind
    `update-db`) schedules that kind's tasks (other methods select tasks in Python: not followed)."""
    kind = job.id.split("/")[0]
    extra = [t for c in cron.jobs if _method_kind(c.stage) == kind for t in (c.triggers or ())]
    return replace(job, triggers=(*(job.triggers or ()), *extra[:1])) if extra else job


def _first_line(text: Any) -> str:
    lines = as_str(text).strip().splitlines()
    return lines[0][:80] if lines else ""


def _method_kind(method: str) -> str:
    return re.sub(r"[-_]target[-_]tasks$", "", method)


def _root_triggers(text: str) -> tuple[Trigger, ...]:
    kinds: dict[str, Trigger] = {}
    events = [m.group(1) for m in _MENTION.finditer(text)]
    events += [
        "github-push" if e == "push" else "github-release" if e == "release" else "github-pull-request"
        for e in (m.group(1).split(".")[0] for m in _V0_EVENT.finditer(text))
        if e != "tag"
    ]
    for event in events:
        kind = _TASKS_FOR[event]
        if kind not in kinds:
            kinds[kind] = Trigger(kind, event=event)
    return tuple(kinds.values())


def _kind_jobs(index: RepoIndex, src: Source, kind: str, base: tuple[Trigger, ...]) -> list[Job]:
    defaults = as_map(src.data.get("task-defaults") or src.data.get("job-defaults"))
    tasks: list[tuple[Source, str, dict[str, Any]]] = [
        (src, str(name), as_map(task)) for name, task in as_map(src.data.get("tasks") or src.data.get("jobs")).items()
    ]
    folder = src.path.rsplit("/", 1)[0]
    for extra in as_strs(src.data.get("tasks-from") or src.data.get("jobs-from")):
        other = f"{folder}/{extra}"
        parsed = index.yaml(other) if index.has(other) else None
        if parsed is None or parsed.error or not parsed.docs:
            continue
        osrc = Source(other, parsed.docs[0], index.text(other) or "")
        tasks += [(osrc, str(name), as_map(task)) for name, task in as_map(osrc.data).items()]
    out = []
    for tsrc, name, raw in tasks:
        task = _merge(defaults, raw)
        keys: tuple[str | int, ...] = () if tsrc is not src else ("tasks",) if "tasks" in src.data else ("jobs",)
        line = tsrc.line(*keys, name)
        triggers = _task_triggers(task, base, line, tsrc.path)
        steps = _steps(tsrc, (*keys, name), task, line) or _transform_steps(src, line)
        out.append(
            Job(
                id=f"{kind}/{name}",
                name=_first_line(task.get("description")) or name,
                line=line,
                path=tsrc.path,
                steps=steps,
                stage=kind,
                triggers=triggers,
            )
        )
    return out


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _task_triggers(task: dict[str, Any], base: tuple[Trigger, ...], line: int | None, path: str) -> tuple[Trigger, ...]:
    if "run-on-tasks-for" not in task:
        return base
    value = task.get("run-on-tasks-for")
    names = [n for n in as_strs(_unkey(value)) if n in _TASKS_FOR] if value else []
    branches = as_strs(task.get("run-on-git-branches"))
    if not names:
        return (Trigger(MANUAL, line=line, event="action", path=path),)
    out: list[Trigger] = []
    for name in names:
        kind = _TASKS_FOR[name]
        t = Trigger(kind, branches=branches if kind == PUSH else (), line=line, event=name, path=path)
        if all(o.kind != t.kind for o in out):
            out.append(t)
    return tuple(out)


def _steps(src: Source, keys: tuple[str | int, ...], task: dict[str, Any], line: int | None) -> tuple[Step, ...]:
    run = as_map(task.get("run"))
    worker = as_map(task.get("worker"))
    for where, value in (("run", run.get("command")), ("worker", worker.get("command"))):
        text = _command_text(_unkey(value))
        if text:
            cmd_line = src.line(*keys, where, "command") or line
            return (
                Step(
                    name=as_str(task.get("description")).strip()[:60] or str(keys[-1]),
                    path=src.path,
                    line=cmd_line,
                    run=_CHECKOUT.sub("", text),
                    run_line=src.value_line(*keys, where, "command") or cmd_line,
                ),
            )
    return ()


def _transform_steps(src: Source, line: int | None) -> tuple[Step, ...]:
    """Tasks made by a Taskgraph transform rather than a command (docker images): what the transform does."""
    transforms = " ".join(as_strs(src.data.get("transforms")) + as_strs(src.data.get("loader")))
    if "docker_image" in transforms:
        return (Step(name="docker image", path=src.path, line=line, uses="taskgraph/docker-image"),)
    return ()


def _unkey(value: Any) -> Any:
    """A Taskgraph `by-<key>:` alternative: every branch's value (one level)."""
    if isinstance(value, dict) and len(value) == 1 and str(next(iter(value))).startswith("by-"):
        branches = as_map(next(iter(value.values())))
        out: list[Any] = []
        for v in branches.values():
            out.extend(as_list(_unkey(v)))
        return out
    return value


def _command_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [as_str(v) for v in value if not isinstance(v, dict)]
        shell_c = next((i for i, p in enumerate(parts) if _SHELL_C.match(p)), None)
        if shell_c is not None:  # bash -c, -cx, -xec ...
            return "\n".join(parts[shell_c + 1 :])
        if parts and all(isinstance(v, list) for v in value):
            return "\n".join(" ".join(as_strs(v)) for v in value)
        return " ".join(parts)
    return ""


def _with_needs(job: Job, kinds: tuple[str, ...], kind_jobs: dict[str, list[str]]) -> Job:
    needs = tuple(jid for k in kinds for jid in kind_jobs.get(k, ()))
    return replace(job, needs=needs) if needs else job


def _inherit_downstream_triggers(jobs: list[Job]) -> list[Job]:
    """A task's dependencies run whenever it runs: each job also gets the events of the jobs needing it."""
    by_id = {j.id: j for j in jobs}
    needed_by: dict[str, set[str]] = {}
    for j in jobs:
        for n in j.needs:
            needed_by.setdefault(n, set()).add(j.id)
    out = []
    for j in jobs:
        seen: set[str] = set()
        todo = list(needed_by.get(j.id, ()))
        while todo:
            jid = todo.pop()
            if jid not in seen:
                seen.add(jid)
                todo.extend(needed_by.get(jid, ()))
        triggers = list(j.triggers or ())
        for jid in sorted(seen):
            for t in by_id[jid].triggers or ():
                if all(o.kind != t.kind for o in triggers):
                    triggers.append(t)
        out.append(replace(j, triggers=tuple(triggers)) if len(triggers) != len(j.triggers or ()) else j)
    return out


def _cron(index: RepoIndex, path: str, errors: list[ParseError]) -> Pipeline:
    parsed = index.yaml(path)
    if parsed.error or not parsed.docs:
        errors.append(ParseError(path, parsed.error_line, f"invalid YAML: {parsed.error}"))
        return Pipeline(path, SYSTEM, "cron", (), (), line=1)
    src = Source(path, parsed.docs[0], index.text(path) or "")
    triggers: list[Trigger] = []
    jobs = []
    for i, entry in enumerate(as_list(as_map(src.data).get("jobs"))):
        cfg = as_map(entry)
        name = as_str(cfg.get("name")) or f"job-{i + 1}"
        line = src.line("jobs", i)
        when = "; ".join(as_str(w).replace("\n", " ") for w in as_list(cfg.get("when")))
        trigger = Trigger(SCHEDULE, detail=when, line=line, event="cron", path=path)
        triggers.append(trigger)
        method = as_str(as_map(cfg.get("job")).get("target-tasks-method"))
        # The decision task the cron job starts: which tasks it selects is decided in Python.
        decision = Step(name=method or name, path=path, line=line, uses=f"taskgraph/target-tasks:{method}")
        jobs.append(Job(id=name, name=name, line=line, path=path, steps=(decision,), stage=method, triggers=(trigger,)))
    return Pipeline(path, SYSTEM, "cron", tuple(triggers), tuple(jobs), line=1)


def _detect(index: RepoIndex, path: str) -> bool:
    return is_hook(index, path) if path.endswith(".json") else True


PLUGIN = CISystem(
    name=SYSTEM,
    globs=(*GLOBS, *HOOK_GLOBS),
    parse=parse,
    detect=_detect,
    owned=(*KIND_GLOBS, "taskcluster/config.yml", *CRON),
)
