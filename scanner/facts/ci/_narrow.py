"""Narrowing a pipeline's triggers by a job's or step's condition (`if:` / `condition:`).

Only plain conjunctions are understood (`a && b`, `and(a, b)`); anything with an `or` keeps the
triggers unchanged, because a condition we cannot read must not hide a trigger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from scanner.facts.ci.model import (
    EXTERNAL,
    MANUAL,
    PULL_REQUEST,
    PUSH,
    RELEASE,
    SCHEDULE,
    TAG,
    WORKFLOW_CALL,
    WORKFLOW_RUN,
    Trigger,
)


@dataclass(frozen=True)
class Narrowing:
    disabled: bool = False  # `if: false`: never runs
    keep: frozenset[str] | None = None  # only these trigger kinds
    drop: frozenset[str] = frozenset()
    branch: str | None = None  # only pushes to this branch ("$default": the default branch)
    tag_only: bool = False
    merged_pr: bool = False  # `pull_request: closed` + `merged == true`: a merge, i.e. a push

    @property
    def empty(self) -> bool:
        return self == Narrowing()


def apply(triggers: tuple[Trigger, ...], n: Narrowing) -> tuple[Trigger, ...]:
    if n.empty:
        return triggers
    if n.disabled:
        return ()
    out: list[Trigger] = []
    for t in triggers:
        if t.event == WORKFLOW_CALL:
            out.append(t)
            continue
        if n.merged_pr and t.kind == PULL_REQUEST:
            t = replace(t, kind=PUSH, detail="pull request merged")
        if (n.keep is not None and t.kind not in n.keep) or t.kind in n.drop:
            continue
        if n.tag_only:
            if t.kind == PUSH and not t.branches:
                t = replace(t, kind=TAG)
            elif t.kind not in (TAG, RELEASE, MANUAL):
                continue
        if n.branch and t.kind in (PULL_REQUEST, TAG, RELEASE):
            continue
        if n.branch and t.kind == PUSH:
            if t.branches and not _branch_in(n.branch, t):
                continue
            t = replace(t, branches=(n.branch,))
        out.append(t)
    return tuple(out)


def _branch_in(branch: str, trigger: Trigger) -> bool:
    if branch == "$default":
        return trigger.covers_default_branch()
    return any(fnmatchcase(branch, pattern.replace("**", "*")) for pattern in trigger.branches)


# GitHub Actions `if:` -------------------------------------------------------------------------
_GH_EVENTS = {
    "push": {PUSH, TAG},
    "pull_request": {PULL_REQUEST},
    "pull_request_target": {PULL_REQUEST},
    "merge_group": {PULL_REQUEST},
    "schedule": {SCHEDULE},
    "workflow_dispatch": {MANUAL},
    "release": {RELEASE},
    "repository_dispatch": {EXTERNAL},
    "workflow_run": {WORKFLOW_RUN},
}
_Q = r"['\"]"
_GH_EVENT = re.compile(rf"github\.event_name\s*(==|!=)\s*{_Q}(\w+){_Q}|{_Q}(\w+){_Q}\s*(==|!=)\s*github\.event_name")
_GH_REF = re.compile(
    rf"github\.ref\s*==\s*{_Q}refs/heads/([^'\"]+){_Q}|{_Q}refs/heads/([^'\"]+){_Q}\s*==\s*github\.ref\b"
    rf"|github\.ref_name\s*==\s*{_Q}([^'\"]+){_Q}"
)
_GH_DEFAULT = re.compile(
    r"github\.(ref|ref_name)\s*==\s*(format\(\s*'refs/heads/\{0\}'\s*,\s*)?"
    r"github\.event\.repository\.default_branch"
)
_GH_TAG = re.compile(
    rf"startsWith\(\s*github\.ref\s*,\s*{_Q}refs/tags|github\.ref_type\s*==\s*{_Q}tag{_Q}"
    rf"|contains\(\s*github\.ref\s*,\s*{_Q}refs/tags"
)
_GH_MERGED = re.compile(r"(?<![!\w.])github\.event\.pull_request\.merged(\s*==\s*true)?(?!\s*==\s*false)")
_FALSE = re.compile(r"^\s*(\$\{\{\s*)?false(\s*\}\})?\s*$", re.IGNORECASE)


def github_condition(expr: str) -> Narrowing:
    if not expr:
        return Narrowing()
    if _FALSE.match(expr):
        return Narrowing(disabled=True)
    if "||" in expr:
        return Narrowing()
    keep: set[str] | None = None
    drop: set[str] = set()
    for m in _GH_EVENT.finditer(expr):
        op, event = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        kinds = _GH_EVENTS.get(event, set())
        if op == "==":
            keep = set(kinds) if keep is None else keep & kinds
        else:
            drop |= kinds
    branch = None
    ref = _GH_REF.search(expr)
    if _GH_DEFAULT.search(expr):
        branch = "$default"
    elif ref:
        branch = ref.group(1) or ref.group(2) or ref.group(3)
    return Narrowing(
        keep=frozenset(keep) if keep is not None else None,
        drop=frozenset(drop),
        branch=branch,
        tag_only=bool(_GH_TAG.search(expr)),
        merged_pr=bool(_GH_MERGED.search(expr)),
    )


# Azure Pipelines `condition:` ------------------------------------------------------------------
_AZ_REASONS = {
    "manual": MANUAL,
    "schedule": SCHEDULE,
    "pullrequest": PULL_REQUEST,
    "individualci": PUSH,
    "batchedci": PUSH,
    "resourcetrigger": WORKFLOW_RUN,
}
_AZ_VAR = r"variables(?:\[\s*'{name}'\s*\]|\.{name})"
_AZ_REASON = re.compile(rf"\b(eq|ne)\(\s*{_AZ_VAR.format(name='build.reason')}\s*,\s*'(\w+)'\s*\)", re.IGNORECASE)
_AZ_BRANCH = re.compile(
    rf"\beq\(\s*{_AZ_VAR.format(name='build.sourcebranch')}\s*,\s*'refs/heads/([^']+)'\s*\)"
    rf"|\beq\(\s*{_AZ_VAR.format(name='build.sourcebranchname')}\s*,\s*'([^']+)'\s*\)",
    re.IGNORECASE,
)
_AZ_TAG = re.compile(rf"startsWith\(\s*{_AZ_VAR.format(name='build.sourcebranch')}\s*,\s*'refs/tags", re.IGNORECASE)


def azure_condition(expr: str) -> Narrowing:
    if not expr:
        return Narrowing()
    if _FALSE.match(expr):
        return Narrowing(disabled=True)
    if re.search(r"\bor\(|\bnot\(", expr, re.IGNORECASE):
        return Narrowing()
    keep: set[str] | None = None
    drop: set[str] = set()
    for m in _AZ_REASON.finditer(expr):
        kind = _AZ_REASONS.get(m.group(2).lower())
        if kind is None:
            continue
        if m.group(1).lower() == "eq":
            keep = {kind} if keep is None else keep & {kind}
        else:
            drop.add(kind)
    bm = _AZ_BRANCH.search(expr)
    return Narrowing(
        keep=frozenset(keep) if keep is not None else None,
        drop=frozenset(drop),
        branch=(bm.group(1) or bm.group(2)) if bm else None,
        tag_only=bool(_AZ_TAG.search(expr)),
    )
