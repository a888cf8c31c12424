"""Buildkite: `.buildkite/pipeline*.yml` (or `buildkite.yml`). Each command step is a job; a `wait`
makes later steps need the earlier ones, a `block`/`input` step is a manual gate for every step after
it, `depends_on` adds needs, `branches:` narrows the push trigger. Builds start on push (pull request
builds are a pipeline setting outside the file)."""

from __future__ import annotations

from typing import Any

from scanner.facts.ci._simple import command_steps, load
from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs
from scanner.facts.ci.model import PUSH, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "buildkite"
GLOBS = tuple(f"{d}{n}.{e}" for d in (".buildkite/", "") for n in ("pipeline*", "buildkite") for e in ("yml", "yaml"))


def parse(index: RepoIndex, path: str) -> tuple[Pipeline | None, list[ParseError]]:
    src, errors = load(index, path, "Buildkite pipeline")
    if src is None:
        return None, errors
    push = Trigger(PUSH, event="push", line=1, path=path)
    jobs: list[Job] = []
    before: list[str] = []  # steps before the last wait
    current: list[str] = []
    gated = False
    for i, raw in enumerate(as_list(src.data.get("steps"))):
        if raw == "wait" or (isinstance(raw, dict) and "wait" in raw):
            before, current = before + current, []
            continue
        cfg = as_map(raw)
        if "block" in cfg or "input" in cfg or raw in ("block", "input"):
            gated = True
            before, current = before + current, []
            continue
        jobs.append(_job(src, i, cfg, push, tuple(before), gated))
        current.append(jobs[-1].id)
    return Pipeline(path, SYSTEM, as_str(src.data.get("name")) or path, (push,), tuple(jobs), line=1), errors


def _job(src: Source, i: int, cfg: dict[str, Any], push: Trigger, before: tuple[str, ...], gated: bool) -> Job:
    jid = as_str(cfg.get("key") or cfg.get("id")) or f"step-{i + 1}"
    keys = ("steps", i)
    name = as_str(cfg.get("label") or cfg.get("name")) or jid
    steps: list[Step] = []
    for key in ("command", "commands"):
        steps += command_steps(src, (*keys, key), cfg.get(key), name)
    for j, plugin in enumerate(as_list(cfg.get("plugins"))):
        for ref, params in as_map(plugin).items() if isinstance(plugin, dict) else [(as_str(plugin), {})]:
            inputs = tuple((str(k), as_str(v)) for k, v in as_map(params).items())
            steps.append(
                Step(name=str(ref), path=src.path, line=src.line(*keys, "plugins", j), uses=str(ref), inputs=inputs)
            )
    if cfg.get("trigger"):
        steps.append(
            Step(name=name, path=src.path, line=src.line(*keys), uses=f"buildkite/trigger:{as_str(cfg['trigger'])}")
        )
    branches = tuple(b for b in as_str(cfg.get("branches")).split() if not b.startswith("!"))
    triggers = (
        (Trigger(PUSH, branches=branches, event="push", line=src.line(*keys), path=src.path),) if branches else None
    )
    soft = cfg.get("soft_fail")
    return Job(
        id=jid,
        name=name,
        line=src.line(*keys),
        path=src.path,
        steps=tuple(steps),
        needs=(*before, *as_strs(cfg.get("depends_on"))),
        manual_gate=gated,
        can_fail=bool(soft) and soft is not False,
        triggers=triggers,
    )


PLUGIN = CISystem(name=SYSTEM, globs=GLOBS, parse=parse, owned=(".buildkite/**",))
