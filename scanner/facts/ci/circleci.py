"""CircleCI: `.circleci/config.yml`. One pipeline per workflow.

A workflow's jobs come from `jobs:` (steps: checkout, run, reusable commands expanded one level, orb
commands kept as `uses`) or from orbs (`aws-ecr/build-and-push-image`: one step using the orb job).
`type: approval` entries are manual gates; `requires` are needs; branch/tag `filters` are per-job
triggers (CircleCI runs no job on a tag unless its filters name tags); `triggers: schedule` and
`when:` on `pipeline.trigger_source` set the workflow's triggers.
"""

from __future__ import annotations

from typing import Any

from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs, pairs, stamp
from scanner.facts.ci.model import EXTERNAL, MANUAL, PUSH, SCHEDULE, TAG, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "circleci"
GLOBS = (".circleci/config.yml", ".circleci/config.yaml")
Keys = tuple[str | int, ...]


def parse(index: RepoIndex, path: str) -> tuple[list[Pipeline], list[ParseError]]:
    parsed = index.yaml(path)
    if parsed.error:
        return [], [ParseError(path, parsed.error_line, f"invalid YAML: {parsed.error}")]
    if not parsed.docs or not isinstance(parsed.docs[0].data, dict):
        return [], [ParseError(path, 1, "CircleCI config is not a mapping")]
    src = Source(path, parsed.docs[0], index.text(path) or "")
    data: dict[str, Any] = src.data
    workflows = {k: v for k, v in as_map(data.get("workflows")).items() if k != "version"}
    if not workflows and "build" in as_map(data.get("jobs")):
        workflows = {"build": {"jobs": ["build"]}}  # version 2.0: the `build` job runs on every push
    pipelines = [_workflow(src, data, str(name), as_map(cfg)) for name, cfg in workflows.items()]
    if not pipelines:
        src.error("config has no workflows")
    return pipelines, src.errors


def _workflow(src: Source, data: dict[str, Any], name: str, cfg: dict[str, Any]) -> Pipeline:
    triggers = stamp(_triggers(src, name, cfg), src.path)
    definitions = as_map(data.get("jobs"))
    commands = as_map(data.get("commands"))
    jobs = []
    for i, entry in enumerate(as_list(cfg.get("jobs"))):
        ref, params = (entry, {}) if isinstance(entry, str) else next(iter(as_map(entry).items()), ("", {}))
        params = as_map(params)
        line = src.line("workflows", name, "jobs", i)
        definition = definitions.get(ref)
        approval = as_str(params.get("type")) == "approval"
        if approval:
            steps: tuple[Step, ...] = ()
        elif isinstance(definition, dict):
            steps = tuple(_steps(src, ("jobs", ref, "steps"), definition.get("steps"), commands))
        else:  # an orb job, e.g. aws-ecr/build-and-push-image
            inputs = pairs({k: v for k, v in params.items() if k not in ("requires", "filters", "context", "name")})
            steps = (Step(name=str(ref), path=src.path, line=line, uses=str(ref), inputs=inputs),)
        images = [as_str(as_map(d).get("image")) for d in as_list(as_map(definition).get("docker"))]
        jobs.append(
            Job(
                id=as_str(params.get("name")) or str(ref),
                name=as_str(params.get("name")) or str(ref),
                line=line,
                path=src.path,
                steps=steps,
                needs=as_strs(params.get("requires")),
                manual_gate=approval,
                services=tuple(images[1:]),
                triggers=_filters(triggers, as_map(params.get("filters")), line, src.path),
                uses=str(ref) if definition is None and not approval else "",
                inputs=tuple(("context", c) for c in as_strs(params.get("context"))),
            )
        )
    return Pipeline(src.path, SYSTEM, name, triggers, tuple(jobs), line=src.line("workflows", name))


def _triggers(src: Source, name: str, cfg: dict[str, Any]) -> tuple[Trigger, ...]:
    out = []
    for i, item in enumerate(as_list(cfg.get("triggers"))):
        sched = as_map(as_map(item).get("schedule"))
        if sched:
            branches = as_strs(as_map(as_map(sched.get("filters")).get("branches")).get("only"))
            out.append(
                Trigger(
                    SCHEDULE,
                    branches=branches,
                    detail=as_str(sched.get("cron")),
                    line=src.line("workflows", name, "triggers", i),
                    event="schedule",
                )
            )
    if out:
        return tuple(out)
    when = as_str(cfg.get("when"))
    line = src.line("workflows", name, "when") or src.line("workflows", name)
    if "scheduled_pipeline" in when or "pipeline.schedule" in when:
        return (Trigger(SCHEDULE, line=line, event="scheduled_pipeline", detail=when),)
    if "webapp" in when:
        return (Trigger(MANUAL, line=line, event="webapp", detail=when),)
    if "trigger_source" in when and "api" in when:
        return (Trigger(EXTERNAL, line=line, event="api", detail=when),)
    return (Trigger(PUSH, line=line, event="push"),)


def _filters(
    base: tuple[Trigger, ...], filters: dict[str, Any], line: int | None, path: str
) -> tuple[Trigger, ...] | None:
    if not filters:
        return None
    branches = as_map(filters.get("branches"))
    only, ignore = as_strs(branches.get("only")), as_strs(branches.get("ignore"))
    out = []
    for t in base:
        if t.kind != PUSH:
            out.append(t)
        elif not any(p in ("/.*/", "/.+/") for p in ignore):
            out.append(Trigger(PUSH, branches=only, ignore_branches=ignore, line=line, event="push"))
    tags = as_map(filters.get("tags"))
    if "only" in tags:
        out.append(Trigger(TAG, tags=as_strs(tags.get("only")), line=line, event="tag"))
    return stamp(out, path)


def _steps(src: Source, keys: Keys, value: Any, commands: dict[str, Any], depth: int = 0) -> list[Step]:
    out: list[Step] = []
    for i, item in enumerate(as_list(value)):
        skeys = (*keys, i)
        line = src.line(*skeys)
        if isinstance(item, str):
            out.append(_command(src, skeys, item, {}, commands, depth))
            continue
        name, params = next(iter(as_map(item).items()), ("", None))
        if name == "run":
            cfg = as_map(params)
            run = as_str(params) if isinstance(params, str) else as_str(cfg.get("command"))
            run_keys = (*skeys, "run") if isinstance(params, str) else (*skeys, "run", "command")
            out.append(
                Step(
                    name=as_str(cfg.get("name")),
                    path=src.path,
                    line=line,
                    run=run,
                    run_line=src.value_line(*run_keys),
                    working_directory=as_str(cfg.get("working_directory")),
                )
            )
        elif name in ("when", "unless"):
            out += _steps(src, (*skeys, name, "steps"), as_map(params).get("steps"), commands, depth)
        elif name:
            out.append(_command(src, skeys, str(name), as_map(params), commands, depth))
    return out


def _command(src: Source, keys: Keys, name: str, params: dict[str, Any], commands: dict[str, Any], depth: int) -> Step:
    step = Step(name=name, path=src.path, line=src.line(*keys), uses=name, inputs=pairs(params))
    definition = commands.get(name)
    if isinstance(definition, dict) and depth < 2:
        children = _steps(src, ("commands", name, "steps"), definition.get("steps"), commands, depth + 1)
        return Step(
            name=name,
            path=src.path,
            line=step.line,
            uses=f"command:{name}",
            inputs=step.inputs,
            children=tuple(children),
        )
    return step


PLUGIN = CISystem(name=SYSTEM, globs=GLOBS, parse=parse, owned=(".circleci/**",))
