"""The CI model: every pipeline a repository declares, with its triggers, jobs and steps.

Parsers (one module per CI system) build it from the repo index; probes read it. It is plain, frozen
data plus the few graph questions probes keep asking: which jobs run before this one, is a job behind
a manual gate, which events can start it (reusable workflows and `workflow_run` chains resolved).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property

# Trigger kinds -------------------------------------------------------------------------------
PUSH = "push"
PULL_REQUEST = "pull_request"
SCHEDULE = "schedule"
MANUAL = "manual"
EXTERNAL = "external"  # API / repository_dispatch / pipeline triggers from other systems
TAG = "tag"
RELEASE = "release"
WORKFLOW_RUN = "workflow_run"  # another pipeline finishing
OTHER = "other"
TRIGGER_KINDS = (PUSH, PULL_REQUEST, SCHEDULE, MANUAL, EXTERNAL, TAG, RELEASE, WORKFLOW_RUN, OTHER)
AUTOMATIC_KINDS = frozenset({PUSH, PULL_REQUEST, SCHEDULE, TAG, RELEASE, EXTERNAL, WORKFLOW_RUN})
WORKFLOW_CALL = "workflow_call"  # the `event` of a GitHub reusable workflow's trigger (kind OTHER)

DEFAULT_BRANCH_NAMES = frozenset({"main", "master", "trunk", "$default", "default"})


@dataclass(frozen=True)
class Trigger:
    """An event that starts a pipeline (or, as an override, one job)."""

    kind: str
    branches: tuple[str, ...] = ()  # empty: any branch
    tags: tuple[str, ...] = ()  # for kind tag: tag patterns (empty: any tag)
    paths: tuple[str, ...] = ()  # path filters (empty: any change)
    detail: str = ""  # cron expression, free-form condition, ...
    line: int | None = None
    event: str = ""  # the system's own event name (repository_dispatch, merge_request_event, ...)
    types: tuple[str, ...] = ()  # event/activity types (repository_dispatch types, release types)
    ignore_branches: tuple[str, ...] = ()
    workflows: tuple[str, ...] = ()  # kind workflow_run: upstream pipeline names
    gated: bool = False  # a person must still act after the event (GitLab rule with `when: manual`)
    path: str = ""  # the file the trigger is declared in (`line` is in this file)

    @property
    def automatic(self) -> bool:
        return self.kind in AUTOMATIC_KINDS and not self.gated

    def covers_default_branch(self) -> bool:
        """A push trigger that fires on the default branch (no filter, a wildcard, or main/master)."""
        if self.kind != PUSH:
            return False
        if any(b.lower() in DEFAULT_BRANCH_NAMES for b in self.ignore_branches):
            return False
        if not self.branches:
            return True
        names = [b.strip("'\"").removeprefix("refs/heads/") for b in self.branches]
        return any(b.lower() in DEFAULT_BRANCH_NAMES or b in ("*", "**", ".*", "/.*/") for b in names)

    def describe(self) -> str:
        what = self.event or self.kind
        bits = [
            f"branches {','.join(self.branches)}" if self.branches else "",
            f"tags {','.join(self.tags)}" if self.tags else "",
            f"types {','.join(self.types)}" if self.types else "",
            self.detail,
            "manual gate" if self.gated else "",
        ]
        extra = "; ".join(b for b in bits if b)
        return f"{what} ({extra})" if extra else what


@dataclass(frozen=True)
class Step:
    """One step: a shell script (`run`), an action/orb/task (`uses`), or both (inline scripts of a task)."""

    name: str
    path: str  # the file the step is written in (a composite action or template may differ from the pipeline)
    line: int | None
    run: str = ""
    uses: str = ""
    can_fail: bool = False  # continue-on-error / continueOnError / GitLab after_script
    run_line: int | None = None  # line of the first line of `run` (block scalars start one line down)
    inputs: tuple[tuple[str, str], ...] = ()  # `with:` / task `inputs:` / orb parameters, as text
    condition: str = ""
    triggers: tuple[Trigger, ...] | None = None  # narrowed by the step's own condition; None: the job's
    working_directory: str = ""
    shell_per_line: bool = False  # a Makefile recipe: each line is its own shell, a `cd` does not carry over
    children: tuple[Step, ...] = ()  # commands of a local shell script or Makefile target the step runs

    def input(self, key: str) -> str:
        for k, v in self.inputs:
            if k == key:
                return v
        return ""

    def label(self) -> str:
        return self.name or self.uses or (self.run.strip().splitlines() or [""])[0][:60]


@dataclass(frozen=True)
class Job:
    id: str
    name: str
    line: int | None
    path: str
    steps: tuple[Step, ...] = ()
    needs: tuple[str, ...] = ()  # ids of jobs (same pipeline) that must finish first
    environment: str | None = None
    manual_gate: bool = False  # when: manual / type: approval / input / ManualValidation
    can_fail: bool = False  # continue-on-error / allow_failure
    services: tuple[str, ...] = ()
    condition: str = ""
    triggers: tuple[Trigger, ...] | None = None  # per-job rules/filters/conditions; None: the pipeline's
    stage: str = ""
    uses: str = ""  # reusable workflow / template / orb job this job delegates to
    inputs: tuple[tuple[str, str], ...] = ()

    def input(self, key: str) -> str:
        for k, v in self.inputs:
            if k == key:
                return v
        return ""


@dataclass(frozen=True)
class Pipeline:
    path: str
    system: str
    name: str
    triggers: tuple[Trigger, ...]
    jobs: tuple[Job, ...]
    line: int | None = 1
    includes: tuple[str, ...] = ()  # configuration pulled from elsewhere and not read (remote includes, ...)
    called_by: tuple[str, ...] = ()  # reusable workflow: the workflows that call it (their jobs were inlined)

    def job(self, job_id: str) -> Job | None:
        return next((j for j in self.jobs if j.id == job_id), None)

    @property
    def inlined_only(self) -> bool:
        """A reusable workflow that only runs when called, and whose callers were all found and inlined."""
        return bool(self.called_by) and all(t.event == WORKFLOW_CALL for t in self.triggers)


@dataclass(frozen=True)
class ParseError:
    path: str
    line: int | None
    message: str


@dataclass(frozen=True)
class CIModel:
    pipelines: tuple[Pipeline, ...] = ()
    errors: tuple[ParseError, ...] = ()
    ignored: tuple[str, ...] = ()  # CI files not counted (templates, examples, nested .github folders)

    # iteration ---------------------------------------------------------------------------------
    def jobs(self) -> Iterator[tuple[Pipeline, Job]]:
        """Every job that can run on its own (reusable workflows appear inside their callers)."""
        for pipeline in self.pipelines:
            if pipeline.inlined_only:
                continue
            for job in pipeline.jobs:
                yield pipeline, job

    def steps(self, *, expand: bool = True) -> Iterator[tuple[Pipeline, Job, Step]]:
        """Every (pipeline, job, step); with `expand`, also the commands of scripts a step runs."""
        for pipeline, job in self.jobs():
            for step in job.steps:
                yield pipeline, job, step
                if expand:
                    for child in _descendants(step):
                        yield pipeline, job, child

    @property
    def systems(self) -> tuple[str, ...]:
        return tuple(sorted({p.system for p in self.pipelines}))

    @property
    def empty(self) -> bool:
        return not self.pipelines

    # graph -----------------------------------------------------------------------------------
    def upstream(self, pipeline: Pipeline, job: Job) -> tuple[Job, ...]:
        """Jobs that must finish before `job` (transitively through `needs`)."""
        seen: dict[str, Job] = {}
        todo = list(job.needs)
        while todo:
            jid = todo.pop()
            if jid in seen or jid == job.id:
                continue
            other = pipeline.job(jid)
            if other is not None:
                seen[jid] = other
                todo.extend(other.needs)
        return tuple(seen.values())

    def downstream(self, pipeline: Pipeline, job: Job) -> tuple[Job, ...]:
        return tuple(j for j in pipeline.jobs if j.id != job.id and job in self.upstream(pipeline, j))

    def is_gated(self, pipeline: Pipeline, job: Job, step: Step | None = None) -> bool:
        """A person must approve or click: a manual gate on the job or a job it waits for, or every
        event that starts it is gated (GitLab rules with `when: manual`)."""
        if job.manual_gate or any(j.manual_gate for j in self.upstream(pipeline, job)):
            return True
        triggers = self.effective_triggers(pipeline, job, step)
        return any(t.gated for t in triggers) and not any(t.automatic for t in triggers)

    def effective_triggers(self, pipeline: Pipeline, job: Job, step: Step | None = None) -> tuple[Trigger, ...]:
        """The events that can start this job (or step): its own override or the pipeline's, with
        `workflow_run` triggers followed to the upstream pipelines' triggers."""
        return self._expand(_own_triggers(pipeline, job, step), depth=0)

    def is_automatic(self, pipeline: Pipeline, job: Job, step: Step | None = None) -> bool:
        """Reachable without a person: an automatic trigger (a `workflow_run` counts when the pipeline
        it waits for starts automatically, or cannot be found) and no manual gate on the way."""
        if self.is_gated(pipeline, job, step):
            return False
        return self._fires(_own_triggers(pipeline, job, step), depth=0)

    def is_manual_only(self, pipeline: Pipeline, job: Job, step: Step | None = None) -> bool:
        """Only a person can start it: a manual gate, or manual triggers and nothing automatic."""
        if self.is_automatic(pipeline, job, step):
            return False
        if self.is_gated(pipeline, job, step):
            return True
        triggers = self.effective_triggers(pipeline, job, step)
        return any(t.kind == MANUAL for t in triggers) and all(
            t.kind == MANUAL or t.gated or t.kind == WORKFLOW_RUN for t in triggers
        )

    def pipelines_named(self, name: str) -> tuple[Pipeline, ...]:
        return self._by_name.get(name.strip().lower(), ())

    @cached_property
    def _by_name(self) -> dict[str, tuple[Pipeline, ...]]:
        out: dict[str, list[Pipeline]] = {}
        for p in self.pipelines:
            for key in {p.name.strip().lower(), p.path.rsplit("/", 1)[-1].lower()}:
                out.setdefault(key, []).append(p)
        return {k: tuple(v) for k, v in out.items()}

    def _upstreams(self, trigger: Trigger) -> list[Pipeline]:
        return [p for name in trigger.workflows for p in self.pipelines_named(name)]

    def _fires(self, triggers: tuple[Trigger, ...], depth: int) -> bool:
        for t in triggers:
            upstream = self._upstreams(t) if t.kind == WORKFLOW_RUN and depth < 3 else []
            if upstream:
                if any(self._fires(p.triggers, depth + 1) for p in upstream):
                    return True
            elif t.automatic:
                return True
        return False

    def _expand(self, triggers: tuple[Trigger, ...], depth: int) -> tuple[Trigger, ...]:
        out = list(triggers)
        if depth >= 3:
            return tuple(out)
        for trig in triggers:
            if trig.kind != WORKFLOW_RUN:
                continue
            for upstream in self._upstreams(trig):
                for t in self._expand(upstream.triggers, depth + 1):
                    if trig.branches and t.kind == PUSH:
                        t = _restrict_branches(t, trig.branches)
                    if t not in out:
                        out.append(t)
        return tuple(out)


def _own_triggers(pipeline: Pipeline, job: Job, step: Step | None) -> tuple[Trigger, ...]:
    if step is not None and step.triggers is not None:
        return step.triggers
    return job.triggers if job.triggers is not None else pipeline.triggers


def _restrict_branches(trigger: Trigger, branches: tuple[str, ...]) -> Trigger:
    return replace(trigger, branches=branches if not trigger.branches else trigger.branches)


def _descendants(step: Step) -> Iterator[Step]:
    for child in step.children:
        yield child
        yield from _descendants(child)
