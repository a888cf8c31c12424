"""Bitbucket Pipelines: `bitbucket-pipelines.yml`. One pipeline per start condition: `default` (a push
to any branch without a more specific entry), `branches.<glob>` (push), `pull-requests.<glob>`,
`tags.<glob>`, `custom.<name>` (started by hand or by a schedule set in the UI). Steps (also inside
`parallel` and `stage`) are jobs in order; `trigger: manual` gates a step and every step after it;
`deployment:` is its environment; `pipe:` entries are actions with their `variables`."""

from __future__ import annotations

from typing import Any

from scanner.facts.ci._simple import load
from scanner.facts.ci._util import Source, as_list, as_map, as_str
from scanner.facts.ci.commands import in_one_shell
from scanner.facts.ci.model import MANUAL, PULL_REQUEST, PUSH, TAG, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "bitbucket"
GLOBS = ("bitbucket-pipelines.yml", "bitbucket-pipelines.yaml")
Keys = tuple[str | int, ...]


def parse(index: RepoIndex, path: str) -> tuple[list[Pipeline], list[ParseError]]:
    src, errors = load(index, path, "Bitbucket Pipelines config")
    if src is None:
        return [], errors
    sections = as_map(src.data.get("pipelines"))
    out = []
    for section, value in sections.items():
        if section == "default":
            entries: list[tuple[str, Any, Keys]] = [("", value, ("pipelines", "default"))]
        else:
            entries = [(str(k), v, ("pipelines", section, k)) for k, v in as_map(value).items()]
        for pattern, items, keys in entries:
            trigger = _trigger(section, pattern, src.line(*keys), path)
            jobs = _jobs(src, keys, items)
            name = f"{section}:{pattern}" if pattern else section
            out.append(Pipeline(path, SYSTEM, name, (trigger,), tuple(jobs), line=src.line(*keys)))
    return out, errors


def _trigger(section: str, pattern: str, line: int | None, path: str) -> Trigger:
    if section == "branches":
        return Trigger(PUSH, branches=(pattern,), event="push", line=line, path=path)
    if section == "pull-requests":
        return Trigger(PULL_REQUEST, event="pull_request", line=line, path=path)
    if section == "tags":
        return Trigger(TAG, tags=(pattern,), event="tag", line=line, path=path)
    if section == "custom":
        return Trigger(MANUAL, event="custom", detail=pattern, line=line, path=path)
    return Trigger(PUSH, event="push", line=line, path=path)


def _jobs(src: Source, keys: Keys, items: Any) -> list[Job]:
    jobs: list[Job] = []
    previous: tuple[str, ...] = ()
    gated = False
    for i, raw in enumerate(as_list(items)):
        cfg = as_map(raw)
        group: list[tuple[dict[str, Any], Keys]] = []
        if "step" in cfg:
            group = [(as_map(cfg["step"]), (*keys, i, "step"))]
        elif "parallel" in cfg:
            par = cfg["parallel"]
            par_items = as_list(as_map(par).get("steps")) if isinstance(par, dict) else as_list(par)
            base = (*keys, i, "parallel", "steps") if isinstance(par, dict) else (*keys, i, "parallel")
            group = [(as_map(as_map(p).get("step")), (*base, j, "step")) for j, p in enumerate(par_items)]
        elif "stage" in cfg:
            stage = as_map(cfg["stage"])
            gated = gated or as_str(stage.get("trigger")) == "manual"
            group = [
                (
                    {**as_map(as_map(p).get("step")), "deployment": stage.get("deployment")},
                    (*keys, i, "stage", "steps", j, "step"),
                )
                for j, p in enumerate(as_list(stage.get("steps")))
            ]
        current = []
        for step_cfg, skeys in group:
            gated = gated or as_str(step_cfg.get("trigger")) == "manual"
            jid = f"{as_str(step_cfg.get('name')) or 'step'}#{len(jobs) + 1}"
            jobs.append(
                Job(
                    id=jid,
                    name=as_str(step_cfg.get("name")) or jid,
                    line=src.line(*skeys),
                    path=src.path,
                    steps=tuple(_steps(src, skeys, step_cfg)),
                    needs=previous,
                    environment=as_str(step_cfg.get("deployment")) or None,
                    manual_gate=gated,
                )
            )
            current.append(jid)
        previous = tuple(current) or previous
    return jobs


def _steps(src: Source, keys: Keys, cfg: dict[str, Any]) -> list[Step]:
    out: list[Step] = []
    for phase in ("script", "after-script"):
        steps: list[Step] = []
        for j, item in enumerate(as_list(cfg.get(phase))):
            line = src.line(*keys, phase, j)
            if isinstance(item, dict) and "pipe" in item:
                inputs = tuple((str(k), as_str(v)) for k, v in as_map(item.get("variables")).items())
                steps.append(
                    Step(name=as_str(item["pipe"]), path=src.path, line=line, uses=as_str(item["pipe"]), inputs=inputs)
                )
            elif not isinstance(item, dict) and as_str(item).strip():
                steps.append(
                    Step(
                        name=phase,
                        path=src.path,
                        line=line,
                        run=as_str(item),
                        run_line=src.value_line(*keys, phase, j),
                        can_fail=phase == "after-script",
                    )
                )
        out += in_one_shell(steps)
    return out


PLUGIN = CISystem(name=SYSTEM, globs=GLOBS, parse=parse)
