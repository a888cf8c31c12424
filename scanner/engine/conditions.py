"""Three-valued evaluation of rule conditions over findings.

A `signal` term is met when the true findings of that signal (at or above the confidence threshold)
count at least `min_count`; unknown when the signal could not be observed (not_available, error, or
no probe ran for it) and not met otherwise. `all`/`any`/`not` follow Kleene logic, so "could not look"
is never read as "no". A term with `unobserved: unmet` reads a signal nobody could observe as unmet: for
applicability gates on optional sources (a catalog that was not given does not make an area apply).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scanner.ids import CONFIDENCES
from scanner.model import Finding, Outcome

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"


@dataclass(frozen=True)
class Result:
    value: str
    findings: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


class Evidence:
    """The findings visible to one assessment scope, grouped by signal."""

    def __init__(self, findings: Iterable[Finding], missing_reason: dict[str, str] | None = None) -> None:
        self.by_signal: dict[str, list[Finding]] = {}
        for finding in findings:
            self.by_signal.setdefault(finding.signal, []).append(finding)
        self.missing_reason = missing_reason or {}
        self._families: dict[str, list[Finding]] = {}
        self.terms: dict[tuple[str, int, int, str], Result] = {}  # _term results, computed once per scope

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


def evaluate(cond: dict[str, Any], evidence: Evidence, floor_confidence: str = "low") -> Result:
    if "signal" in cond:
        return _term(cond, evidence, floor_confidence)
    if "not" in cond:
        inner = evaluate(cond["not"], evidence, floor_confidence)
        flipped = {MET: UNMET, UNMET: MET, UNKNOWN: UNKNOWN}[inner.value]
        return Result(flipped, inner.findings, inner.reasons)
    children = [evaluate(c, evidence, floor_confidence) for c in cond.get("all") or cond.get("any") or []]
    if "all" in cond:
        decisive = [r for r in children if r.value == UNMET] or [r for r in children if r.value == UNKNOWN]
        value = UNMET if any(r.value == UNMET for r in children) else UNKNOWN if decisive else MET
        cited = children if value == MET else decisive
    else:
        met = [r for r in children if r.value == MET]
        unknown = [r for r in children if r.value == UNKNOWN]
        value = MET if met else UNKNOWN if unknown else UNMET
        cited = met if met else unknown if unknown else children
    return Result(
        value,
        tuple(dict.fromkeys(f for r in cited for f in r.findings)),
        tuple(dict.fromkeys(x for r in cited for x in r.reasons)),
    )


def _term(cond: dict[str, Any], evidence: Evidence, floor_confidence: str) -> Result:
    signal = cond["signal"]
    need = max(_rank(cond.get("min_confidence", "low")), _rank(floor_confidence))
    min_count = int(cond.get("min_count", 1))
    blind_as = UNMET if cond.get("unobserved") == UNMET else UNKNOWN
    key = (signal, need, min_count, blind_as)
    cached = evidence.terms.get(key)
    if cached is None:
        cached = evidence.terms[key] = _observe(signal, need, min_count, blind_as, evidence)
    return cached


def _observe(signal: str, need: int, min_count: int, blind_as: str, evidence: Evidence) -> Result:
    findings = evidence.get(signal)
    if not findings:
        return Result(blind_as, (), (evidence.why_missing(signal),))
    strong = [f for f in findings if f.outcome is Outcome.TRUE and _rank(f.confidence) >= need]
    if strong and sum(f.count for f in strong) >= min_count:
        return Result(MET, tuple(f.id for f in strong))
    blind = [f for f in findings if f.outcome in (Outcome.NOT_AVAILABLE, Outcome.ERROR)]
    if blind:
        return Result(blind_as, tuple(f.id for f in blind), tuple(f.message for f in blind))
    return Result(UNMET, tuple(f.id for f in findings))
