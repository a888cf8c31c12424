"""Azure Pipelines triggers: `trigger`, `pr`, `schedules` and `resources` (pipeline, repository,
container and webhook triggers). Defaults follow Azure: no `trigger:` means CI on every branch, no
`pr:` means PR validation on every branch (for GitHub/Bitbucket repos), `none` disables either."""

from __future__ import annotations

from typing import Any

from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs
from scanner.facts.ci.model import EXTERNAL, PULL_REQUEST, PUSH, SCHEDULE, TAG, WORKFLOW_RUN, Trigger


def triggers(src: Source, data: dict[str, Any]) -> list[Trigger]:
    out = _ci(src, data)
    out += _pr(src, data)
    for i, item in enumerate(as_list(data.get("schedules"))):
        sched = as_map(item)
        out.append(
            Trigger(
                SCHEDULE,
                branches=_include(sched.get("branches")),
                detail=as_str(sched.get("cron")),
                line=src.line("schedules", i),
                event="schedule",
            )
        )
    out += _resources(src, as_map(data.get("resources")))
    return out


def _include(value: Any) -> tuple[str, ...]:
    if isinstance(value, dict):
        return as_strs(value.get("include"))
    return as_strs(value)


def _exclude(value: Any) -> tuple[str, ...]:
    return as_strs(as_map(value).get("exclude"))


def _ci(src: Source, data: dict[str, Any]) -> list[Trigger]:
    line = src.line("trigger")
    if "trigger" not in data:
        return [Trigger(PUSH, line=1, event="trigger", detail="default: every branch")]
    value = data["trigger"]
    if value is None or as_str(value).lower() in ("none", "false"):
        return []
    if isinstance(value, list):
        return [Trigger(PUSH, branches=as_strs(value), line=line, event="trigger")]
    cfg = as_map(value)
    paths = _include(cfg.get("paths"))
    out = []
    branches, ignore = _include(cfg.get("branches")), _exclude(cfg.get("branches"))
    if not any(b in ("*", "'*'") for b in ignore):
        out.append(Trigger(PUSH, branches=branches, paths=paths, line=line, event="trigger", ignore_branches=ignore))
    tags = cfg.get("tags")
    if tags is not None:
        out.append(Trigger(TAG, tags=_include(tags), paths=paths, line=line, event="trigger"))
    return out


def _pr(src: Source, data: dict[str, Any]) -> list[Trigger]:
    if "pr" not in data:
        return [Trigger(PULL_REQUEST, line=1, event="pr", detail="default: every branch")]
    value = data["pr"]
    if value is None or as_str(value).lower() in ("none", "false"):
        return []
    line = src.line("pr")
    if isinstance(value, list):
        return [Trigger(PULL_REQUEST, branches=as_strs(value), line=line, event="pr")]
    cfg = as_map(value)
    return [
        Trigger(
            PULL_REQUEST,
            branches=_include(cfg.get("branches")),
            paths=_include(cfg.get("paths")),
            line=line,
            event="pr",
        )
    ]


def _resources(src: Source, resources: dict[str, Any]) -> list[Trigger]:
    out = []
    for i, item in enumerate(as_list(resources.get("pipelines"))):
        res = as_map(item)
        trig = res.get("trigger")
        if trig is None or as_str(trig).lower() in ("none", "false"):
            continue
        out.append(
            Trigger(
                WORKFLOW_RUN,
                branches=_include(as_map(trig).get("branches")),
                line=src.line("resources", "pipelines", i),
                event="pipeline",
                workflows=(as_str(res.get("source")) or as_str(res.get("pipeline")),),
            )
        )
    for kind in ("repositories", "containers", "packages"):
        for i, item in enumerate(as_list(resources.get(kind))):
            res = as_map(item)
            trig = res.get("trigger")
            if trig is None or as_str(trig).lower() in ("none", "false"):
                continue
            name = as_str(res.get(kind[:-1] if kind != "repositories" else "repository"))
            out.append(
                Trigger(
                    EXTERNAL,
                    line=src.line("resources", kind, i),
                    event=kind[:-1] if kind != "repositories" else "repository",
                    detail=name,
                )
            )
    for i, item in enumerate(as_list(resources.get("webhooks"))):
        out.append(
            Trigger(
                EXTERNAL,
                line=src.line("resources", "webhooks", i),
                event="webhook",
                detail=as_str(as_map(item).get("webhook")),
            )
        )
    return out
