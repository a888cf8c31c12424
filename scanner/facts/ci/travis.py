"""Travis CI: `.travis.yml`. The top-level phases (install, before_script, script, after_success) make
one job; `jobs.include` (or `matrix.include`) entries are jobs of their own, in `stage` order, using the
top-level script unless they set one. `deploy:` providers are deploy steps (`on: tags: true` makes them
tag-only; GitHub Pages is documentation). Travis builds pushes and pull requests; `branches.only`
narrows pushes; `cron` jobs are set in the web UI (not visible here)."""

from __future__ import annotations

from typing import Any

from scanner.facts.ci._simple import command_steps, load
from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs, truthy
from scanner.facts.ci.model import PULL_REQUEST, PUSH, TAG, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "travis"
GLOBS = (".travis.yml", ".travis.yaml")
PHASES = ("before_install", "install", "before_script", "script", "after_success", "before_deploy")
_DOCS_PROVIDERS = ("pages", "gh-pages", "github-pages")


def parse(index: RepoIndex, path: str) -> tuple[Pipeline | None, list[ParseError]]:
    src, errors = load(index, path, "Travis config")
    if src is None:
        return None, errors
    data = src.data
    only = as_strs(as_map(data.get("branches")).get("only"))
    triggers = (
        Trigger(PUSH, branches=only, event="push", line=src.line("branches") or 1, path=path),
        Trigger(PULL_REQUEST, event="pull_request", line=1, path=path),
    )
    base = _phase_steps(src, (), data)
    jobs: list[Job] = []
    include = as_list(as_map(data.get("jobs") or data.get("matrix")).get("include"))
    key = "jobs" if "jobs" in data else "matrix"
    stage = ""
    prev_stage_jobs: list[str] = []
    stage_jobs: list[str] = []
    for i, raw in enumerate(include):
        cfg = as_map(raw)
        if as_str(cfg.get("stage")) and as_str(cfg.get("stage")) != stage:
            stage, prev_stage_jobs, stage_jobs = as_str(cfg.get("stage")), prev_stage_jobs + stage_jobs, []
        keys = (key, "include", i)
        steps = _phase_steps(src, keys, cfg) if any(p in cfg for p in PHASES) else list(base)
        steps += _deploy_steps(src, (*keys, "deploy"), cfg.get("deploy"), triggers)
        jid = as_str(cfg.get("name")) or f"{stage or 'job'}-{i + 1}"
        jobs.append(
            Job(
                id=jid,
                name=jid,
                line=src.line(*keys),
                path=path,
                steps=tuple(steps),
                stage=stage,
                needs=tuple(prev_stage_jobs),
            )
        )
        stage_jobs.append(jid)
    if not include:
        steps = base + _deploy_steps(src, ("deploy",), data.get("deploy"), triggers)
        jobs.append(Job(id="build", name="build", line=src.line("script") or 1, path=path, steps=tuple(steps)))
    elif data.get("deploy"):
        deploy = _deploy_steps(src, ("deploy",), data.get("deploy"), triggers)
        jobs.append(
            Job(
                id="deploy",
                name="deploy",
                line=src.line("deploy"),
                path=path,
                steps=tuple(deploy),
                needs=tuple(j.id for j in jobs),
            )
        )
    return Pipeline(path, SYSTEM, path, triggers, tuple(jobs), line=1), errors


def _phase_steps(src: Source, keys: tuple[str | int, ...], cfg: dict[str, Any]) -> list[Step]:
    out: list[Step] = []
    for phase in PHASES:
        out += command_steps(src, (*keys, phase), cfg.get(phase), phase, can_fail=phase == "after_success")
    return out


def _deploy_steps(src: Source, keys: tuple[str | int, ...], value: Any, base: tuple[Trigger, ...]) -> list[Step]:
    out: list[Step] = []
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    for i, raw in enumerate(items):
        cfg = as_map(raw)
        provider = as_str(cfg.get("provider")) or "script"
        k = (*keys, i) if isinstance(value, list) else keys
        on = as_map(cfg.get("on"))
        line = src.line(*k)
        triggers: tuple[Trigger, ...] | None = None
        if truthy(on.get("tags")):
            triggers = (Trigger(TAG, event="tag", line=src.line(*k, "on") or line, path=src.path),)
        elif on.get("branch"):
            triggers = (Trigger(PUSH, branches=as_strs(on.get("branch")), event="push", line=line, path=src.path),)
        uses = "travis/pages" if provider in _DOCS_PROVIDERS else f"travis/deploy-{provider}"
        script = as_str(cfg.get("script"))
        inputs = tuple((str(a), as_str(b)) for a, b in cfg.items() if a not in ("on", "script"))
        out.append(
            Step(
                name=f"deploy {provider}",
                path=src.path,
                line=line,
                uses=uses,
                run=script,
                run_line=src.value_line(*k, "script") if script else None,
                inputs=inputs,
                triggers=triggers,
            )
        )
    return out


PLUGIN = CISystem(name=SYSTEM, globs=GLOBS, parse=parse)
