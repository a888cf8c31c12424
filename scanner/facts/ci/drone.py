"""Drone (and Woodpecker): `.drone.yml` / `.woodpecker.yml` (or `.woodpecker/*.yml`). One pipeline per
`kind: pipeline` document; steps run in order (or by `depends_on`); a step's `commands` are its script,
its `image` with `settings` a plugin (`appleboy/drone-ssh` with a `script`, `plugins/docker`, ...).
`trigger:`/`when:` events and branches set triggers (`promote` and `custom` are started by hand)."""

from __future__ import annotations

from typing import Any

from scanner.facts.ci._simple import command_steps
from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs, stamp
from scanner.facts.ci.model import (
    MANUAL,
    PULL_REQUEST,
    PUSH,
    RELEASE,
    SCHEDULE,
    TAG,
    Job,
    ParseError,
    Pipeline,
    Step,
    Trigger,
)
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "drone"
GLOBS = (".drone.yml", ".drone.yaml", ".woodpecker.yml", ".woodpecker.yaml", ".woodpecker/*.yml", ".woodpecker/*.yaml")
_EVENTS = {
    "push": PUSH,
    "pull_request": PULL_REQUEST,
    "tag": TAG,
    "promote": MANUAL,
    "deployment": MANUAL,
    "custom": MANUAL,
    "manual": MANUAL,
    "cron": SCHEDULE,
    "release": RELEASE,
}


def parse(index: RepoIndex, path: str) -> tuple[list[Pipeline], list[ParseError]]:
    parsed = index.yaml(path)
    if parsed.error:
        return [], [ParseError(path, parsed.error_line, f"invalid YAML: {parsed.error}")]
    out = []
    for n, doc in enumerate(parsed.docs):
        data = doc.data
        if not isinstance(data, dict) or as_str(data.get("kind") or "pipeline") != "pipeline":
            continue
        src = Source(path, doc, index.text(path) or "")
        triggers = _triggers(as_map(data.get("trigger") or data.get("when")), src.line("trigger") or 1, path)
        steps_raw = data.get("steps") or data.get("pipeline")
        items = list(steps_raw.items()) if isinstance(steps_raw, dict) else list(enumerate(as_list(steps_raw)))
        jobs: list[Job] = []
        for key, raw in items:
            cfg = as_map(raw)
            jid = as_str(cfg.get("name")) or str(key)
            keys: tuple[str | int, ...] = ("steps" if "steps" in data else "pipeline", key)
            when = as_map(cfg.get("when"))
            own = _triggers(when, src.line(*keys, "when"), path) if when.get("event") or when.get("branch") else None
            needs = as_strs(cfg.get("depends_on")) or ((jobs[-1].id,) if jobs else ())
            jobs.append(
                Job(
                    id=jid,
                    name=jid,
                    line=src.line(*keys),
                    path=path,
                    steps=tuple(_steps(src, keys, cfg, jid)),
                    needs=needs,
                    can_fail=bool(cfg.get("failure") == "ignore"),
                    triggers=own,
                )
            )
        name = as_str(data.get("name")) or (path if len(parsed.docs) == 1 else f"{path}#{n + 1}")
        out.append(Pipeline(path, SYSTEM, name, triggers, tuple(jobs), line=doc.line(()) or 1))
    return out, []


def _triggers(cfg: dict[str, Any], line: int | None, path: str) -> tuple[Trigger, ...]:
    events = as_strs(_include(cfg.get("event"))) or ("push", "pull_request", "tag")
    branches = as_strs(_include(cfg.get("branch")))
    out = [Trigger(_EVENTS.get(e, PUSH), branches=branches if e == "push" else (), event=e, line=line) for e in events]
    return stamp(out, path)


def _include(value: Any) -> Any:
    return as_map(value).get("include") if isinstance(value, dict) else value


def _steps(src: Source, keys: tuple[str | int, ...], cfg: dict[str, Any], name: str) -> list[Step]:
    out = command_steps(src, (*keys, "commands"), cfg.get("commands"), name)
    settings = as_map(cfg.get("settings"))
    if settings or not out:
        inputs = tuple((str(k), as_str(v)) for k, v in settings.items())
        out.append(Step(name=name, path=src.path, line=src.line(*keys), uses=as_str(cfg.get("image")), inputs=inputs))
    return out


PLUGIN = CISystem(name=SYSTEM, globs=GLOBS, parse=parse)
