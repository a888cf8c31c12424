"""GitLab `rules:` / `only:` / `except:` read as triggers.

Each rule's `if:` is split on `||`; an alternative becomes a trigger from the predefined variables it
tests ($CI_PIPELINE_SOURCE, $CI_COMMIT_BRANCH/REF_NAME, $CI_COMMIT_TAG, $CI_MERGE_REQUEST_IID).
A condition on other variables keeps the inherited triggers (we cannot tell which events set them).
`when: never` rules are skipped; `when: manual` rules give gated triggers.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs, stamp
from scanner.facts.ci.model import (
    EXTERNAL,
    MANUAL,
    PULL_REQUEST,
    PUSH,
    SCHEDULE,
    TAG,
    Trigger,
)

SOURCES = {
    "push": PUSH,
    "merge_request_event": PULL_REQUEST,
    "external_pull_request_event": PULL_REQUEST,
    "schedule": SCHEDULE,
    "web": MANUAL,
    "chat": MANUAL,
    "webide": MANUAL,
    "api": EXTERNAL,
    "trigger": EXTERNAL,
    "pipeline": EXTERNAL,
    "parent_pipeline": EXTERNAL,
}
REF_KEYWORDS = {
    "branches": PUSH,
    "pushes": PUSH,
    "tags": TAG,
    "merge_requests": PULL_REQUEST,
    "external_pull_requests": PULL_REQUEST,
    "schedules": SCHEDULE,
    "web": MANUAL,
    "chat": MANUAL,
    "api": EXTERNAL,
    "triggers": EXTERNAL,
    "pipelines": EXTERNAL,
    "external": EXTERNAL,
}
_SOURCE = re.compile(r"\$CI_PIPELINE_SOURCE\s*==\s*[\"'](\w+)[\"']")
_BRANCH = re.compile(
    r"\$CI_COMMIT_(?:BRANCH|REF_NAME)\s*==\s*(\$CI_DEFAULT_BRANCH|[\"']([^\"']+)[\"'])"
    r"|\$CI_DEFAULT_BRANCH\s*==\s*\$CI_COMMIT_(?:BRANCH|REF_NAME)"
)
_BRANCH_RE = re.compile(r"\$CI_COMMIT_(?:BRANCH|REF_NAME)\s*=~\s*(/[^/]+/)")
_TAG = re.compile(r"\$CI_COMMIT_TAG\b(?!\s*==\s*(?:null|\"\"|''))(\s*=~\s*(/[^/]+/))?")
_MR = re.compile(r"\$CI_MERGE_REQUEST_I?ID\b(?!\s*==\s*null)")
_ANY_BRANCH = re.compile(r"\$CI_COMMIT_BRANCH\b(?!\s*[=!]=)")


def rule_triggers(src: Source, keys: tuple[str, ...], rules: list[Any], inherit: tuple[Trigger, ...]) -> list[Trigger]:
    out: list[Trigger] = []
    for i, raw in enumerate(rules):
        rule = as_map(raw)
        when = as_str(rule.get("when"))
        if when == "never":
            continue
        line = src.line(*keys, i)
        paths = _changes(rule.get("changes"))
        gated = when == "manual"
        cond = as_str(rule.get("if"))
        found = _from_if(cond, line) if cond else []
        if not found:  # no `if`, or one on variables we cannot map to events
            found = [replace(t, line=line, detail=cond or t.detail) for t in inherit]
        for t in found:
            t = replace(t, paths=paths or t.paths, gated=gated or t.gated)
            if t not in out:
                out.append(t)
    return out


def _from_if(cond: str, line: int | None) -> list[Trigger]:
    out = []
    for alt in cond.split("||"):
        source = _SOURCE.search(alt)
        branch = _BRANCH.search(alt)
        branch_name = ("$default" if not branch.group(2) else branch.group(2)) if branch else None
        if branch_name is None and (m := _BRANCH_RE.search(alt)):
            branch_name = m.group(1)
        tag = _TAG.search(alt)
        kind = SOURCES.get(source.group(1)) if source else None
        if tag and "!=" not in alt[max(0, tag.start() - 2) : tag.start()]:
            out.append(
                Trigger(TAG, tags=(tag.group(2),) if tag.group(2) else (), line=line, event="tag", detail=alt.strip())
            )
        elif kind is not None:
            branches = (branch_name,) if branch_name and kind == PUSH else ()
            out.append(
                Trigger(kind, branches=branches, line=line, event=source.group(1) if source else "", detail=alt.strip())
            )
        elif _MR.search(alt):
            out.append(Trigger(PULL_REQUEST, line=line, event="merge_request_event", detail=alt.strip()))
        elif branch_name or _ANY_BRANCH.search(alt):
            out.append(
                Trigger(
                    PUSH, branches=(branch_name,) if branch_name else (), line=line, event="push", detail=alt.strip()
                )
            )
    return out


def _changes(value: Any) -> tuple[str, ...]:
    if isinstance(value, dict):
        return as_strs(value.get("paths"))
    return as_strs(value)


def job_triggers(
    src: Source, keys: tuple[str, ...], cfg: dict[str, Any], inherit: tuple[Trigger, ...]
) -> tuple[Trigger, ...] | None:
    """The job's own triggers from `rules` or `only`/`except`; None when it has neither."""
    if "rules" in cfg:
        return stamp(rule_triggers(src, (*keys, "rules"), as_list(cfg.get("rules")), inherit), src.path)
    if "only" not in cfg and "except" not in cfg:
        return None
    line = src.line(*keys, "only") or src.line(*keys, "except")
    only = cfg.get("only")
    refs = as_strs(as_map(only).get("refs")) if isinstance(only, dict) else as_strs(only)
    paths = as_strs(as_map(only).get("changes")) if isinstance(only, dict) else ()
    triggers = [_ref_trigger(ref, line) for ref in refs] if refs else [replace(t, line=line) for t in inherit]
    exc = cfg.get("except")
    for ref in as_strs(as_map(exc).get("refs")) if isinstance(exc, dict) else as_strs(exc):
        triggers = _except(triggers, ref)
    return stamp((replace(t, paths=paths or t.paths, path="") for t in triggers), src.path)


def _ref_trigger(ref: str, line: int | None) -> Trigger:
    kind = REF_KEYWORDS.get(ref)
    if kind is not None:
        return Trigger(kind, line=line, event=ref)
    return Trigger(PUSH, branches=(ref,), line=line, event="push")


def _except(triggers: list[Trigger], ref: str) -> list[Trigger]:
    kind = REF_KEYWORDS.get(ref)
    if kind is not None:
        return [t for t in triggers if t.kind != kind]
    out = []
    for t in triggers:
        if t.kind == PUSH and not t.branches:
            t = replace(t, ignore_branches=(*t.ignore_branches, ref))
        elif t.kind == PUSH:
            t = replace(t, branches=tuple(b for b in t.branches if b != ref))
            if not t.branches:
                continue
        out.append(t)
    return out
