"""Three-valued evaluation of rule conditions over findings.

A `signal` term is met when the true findings of that signal (at or above the confidence threshold)
count at least `min_count`; unknown when the signal could not be observed (not_available, error, or
no probe ran for it) and not met otherwise. `all`/`any`/`not` follow Kleene logic, so "could not look"
is never read as "no". A term with `unobserved: unmet` reads a signal nobody could observe as unmet: for
applicability gates on optional sources (a catalog that was not given does not make an area apply).

A condition is compiled once (`CompiledCondition`: the rule set does it when it is loaded); each distinct
term is observed once per scope and its result reused by every condition that reads it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, NamedTuple

from scanner.ids import CONFIDENCES
from scanner.model import Finding, Outcome

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
_FLIP = {MET: UNMET, UNMET: MET, UNKNOWN: UNKNOWN}


class Result(NamedTuple):
    value: str
    findings: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


TermKey = tuple[str, int, int, str]  # signal, confidence rank needed, min_count, the value when unobserved


class Evidence:
    """The findings visible to one assessment scope, grouped by signal."""

    def __init__(self, findings: Iterable[Finding], missing_reason: dict[str, str] | None = None) -> None:
        by_signal: dict[str, list[Finding]] = {}
        for finding in findings:
            found = by_signal.get(finding.signal)
            if found is None:
                by_signal[finding.signal] = [finding]
            else:
                found.append(finding)
        self.by_signal = by_signal
        self.missing_reason = missing_reason or {}
        self._families: dict[str, list[Finding]] = {}
        self.terms: dict[int, Result] = {}  # term results by term number (`_TERMS`), computed once per scope

    def get(self, signal: str) -> list[Finding]:
        """Findings of a signal, or of every member of a family (`repo.ml_monitoring.*`)."""
        if signal.endswith(".*"):
            found = self._families.get(signal)
            if found is None:
                prefix = signal[:-1]
                found = [f for s, fs in self.by_signal.items() if s.startswith(prefix) for f in fs]
                self._families[signal] = found
            return found
        return self.by_signal.get(signal, [])

    def why_missing(self, signal: str) -> str:
        return self.missing_reason.get(signal, f"no probe observed {signal}")


_RANKS: dict[str, int] = {}
for _i, _c in enumerate(CONFIDENCES):
    _RANKS.setdefault(_c, _i)


def _rank(confidence: str) -> int:
    return _RANKS.get(confidence, 0)


_TERMS: dict[TermKey, int] = {}  # every distinct term compiled so far, numbered (the key of Evidence.terms)
_TERMS_LOCK = threading.Lock()
_PLANS_MAX = 512  # decisions remembered per condition (of at most 3 ** terms): bounded memory

# A condition's shape: ("term", position among its distinct terms) | ("not", shape) | ("all"/"any", shapes)
Shape = tuple[Any, ...]


class CompiledCondition:
    """A condition compiled once: its distinct terms, and which terms decide and are cited for each
    combination of their values (worked out by Kleene logic the first time that combination is seen).

    Citing the decisive children's findings, deduplicated at each `all`/`any`, is citing the findings of
    the decisive terms in order, deduplicated once; a lone term (or its negation) cites its own as they are.
    """

    __slots__ = ("_plans", "plain", "shape", "terms")

    def __init__(self, cond: dict[str, Any], floor_confidence: str = "low") -> None:
        keys: list[TermKey] = []
        self.shape = _shape(cond, floor_confidence, keys)
        with _TERMS_LOCK:
            self.terms = tuple((_TERMS.setdefault(k, len(_TERMS)), k) for k in keys)
        inner = self.shape
        while inner[0] == "not":
            inner = inner[1]
        self.plain = inner[0] == "term"
        self._plans: dict[tuple[str, ...], tuple[str, tuple[int, ...]]] = {}

    def __call__(self, evidence: Evidence) -> Result:
        observed = evidence.terms
        results = []
        for number, key in self.terms:
            result = observed.get(number)
            if result is None:
                result = observed[number] = _observe(*key, evidence)
            results.append(result)
        values = tuple([r[0] for r in results])
        plan = self._plans.get(values)
        if plan is None:
            plan = _decide(self.shape, values)
            if len(self._plans) < _PLANS_MAX:
                self._plans[values] = plan
        value, cited = plan
        if self.plain:
            _, findings, reasons = results[cited[0]]
            return _new(Result, (value, findings, reasons))
        if len(cited) == 1:
            _, findings, reasons = results[cited[0]]
            if len(findings) > 1:
                findings = tuple(dict.fromkeys(findings))
            if len(reasons) > 1:
                reasons = tuple(dict.fromkeys(reasons))
            return Result(value, findings, reasons)
        found: list[str] = []
        why: list[str] = []
        for position in cited:
            _, findings, reasons = results[position]
            found += findings
            why += reasons
        return Result(value, tuple(dict.fromkeys(found)), tuple(dict.fromkeys(why)))


def evaluate(cond: dict[str, Any], evidence: Evidence, floor_confidence: str = "low") -> Result:
    return CompiledCondition(cond, floor_confidence)(evidence)


def _shape(cond: dict[str, Any], floor_confidence: str, keys: list[TermKey]) -> Shape:
    if "signal" in cond:
        need = max(_rank(cond.get("min_confidence", "low")), _rank(floor_confidence))
        blind_as = UNMET if cond.get("unobserved") == UNMET else UNKNOWN
        key = (cond["signal"], need, int(cond.get("min_count", 1)), blind_as)
        if key not in keys:
            keys.append(key)
        return ("term", keys.index(key))
    if "not" in cond:
        return ("not", _shape(cond["not"], floor_confidence, keys))
    children = tuple(_shape(c, floor_confidence, keys) for c in cond.get("all") or cond.get("any") or [])
    return ("all" if "all" in cond else "any", children)


def _decide(shape: Shape, values: tuple[str, ...]) -> tuple[str, tuple[int, ...]]:
    """The value of `shape` when its terms have `values`, and the terms it cites, in order."""
    kind = shape[0]
    if kind == "term":
        return values[shape[1]], (shape[1],)
    if kind == "not":
        value, cited = _decide(shape[1], values)
        return _FLIP[value], cited
    children = [_decide(child, values) for child in shape[1]]
    decisive, otherwise = (UNMET, MET) if kind == "all" else (MET, UNMET)
    chosen = [c for c in children if c[0] == decisive]
    if chosen:
        value = decisive
    else:
        chosen = [c for c in children if c[0] == UNKNOWN]
        value = UNKNOWN if chosen else otherwise
        chosen = chosen or children
    return value, tuple(position for _, cited in chosen for position in cited)


_TRUE = Outcome.TRUE
_new = tuple.__new__  # a Result without NamedTuple's Python-level constructor, where it counts
_BLIND = (Outcome.NOT_AVAILABLE, Outcome.ERROR)


def _observe(signal: str, need: int, min_count: int, blind_as: str, evidence: Evidence) -> Result:
    findings = evidence.get(signal) if signal.endswith(".*") else evidence.by_signal.get(signal)
    if not findings:
        return Result(blind_as, (), (evidence.why_missing(signal),))
    if len(findings) == 1:  # the common case, without the lists
        only = findings[0]
        if only.outcome is _TRUE and _RANKS.get(only.confidence, 0) >= need and only.count >= min_count:
            return _new(Result, (MET, (only.id,), ()))
        if only.outcome in _BLIND:
            return _new(Result, (blind_as, (only.id,), (only.message,)))
        return _new(Result, (UNMET, (only.id,), ()))
    strong = [f for f in findings if f.outcome is _TRUE and _RANKS.get(f.confidence, 0) >= need]
    if strong and sum(f.count for f in strong) >= min_count:
        return Result(MET, tuple(f.id for f in strong))
    blind = [f for f in findings if f.outcome in _BLIND]
    if blind:
        return Result(blind_as, tuple(f.id for f in blind), tuple(f.message for f in blind))
    return Result(UNMET, tuple(f.id for f in findings))
