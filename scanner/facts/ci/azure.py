"""Azure Pipelines: `azure-pipelines*.yml` anywhere, plus YAML under the usual pipeline folders.

Reads stages -> jobs -> steps (or jobs, or steps alone), `deployment` jobs with `environment` and their
strategy steps, script/bash/pwsh/powershell and `task:` steps, `dependsOn` (stages run in order by
default) and conditions. Local `template:` references are inlined with `${{ parameters.* }}` filled in;
files used as templates are not pipelines of their own. Templates from other repos are noted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scanner.facts.ci._azure_templates import (
    Keys,
    items,
    load_template,
    resolve_variables,
    sub,
    template_refs,
    variables_of,
)
from scanner.facts.ci._azure_triggers import triggers as read_triggers
from scanner.facts.ci._narrow import apply, azure_condition
from scanner.facts.ci._util import Source, as_map, as_str, as_strs, pairs, stamp, truthy
from scanner.facts.ci.model import Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "azure_pipelines"
GLOBS = tuple(
    f"**/{folder}{ext}"
    for folder in (
        "azure-pipelines*",
        ".azure-pipelines/**/*",
        "azure-pipelines/**/*",
        ".azuredevops/**/*",
        ".pipelines/**/*",
        ".ado/**/*",
    )
    for ext in (".yml", ".yaml")
)
MANUAL_TASKS = ("manualvalidation@", "manualintervention@")
SCRIPT_KEYS = ("script", "bash", "pwsh", "powershell")
MAX_DEPTH = 5


@dataclass
class _Ctx:
    index: RepoIndex
    variables: dict[str, str]
    errors: list[ParseError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stage_jobs: dict[str, list[str]] = field(default_factory=dict)
    prev_stage: str = ""


def parse(index: RepoIndex, path: str) -> tuple[Pipeline | None, list[ParseError]]:
    parsed = index.yaml(path)
    if parsed.error:
        return None, [ParseError(path, parsed.error_line, f"invalid YAML: {parsed.error}")]
    if not parsed.docs or not isinstance(parsed.docs[0].data, dict):
        return None, [ParseError(path, 1, "pipeline is not a mapping")]
    src = Source(path, parsed.docs[0], index.text(path) or "")
    data: dict[str, Any] = src.data
    ctx = _Ctx(index, variables_of(data))
    triggers = stamp(read_triggers(src, data), path)
    body, body_src, params = data, src, dict[str, str]()
    ext = as_map(data.get("extends"))
    if "template" in ext and (loaded := _template(ctx, src, ext, ("extends",))):
        body_src, body, params = loaded
    jobs = _structure(ctx, body_src, body, params, triggers)
    if not jobs and not any(k in body for k in ("stages", "jobs", "steps")):
        src.error("pipeline has no stages, jobs or steps")
    return Pipeline(path, SYSTEM, path, triggers, tuple(jobs), line=1, includes=tuple(ctx.notes)), [
        *src.errors,
        *ctx.errors,
    ]


def _template(
    ctx: _Ctx, src: Source, item: dict[str, Any], keys: Keys
) -> tuple[Source, dict[str, Any], dict[str, str]] | None:
    return load_template(ctx.index, src, item, keys, ctx.notes, ctx.errors)


def _structure(
    ctx: _Ctx, src: Source, data: dict[str, Any], params: dict[str, str], triggers: tuple[Trigger, ...]
) -> list[Job]:
    if "stages" in data:
        return _stages(ctx, src, data["stages"], ("stages",), params, triggers)
    if "jobs" in data:
        return _jobs(ctx, src, data["jobs"], ("jobs",), params, "", [], triggers, False)
    if "steps" in data:
        steps = _steps(ctx, src, data["steps"], ("steps",), params, triggers)
        return [
            Job(
                "job",
                "job",
                src.line("steps"),
                src.path,
                tuple(steps),
                manual_gate=any(s.uses.lower().startswith(MANUAL_TASKS) for s in steps),
            )
        ]
    return []


def _stages(
    ctx: _Ctx,
    src: Source,
    value: Any,
    keys: Keys,
    params: dict[str, str],
    triggers: tuple[Trigger, ...],
    depth: int = 0,
) -> list[Job]:
    out: list[Job] = []
    for skeys, raw in items(value, keys):
        item = as_map(raw)
        if "template" in item:
            if depth < MAX_DEPTH and (loaded := _template(ctx, src, item, skeys)):
                tsrc, tdata, tparams = loaded
                out += _stages(ctx, tsrc, tdata.get("stages"), ("stages",), tparams, triggers, depth + 1)
            continue
        name = sub(as_str(item.get("stage")), params) or f"stage{len(ctx.stage_jobs) + 1}"
        depends = as_strs(item["dependsOn"]) if "dependsOn" in item else ((ctx.prev_stage,) if ctx.prev_stage else ())
        narrowing = azure_condition(resolve_variables(ctx.variables, sub(as_str(item.get("condition")), params)))
        if narrowing.disabled:
            continue
        upstream = [j for d in depends for j in ctx.stage_jobs.get(d, [])]
        base = apply(triggers, narrowing)
        jobs = _jobs(ctx, src, item.get("jobs"), (*skeys, "jobs"), params, name, upstream, base, not narrowing.empty)
        ctx.stage_jobs[name] = [j.id for j in jobs]
        ctx.prev_stage = name
        out += jobs
    return out


def _jobs(
    ctx: _Ctx,
    src: Source,
    value: Any,
    keys: Keys,
    params: dict[str, str],
    stage: str,
    upstream: list[str],
    base: tuple[Trigger, ...],
    narrowed: bool,
    depth: int = 0,
) -> list[Job]:
    out: list[Job] = []
    for jkeys, raw in items(value, keys):
        item = as_map(raw)
        if "template" in item:
            if depth < MAX_DEPTH and (loaded := _template(ctx, src, item, jkeys)):
                tsrc, tdata, tparams = loaded
                out += _jobs(
                    ctx, tsrc, tdata.get("jobs"), ("jobs",), tparams, stage, upstream, base, narrowed, depth + 1
                )
            continue
        if (job := _job(ctx, src, item, jkeys, params, stage, upstream, base, narrowed)) is not None:
            out.append(job)
    return out


def _job(
    ctx: _Ctx,
    src: Source,
    item: dict[str, Any],
    keys: Keys,
    params: dict[str, str],
    stage: str,
    upstream: list[str],
    base: tuple[Trigger, ...],
    narrowed: bool,
) -> Job | None:
    is_deploy = "deployment" in item
    jid = sub(as_str(item.get("deployment" if is_deploy else "job")), params) or "job"
    narrowing = azure_condition(resolve_variables(ctx.variables, sub(as_str(item.get("condition")), params)))
    if narrowing.disabled:
        return None
    triggers = apply(base, narrowing)
    env = item.get("environment")
    env_name = as_str(as_map(env).get("name")) if isinstance(env, dict) else as_str(env)
    env_name = sub(env_name, params).split(".")[0] if env_name else ""
    steps: list[Step] = []
    if "steps" in item:
        steps = _steps(ctx, src, item["steps"], (*keys, "steps"), params, triggers)
    for skeys, steps_value in _strategy_steps(item, keys):
        steps += _steps(ctx, src, steps_value, skeys, params, triggers)
    prefix = f"{stage}." if stage else ""
    depends = as_strs(item.get("dependsOn"))
    return Job(
        id=prefix + jid,
        name=sub(as_str(item.get("displayName")), params) or jid,
        line=src.line(*keys),
        path=src.path,
        steps=tuple(steps),
        needs=tuple(prefix + d for d in depends) or tuple(upstream),
        environment=env_name or None,
        manual_gate=any(s.uses.lower().startswith(MANUAL_TASKS) for s in steps),
        can_fail=truthy(item.get("continueOnError")),
        services=tuple(str(k) for k in as_map(item.get("services"))),
        condition=as_str(item.get("condition")),
        triggers=triggers if (narrowed or not narrowing.empty) else None,
        stage=stage,
        uses="deployment" if is_deploy else "",
    )


def _strategy_steps(item: dict[str, Any], keys: Keys) -> Iterator[tuple[Keys, Any]]:
    for sname, strategy in as_map(item.get("strategy")).items():
        for hook, cfg in as_map(strategy).items():
            if hook == "on":
                for outcome, ocfg in as_map(cfg).items():
                    if "steps" in as_map(ocfg):
                        yield (*keys, "strategy", sname, "on", outcome, "steps"), ocfg["steps"]
            elif "steps" in as_map(cfg):
                yield (*keys, "strategy", sname, hook, "steps"), cfg["steps"]


def _steps(
    ctx: _Ctx, src: Source, value: Any, keys: Keys, params: dict[str, str], base: tuple[Trigger, ...], depth: int = 0
) -> list[Step]:
    out: list[Step] = []
    for skeys, raw in items(value, keys):
        item = as_map(raw)
        if "template" in item:
            if depth < MAX_DEPTH and (loaded := _template(ctx, src, item, skeys)):
                tsrc, tdata, tparams = loaded
                out += _steps(ctx, tsrc, tdata.get("steps"), ("steps",), tparams, base, depth + 1)
            continue
        condition = sub(as_str(item.get("condition")), params)
        narrowing = azure_condition(resolve_variables(ctx.variables, condition))
        if narrowing.disabled or not item:
            continue
        key = next((k for k in SCRIPT_KEYS if k in item), None)
        uses = as_str(item.get("task")) or next((k for k in ("checkout", "download", "publish") if k in item), "")
        inputs = pairs(item.get("inputs"))
        if uses == "publish":
            inputs = (("path", as_str(item.get("publish"))), ("artifact", as_str(item.get("artifact"))))
        out.append(
            Step(
                name=as_str(item.get("displayName")) or as_str(item.get("name")),
                path=src.path,
                line=src.line(*skeys),
                run=sub(as_str(item.get(key)), params) if key else "",
                uses=uses,
                can_fail=truthy(item.get("continueOnError")),
                run_line=src.value_line(*skeys, key) if key else None,
                inputs=tuple((k, sub(v, params)) for k, v in inputs),
                condition=condition,
                triggers=None if narrowing.empty else apply(base, narrowing),
                working_directory=as_str(item.get("workingDirectory")),
            )
        )
    return out


PLUGIN = CISystem(name=SYSTEM, globs=GLOBS, parse=parse, includes=template_refs)
