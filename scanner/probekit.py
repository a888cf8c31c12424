"""Helpers for writing probes: declare a probe, and build its findings.

A probe is a function `f(views) -> Iterable[Finding]` decorated with `@probe(...)`. It must return at
least one finding for every signal it declares; the runner fills in the probe id.

A view, or a section of one, that could not be read is an `Unreadable` value (scanner/facts/sections.py);
`need(views, signals, source, *sections)` turns it into not_available findings for the signals that depend
on it (never false), and returns [] when everything was read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from scanner.facts.sections import Sectioned, Unreadable, first_unreadable
from scanner.model import MAX_LOCATIONS, Finding, Location, Outcome
from scanner.probedef import ProbeFunc, ProbeSpec
from scanner.views import Views

SPEC_ATTR = "__probe_spec__"


def probe(
    probe_id: str,
    *,
    summary: str,
    emits: Iterable[str] | None = None,
    needs: Iterable[str] = ("repo",),
    remediation: str = "",
    evidence: Iterable[str] = (),
    lifecycle: str = "stable",
    replaced_by: str = "",
    aliases: Mapping[str, str] | Iterable[str] = (),
) -> Callable[[ProbeFunc], ProbeFunc]:
    """Declare a probe and its definition (checked by the registry at load, see scanner/probedef.py).

    `emits` defaults to the probe id itself (one question, one signal). `remediation` says what a team
    does to make the signal true; `evidence` names the kinds of thing its findings cite (EVIDENCE_KINDS).
    `aliases` maps earlier signal ids to current ones; a plain list of old ids is allowed when the probe
    emits one signal."""

    def wrap(func: ProbeFunc) -> ProbeFunc:
        signals = tuple(emits) if emits is not None else (probe_id,)
        spec = ProbeSpec(
            id=probe_id,
            summary=summary,
            emits=signals,
            needs=frozenset(needs),
            func=func,
            remediation=remediation,
            evidence=tuple(evidence),
            lifecycle=lifecycle,
            replaced_by=replaced_by,
            aliases=_alias_map(aliases, signals),
            file=defining_file(func),
        )
        setattr(func, SPEC_ATTR, spec)
        return func

    return wrap


def _alias_map(aliases: Mapping[str, str] | Iterable[str], signals: tuple[str, ...]) -> dict[str, str]:
    if isinstance(aliases, Mapping):
        return dict(aliases)
    old = [aliases] if isinstance(aliases, str) else list(aliases)
    # a list names earlier ids of the one signal; with several signals the registry reports the ambiguity
    return {alias: signals[0] if len(signals) == 1 else "" for alias in old}


def defining_file(func: Callable[..., Any]) -> str:
    """The module file that defines `func`, relative to the folder holding its top-level package
    (`probes/repo/files.py`, or `acme_probes/checks.py` for an installed plugin)."""
    module = sys.modules.get(getattr(func, "__module__", "") or "")
    filename = getattr(module, "__file__", None) or getattr(getattr(func, "__code__", None), "co_filename", "")
    if not filename:
        return ""
    path = Path(filename).resolve()
    depth = len(module.__name__.split(".")) if module is not None and module.__name__ != "__main__" else 1
    if path.name == "__init__.py":
        depth += 1
    root = path.parents[depth - 1] if depth - 1 < len(path.parents) else path.parent
    return path.relative_to(root).as_posix()


def _where_looked(views: Views) -> tuple[Location, ...]:
    repo = views.repo
    if repo is None:
        return ()
    return (repo.location(".", None),)


def hit(
    views: Views,
    signal: str,
    locations: Iterable[Location],
    message: str,
    *,
    confidence: str = "medium",
    values: Mapping[str, Any] | None = None,
    key: str = "",
    keep_order: bool = False,
) -> Finding:
    """A `true` finding. Locations are de-duplicated and capped; the full count goes in values.
    They are sorted by place unless `keep_order` (for an already meaningful order, e.g. newest first)."""
    locs = list(dict.fromkeys(locations))
    if not keep_order:
        locs.sort(key=_loc_key)
    vals = dict(values or {})
    vals.setdefault("count", len(locs) or 1)
    return Finding(
        probe="",
        signal=signal,
        subject=views.subject,
        outcome=Outcome.TRUE,
        confidence=confidence,
        message=message,
        locations=tuple(locs[:MAX_LOCATIONS]),
        values=vals,
        key=key,
    )


def miss(
    views: Views,
    signal: str,
    message: str,
    *,
    values: Mapping[str, Any] | None = None,
    key: str = "",
    locations: Iterable[Location] | None = None,
    confidence: str = "medium",
) -> Finding:
    """A `false` finding. By default it cites where the probe looked (the repo root at its commit)."""
    return Finding(
        probe="",
        signal=signal,
        subject=views.subject,
        outcome=Outcome.FALSE,
        confidence=confidence,
        message=message,
        locations=tuple(locations) if locations is not None else _where_looked(views),
        values=dict(values or {}),
        key=key,
    )


def not_applicable(
    views: Views, signal: str, message: str, *, values: Mapping[str, Any] | None = None, key: str = ""
) -> Finding:
    """The question does not apply to this subject (e.g. "is the DS role isolated?" with no DS)."""
    return Finding(
        probe="",
        signal=signal,
        subject=views.subject,
        outcome=Outcome.NOT_APPLICABLE,
        confidence="medium",
        message=message,
        values=dict(values or {}),
        key=key,
    )


def unavailable(views: Views, signal: str, message: str, *, key: str = "") -> Finding:
    return Finding(
        probe="",
        signal=signal,
        subject=views.subject,
        outcome=Outcome.NOT_AVAILABLE,
        confidence="low",
        message=message,
        key=key,
    )


def blind(views: Views, signals: Iterable[str], gap: Unreadable) -> list[Finding]:
    """One finding per signal for a section that could not be read: not_available with the reason, or
    error when the read failed."""
    outcome = Outcome.ERROR if gap.failed else Outcome.NOT_AVAILABLE
    return [Finding("", s, views.subject, outcome, "low", str(gap)) for s in signals]


def need(views: Views, signals: Iterable[str], source: Sectioned, *sections: str) -> list[Finding]:
    """[] when every one of `sections` of `source` was read; else `blind` findings for `signals`, naming the
    first section that was not. `source` is a typed view, or `views` itself for whole views:
    `need(views, SIGNALS, views, "github")` when `views.github` is None."""
    gap = first_unreadable(source, sections)
    return [] if gap is None else blind(views, signals, gap)


def verdict(
    views: Views,
    signal: str,
    locations: Iterable[Location],
    found: str,
    absent: str,
    *,
    confidence: str = "medium",
    values: Mapping[str, Any] | None = None,
) -> Finding:
    """`hit` when there is at least one location, else `miss`: the common yes/no probe."""
    locs = list(locations)
    if locs:
        return hit(views, signal, locs, found, confidence=confidence, values=values)
    return miss(views, signal, absent, values=values)


def _loc_key(loc: Location) -> tuple[str, int, str]:
    return (loc.path or loc.object or loc.url or "", loc.line or 0, loc.snippet or "")
