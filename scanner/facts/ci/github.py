"""GitHub Actions: `.github/workflows/*.yml` at the repository root (GitHub runs no other).

Reads `on:` as a string, list or map; jobs with needs, environment, services, continue-on-error and
`if:` conditions; steps with run/uses/with (a `${{ matrix.x }}` in a command is filled from the job's
matrix: every command it names). Local composite actions (`uses: ./path`) become the step's
children; local reusable workflows (`uses: ./.github/workflows/x.yml`) are inlined into the calling
workflow by `inline_reusable`, with `${{ inputs.* }}` filled from the caller's `with:`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from scanner.facts.ci._narrow import apply, github_condition
from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs, pairs, stamp, truthy
from scanner.facts.ci.model import (
    EXTERNAL,
    MANUAL,
    OTHER,
    PULL_REQUEST,
    PUSH,
    RELEASE,
    SCHEDULE,
    TAG,
    WORKFLOW_CALL,
    WORKFLOW_RUN,
    Job,
    ParseError,
    Pipeline,
    Step,
    Trigger,
)
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "github_actions"
GLOBS = (".github/workflows/*.yml", ".github/workflows/*.yaml")
NESTED_GLOBS = ("**/.github/workflows/*.yml", "**/.github/workflows/*.yaml")
APPROVAL_ACTIONS = ("trstringer/manual-approval", "ekeel/approval-action", "joeyparrish/approval")
_SIMPLE_EVENTS = {
    "workflow_dispatch": MANUAL,
    "issue_comment": MANUAL,
    "repository_dispatch": EXTERNAL,
    "registry_package": EXTERNAL,
    "deployment": EXTERNAL,
    "merge_group": PULL_REQUEST,
    "release": RELEASE,
}


def parse(index: RepoIndex, path: str) -> tuple[Pipeline | None, list[ParseError]]:
    parsed = index.yaml(path)
    if parsed.error:
        return None, [ParseError(path, parsed.error_line, f"invalid YAML: {parsed.error}")]
    if not parsed.docs or not isinstance(parsed.docs[0].data, dict):
        return None, [ParseError(path, 1, "workflow is not a mapping")]
    src = Source(path, parsed.docs[0], index.text(path) or "")
    data: dict[str, Any] = src.data
    if "on" not in data:
        src.error("workflow has no `on:` triggers")
    triggers = stamp(_triggers(src, data.get("on")), path)
    jobs_data = data.get("jobs")
    if not isinstance(jobs_data, dict):
        src.error("workflow has no `jobs:` mapping", "jobs")
        jobs_data = {}
    jobs = [job for jid, cfg in jobs_data.items() if (job := _job(index, src, str(jid), cfg, triggers))]
    name = as_str(data.get("name")) or path.rsplit("/", 1)[-1]
    return Pipeline(path, SYSTEM, name, triggers, tuple(jobs), line=1), src.errors


# triggers ------------------------------------------------------------------------------------
def _triggers(src: Source, on: Any) -> list[Trigger]:
    if isinstance(on, str):
        return _event(src, on, None, src.line("on"))
    if isinstance(on, list):
        return [t for i, e in enumerate(on) for t in _event(src, as_str(e), None, src.line("on", i))]
    return [t for event, cfg in as_map(on).items() for t in _event(src, str(event), cfg, src.line("on", event))]


def _event(src: Source, event: str, cfg: Any, line: int | None) -> list[Trigger]:
    c = as_map(cfg)
    branches = as_strs(c.get("branches"))
    paths = as_strs(c.get("paths")) + tuple(f"!{p}" for p in as_strs(c.get("paths-ignore")))
    types = as_strs(c.get("types"))
    if event == "push":
        tags, ignore = as_strs(c.get("tags")), as_strs(c.get("branches-ignore"))
        out = []
        if branches or ignore or not tags:
            out.append(Trigger(PUSH, branches, (), paths, line=line, event=event, ignore_branches=ignore))
        if tags:
            out.append(Trigger(TAG, (), tags, paths, line=line, event=event))
        return out
    if event in ("pull_request", "pull_request_target"):
        return [
            Trigger(
                PULL_REQUEST,
                branches,
                (),
                paths,
                line=line,
                event=event,
                types=types,
                ignore_branches=as_strs(c.get("branches-ignore")),
            )
        ]
    if event == "schedule":
        return [
            Trigger(
                SCHEDULE,
                detail=as_str(as_map(item).get("cron")),
                line=src.line("on", "schedule", i) or line,
                event=event,
            )
            for i, item in enumerate(as_list(cfg))
        ] or [Trigger(SCHEDULE, line=line, event=event)]
    if event == "workflow_run":
        return [
            Trigger(WORKFLOW_RUN, branches, line=line, event=event, types=types, workflows=as_strs(c.get("workflows")))
        ]
    if event == "workflow_call":
        return [Trigger(OTHER, line=line, event=WORKFLOW_CALL)]
    kind = _SIMPLE_EVENTS.get(event, OTHER)
    return [Trigger(kind, line=line, event=event, types=types)]


# jobs and steps ------------------------------------------------------------------------------
def _job(index: RepoIndex, src: Source, jid: str, cfg: Any, triggers: tuple[Trigger, ...]) -> Job | None:
    if not isinstance(cfg, dict):
        src.error(f"job {jid!r} is not a mapping", "jobs", jid)
        return None
    condition = as_str(cfg.get("if"))
    narrowing = github_condition(condition)
    if narrowing.disabled:
        return None
    job_triggers = None if narrowing.empty else apply(triggers, narrowing)
    env = cfg.get("environment")
    environment = as_str(as_map(env).get("name")) if isinstance(env, dict) else (as_str(env) or None)
    workdir = _workdir(cfg) or _workdir(as_map(src.data))
    base = job_triggers if job_triggers is not None else triggers
    matrix = matrix_values(as_map(cfg.get("strategy")).get("matrix"))
    steps = []
    for i, raw in enumerate(as_list(cfg.get("steps"))):
        keys = ("jobs", jid, "steps", i)
        if not isinstance(raw, dict):
            src.error(f"step {i + 1} of job {jid!r} is not a mapping", *keys)
            continue
        step = _step(src, raw, keys, base, workdir)
        if step is not None:
            step = replace(step, run=expand_matrix(step.run, matrix)) if matrix and step.run else step
            steps.append(_with_composite(index, step))
    uses = _local_workflow(index, as_str(cfg.get("uses")))
    inputs = pairs(cfg.get("with"))
    if uses and not uses.startswith("./") and not steps:
        # A reusable workflow from another repository: unreadable, so the call itself is the step,
        # classified by the workflow's name and the inputs it is given (apply-terraform, deploy, ...).
        steps.append(Step(name=uses, path=src.path, line=src.line("jobs", jid, "uses"), uses=uses, inputs=inputs))
        environment = environment or _input_environment(inputs)
    return Job(
        id=jid,
        name=as_str(cfg.get("name")) or jid,
        line=src.line("jobs", jid),
        path=src.path,
        steps=tuple(steps),
        needs=as_strs(cfg.get("needs")),
        environment=environment or None,
        manual_gate=any(s.uses.lower().startswith(APPROVAL_ACTIONS) for s in steps),
        can_fail=truthy(cfg.get("continue-on-error")),
        services=tuple(str(k) for k in as_map(cfg.get("services"))),
        condition=condition,
        triggers=job_triggers,
        uses=uses,
        inputs=inputs,
    )


_SAME_REPO_WORKFLOW = re.compile(r"^([\w.-]+)/([\w.-]+)/(\.github/workflows/[\w./-]+\.ya?ml)@\S+$")


def _local_workflow(index: RepoIndex, uses: str) -> str:
    """`owner/repo/.github/workflows/x.yml@ref` naming this very repository (and a file it has) is the
    local workflow `./.github/workflows/x.yml`."""
    m = _SAME_REPO_WORKFLOW.match(uses)
    if not m or not index.has(m.group(3)):
        return uses
    owner, repo = m.group(1).lower(), m.group(2).lower()
    here = {index.name.lower(), (index.web_url or "").lower().rstrip("/").rsplit("/", 1)[-1]}
    full = (index.web_url or "").lower().rstrip("/")
    if repo in here or f"{owner}__{repo}" in here or full.endswith(f"/{owner}/{repo}"):
        return f"./{m.group(3)}"
    return uses


def _input_environment(inputs: tuple[tuple[str, str], ...]) -> str:
    value = next((v for k, v in inputs if k.lower() in ("environment", "env", "environment_name")), "")
    return value.strip()


# matrix commands -----------------------------------------------------------------------------
_MATRIX_REF = re.compile(r"\$\{\{\s*matrix\.([\w.-]+)\s*\}\}")


def matrix_values(matrix: Any) -> dict[str, list[str]]:
    """The values each `matrix.<key>` (`matrix.<key>.<sub>` for mapping values) takes, from the axes and
    the `include:` entries; empty for a matrix computed at run time (`${{ fromJson(...) }}`)."""
    out: dict[str, list[str]] = {}

    def add(key: str, value: Any) -> None:
        if isinstance(value, dict):
            for sub, inner in value.items():
                add(f"{key}.{sub}", inner)
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            values = out.setdefault(key, [])
            if str(value) not in values:
                values.append(str(value))

    for axis, values in as_map(matrix).items():
        if axis == "include":
            for entry in as_list(values):
                for key, value in as_map(entry).items():
                    add(str(key), value)
        elif axis != "exclude":
            for value in as_list(values):
                add(str(axis), value)
    return out


def expand_matrix(run: str, values: dict[str, list[str]]) -> str:
    """A step's command with each `${{ matrix.x }}` whose values are commands filled in: a matrix of
    tasks, each with its own command, runs every one of them, so the reference becomes all of them on
    its own line (`; `-separated), keeping every other line of the step where it is in the file."""

    def commands(ref: str) -> str | None:
        found = values.get(ref, ())
        if not any(" " in v or "\n" in v for v in found):
            return None  # labels (versions, OS names) leave the command as it is
        lines = [line.strip() for v in found for line in v.replace("\\\n", " ").splitlines()]
        return " ; ".join(line for line in lines if line)

    def fill(m: re.Match[str]) -> str:
        return commands(m.group(1)) or m.group(0)

    return _MATRIX_REF.sub(fill, run) if "matrix." in run else run


def _workdir(cfg: dict[str, Any]) -> str:
    return as_str(as_map(as_map(cfg.get("defaults")).get("run")).get("working-directory"))


def _step(
    src: Source, raw: dict[str, Any], keys: tuple[str | int, ...], base: tuple[Trigger, ...], workdir: str
) -> Step | None:
    condition = as_str(raw.get("if"))
    narrowing = github_condition(condition)
    if narrowing.disabled:
        return None
    run = as_str(raw.get("run"))
    return Step(
        name=as_str(raw.get("name")) or as_str(raw.get("id")),
        path=src.path,
        line=src.line(*keys),
        run=run,
        uses=as_str(raw.get("uses")),
        can_fail=truthy(raw.get("continue-on-error")),
        run_line=src.value_line(*keys, "run") if run else None,
        inputs=pairs(raw.get("with")),
        condition=condition,
        triggers=None if narrowing.empty else apply(base, narrowing),
        working_directory=as_str(raw.get("working-directory")) or workdir,
    )


def _with_composite(index: RepoIndex, step: Step, depth: int = 0) -> Step:
    """A local composite action's steps become the step's children (two levels at most)."""
    if not step.uses.startswith("./") or depth > 1:
        return step
    folder = step.uses[2:].rstrip("/")
    path = next((p for p in (f"{folder}/action.yml", f"{folder}/action.yaml") if index.has(p)), None)
    parsed = index.yaml(path) if path else None
    if path is None or parsed is None or not parsed.docs:
        return step
    src = Source(path, parsed.docs[0], index.text(path) or "")
    runs = as_map(as_map(src.data).get("runs"))
    if as_str(runs.get("using")) != "composite":
        return step
    # The caller's `with:` (or the action's input defaults) fill `${{ inputs.x }}` in the action's steps.
    values = {str(k): as_str(as_map(v).get("default")) for k, v in as_map(as_map(src.data).get("inputs")).items()}
    values.update(dict(step.inputs))
    children = []
    for i, raw in enumerate(as_list(runs.get("steps"))):
        if isinstance(raw, dict) and (child := _step(src, raw, ("runs", "steps", i), (), step.working_directory)):
            child = replace(
                child,
                run=_fill(child.run, values),
                inputs=tuple((k, _fill(v, values)) for k, v in child.inputs),
                can_fail=child.can_fail or step.can_fail,
                triggers=step.triggers,
            )
            children.append(_with_composite(index, child, depth + 1))
    return replace(step, children=tuple(children))


def _fill(text: str, values: dict[str, str]) -> str:
    return _INPUT_REF.sub(lambda m: values.get(m.group(1), m.group(0)), text) if "${{" in text else text


# reusable workflows --------------------------------------------------------------------------
_INPUT_REF = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


MAX_NESTING = 4  # GitHub allows four levels of nested reusable workflows


def inline_reusable(pipelines: list[Pipeline]) -> list[Pipeline]:
    """Replace jobs that call a local reusable workflow by that workflow's jobs (ids `caller/job`),
    following reusable workflows that call others (up to GitHub's nesting limit)."""
    by_path = {p.path: p for p in pipelines if p.system == SYSTEM}
    callers: dict[str, list[str]] = {}

    def resolve(pipeline: Pipeline, jobs: tuple[Job, ...], triggers: tuple[Trigger, ...], depth: int) -> list[Job]:
        out: list[Job] = []
        for job in jobs:
            callee = by_path.get(job.uses[2:].split("@")[0]) if job.uses.startswith("./") else None
            if callee is None or callee.path == pipeline.path or depth >= MAX_NESTING:
                out.append(job)
                continue
            callers.setdefault(callee.path, []).append(pipeline.path)
            base = job.triggers if job.triggers is not None else triggers
            inner = resolve(callee, callee.jobs, base, depth + 1)
            out.extend(_inline(job, replace(callee, jobs=tuple(inner)), base))
        return out

    out = []
    for pipeline in pipelines:
        if pipeline.system != SYSTEM:
            out.append(pipeline)
            continue
        out.append(replace(pipeline, jobs=tuple(resolve(pipeline, pipeline.jobs, pipeline.triggers, 0))))
    return [replace(p, called_by=tuple(sorted(set(callers.get(p.path, []))))) for p in out]


def _inline(caller: Job, callee: Pipeline, base: tuple[Trigger, ...]) -> list[Job]:
    values = dict(caller.inputs)

    def fill(text: str | None) -> str | None:
        return _INPUT_REF.sub(lambda m: values.get(m.group(1), m.group(0)), text) if text else text

    prefix = f"{caller.id}/"
    inner = []
    for job in callee.jobs:
        needs = tuple(prefix + n for n in job.needs) or caller.needs
        # Conditions are read again against the caller's triggers (the callee only has workflow_call).
        narrowing = github_condition(job.condition)
        triggers = caller.triggers if narrowing.empty else apply(base, narrowing)
        job_base = triggers if triggers is not None else base
        steps = tuple(_retrigger(_fill_step(s, values), job_base) for s in job.steps)
        inputs = tuple((k, _fill(v, values)) for k, v in job.inputs)
        inner.append(
            replace(
                job,
                id=prefix + job.id,
                needs=needs,
                environment=fill(job.environment) or caller.environment,
                inputs=inputs,
                manual_gate=job.manual_gate or caller.manual_gate,
                can_fail=job.can_fail or caller.can_fail,
                triggers=triggers,
                name=f"{caller.name} / {job.name}",
                steps=steps,
            )
        )
    # The caller stays as a stub that waits for the inlined jobs, so jobs needing it keep their order.
    stub = replace(caller, needs=tuple(j.id for j in inner) or caller.needs)
    return [*inner, stub]


def _fill_step(step: Step, values: dict[str, str]) -> Step:
    """`${{ inputs.x }}` in a reusable workflow's steps (and composite children) from the caller's `with:`."""
    if not values:
        return step
    return replace(
        step,
        run=_fill(step.run, values),
        inputs=tuple((k, _fill(v, values)) for k, v in step.inputs),
        children=tuple(_fill_step(c, values) for c in step.children),
    )


def _retrigger(step: Step, base: tuple[Trigger, ...]) -> Step:
    narrowing = github_condition(step.condition)
    triggers = None if narrowing.empty else apply(base, narrowing)
    children = tuple(replace(c, triggers=triggers) for c in step.children)
    return replace(step, triggers=triggers, children=children)


PLUGIN = CISystem(
    name=SYSTEM,
    globs=GLOBS,
    parse=parse,
    lookalikes=NESTED_GLOBS,
    owned=(".github/**",),
    finish=inline_reusable,
)
