"""Three-valued evaluation of rule conditions over findings.

A `signal` term is met when the true findings of that signal (at or above the confidence threshold)
count at least `min_count`; unknown when the signal could not be observed (not_available, error, or
no probe ran for it) and not met otherwise. `all`/`any`/`not` follow Kleene logic, so "could not look"
is never read as "no". A term with `unobserved: unmet` reads a signal nobody could observe as unmet: for
applicability gates on optional sources (a catalog that was not given does not make an area apply).

A condition is compiled once (`CompiledCondition`: the rule set does it when it is loaded) into its
distinct terms and a function deciding it from their results; each distinct term is observed once per
scope and its result reused by every condition that reads it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from scanner.ids import CONFIDENCES
from scanner.model import Finding, Outcome

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
_FLIP = {MET: UNMET, UNMET: MET, UNKNOWN: UNKNOWN}


class Result(NamedTuple):
    value: str
    findings: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


# A result as a plain tuple (value, findings, reasons): what the engine passes around, with no class to build.
Observed = tuple[str, tuple[str, ...], tuple[str, ...]]
TermKey = tuple[str, int, int, str]  # signal, confidence rank needed, min_count, the value when unobserved


class Evidence:
    """The findings visible to one assessment scope, by signal: most signals have one finding (`last`),
    and those with several have them all, in order, in `several`."""

    def __init__(self, findings: Iterable[Finding], missing_reason: dict[str, str] | None = None) -> None:
        found = findings if isinstance(findings, list) else list(findings)
        self.last = {f.signal: f for f in found}  # a signal's last finding (keys in order of first finding)
        self.several: dict[str, list[Finding]] = {}
        if len(self.last) < len(found):
            groups: dict[str, list[Finding]] = {}
            for finding in found:
                groups.setdefault(finding.signal, []).append(finding)
            self.several = {signal: group for signal, group in groups.items() if len(group) > 1}
        self.missing_reason = missing_reason or {}
        self._families: dict[str, list[Finding]] = {}
        self.terms: dict[int, Observed] = {}  # term results by term number (`_TERMS`), computed once per scope

    def get(self, signal: str) -> list[Finding]:
        """Findings of a signal, or of every member of a family (`repo.ml_monitoring.*`)."""
        if signal.endswith(".*"):
            found = self._families.get(signal)
            if found is None:
                prefix = signal[:-1]
                found = [f for s in self.last if s.startswith(prefix) for f in self._of(s)]
                self._families[signal] = found
            return found
        return self._of(signal) if signal in self.last else []

    def _of(self, signal: str) -> list[Finding]:
        return self.several.get(signal) or [self.last[signal]]

    def why_missing(self, signal: str) -> str:
        return self.missing_reason.get(signal, f"no probe observed {signal}")

    def observed_any(self, signals: tuple[str, ...]) -> bool:
        """Whether a probe reported any of `signals` (for a family `x.*`, any of its members)."""
        if not self.last.keys().isdisjoint(signals):
            return True
        return any(self.get(s) for s in signals if s.endswith(".*"))


_RANKS: dict[str, int] = {}
for _i, _c in enumerate(CONFIDENCES):
    _RANKS.setdefault(_c, _i)


def _rank(confidence: str) -> int:
    return _RANKS.get(confidence, 0)


_TERMS: dict[TermKey, int] = {}  # every distinct term compiled so far, numbered (the key of Evidence.terms)
_TERMS_LOCK = threading.Lock()

# A condition's shape: ("term", position among its distinct terms) | ("not", shape) | ("all"/"any", shapes)
Shape = tuple[Any, ...]
# From the results of a condition's terms (in the order of its distinct terms) to its value and the term
# results it cites, in order: what `_decider` compiles a shape into.
Decider = Callable[[list[Observed]], tuple[str, list[Observed]]]


class CompiledCondition:
    """A condition compiled once: its distinct terms, and a function of their results deciding its value
    and the terms it cites (Kleene logic, with the decisive children of each `all`/`any`).

    Citing the decisive children's findings, deduplicated at each `all`/`any`, is citing the findings of
    the decisive terms in order, deduplicated once; a lone term (or its negation) cites its own as they are.
    """

    __slots__ = ("decide", "negated", "numbers", "shape", "single", "terms")

    def __init__(self, cond: dict[str, Any], floor_confidence: str = "low") -> None:
        keys: list[TermKey] = []
        self.shape = _shape(cond, floor_confidence, keys)
        with _TERMS_LOCK:
            self.terms = tuple((_TERMS.setdefault(k, len(_TERMS)), k) for k in keys)
        self.numbers = tuple(number for number, _ in self.terms)
        inner, flips = self.shape, 0
        while inner[0] == "not":
            inner, flips = inner[1], flips + 1
        self.single = self.terms[0] if inner[0] == "term" else None  # a lone term, or its negation
        self.negated = flips % 2 == 1
        self.decide = _decider(self.shape, len(keys))

    def __call__(self, evidence: Evidence) -> Result:
        return _new(Result, self.run(evidence))

    def run(self, evidence: Evidence) -> Observed:
        """The condition's value over `evidence`, the findings it cites and the reasons for what is unknown."""
        observed = evidence.terms
        if self.single is not None:
            number, key = self.single
            result = observed.get(number)
            if result is None:
                result = observed[number] = _observe(*key, evidence)
            return (_FLIP[result[0]], result[1], result[2]) if self.negated else result
        results = list(map(observed.get, self.numbers))
        if None in results:
            for position, (number, key) in enumerate(self.terms):
                if results[position] is None:
                    results[position] = observed[number] = _observe(*key, evidence)
        value, cited = self.decide(results)  # type: ignore[arg-type]  # every None was observed above
        if len(cited) == 1:
            _, findings, reasons = cited[0]
            if len(findings) > 1:
                findings = tuple(dict.fromkeys(findings))
            if len(reasons) > 1:
                reasons = tuple(dict.fromkeys(reasons))
            return value, findings, reasons
        found: list[str] = []
        why: list[str] = []
        for _, findings, reasons in cited:
            found += findings
            why += reasons
        return value, tuple(dict.fromkeys(found)), tuple(dict.fromkeys(why))


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


def _decider(shape: Shape, terms: int) -> Decider:
    """`shape` compiled: a child decides an `all` when unmet and an `any` when met; failing that, the
    unknown children make it unknown; otherwise every child made it what it is. The chosen children are
    cited. (`terms`: how many distinct terms the whole condition has.)"""
    kind = shape[0]
    if kind == "term":
        position = shape[1]
        return lambda results: (results[position][0], [results[position]])
    if kind == "not":
        inner = _decider(shape[1], terms)

        def negation(results: list[Observed]) -> tuple[str, list[Observed]]:
            value, cited = inner(results)
            return _FLIP[value], cited

        return negation
    decisive, otherwise = (UNMET, MET) if kind == "all" else (MET, UNMET)
    children = shape[1]
    if children and all(child[0] == "term" for child in children):  # of terms alone: read their results
        positions = tuple(child[1] for child in children)
        every = positions == tuple(range(terms))  # the whole condition, its terms in order

        def of_terms(results: list[Observed]) -> tuple[str, list[Observed]]:
            mine = results if every else [results[p] for p in positions]
            values = [r[0] for r in mine]
            if decisive in values:
                return decisive, [r for r in mine if r[0] == decisive]
            if UNKNOWN in values:
                return UNKNOWN, [r for r in mine if r[0] == UNKNOWN]
            return otherwise, mine

        return of_terms
    parts = tuple(_decider(child, terms) for child in children)

    def of_parts(results: list[Observed]) -> tuple[str, list[Observed]]:
        decided = [part(results) for part in parts]
        chosen = [d for d in decided if d[0] == decisive]
        if chosen:
            value = decisive
        else:
            chosen = [d for d in decided if d[0] == UNKNOWN]
            value = UNKNOWN if chosen else otherwise
            chosen = chosen or decided
        return value, [r for _, cited in chosen for r in cited]

    return of_parts


_new = tuple.__new__  # a Result without NamedTuple's Python-level constructor
_TRUE = Outcome.TRUE
_BLIND = (Outcome.NOT_AVAILABLE, Outcome.ERROR)


def _observe(signal: str, need: int, min_count: int, blind_as: str, evidence: Evidence) -> Observed:
    several = evidence.several.get(signal)
    if several is not None:
        return _observe_all(several, signal, need, min_count, blind_as, evidence)
    only = evidence.last.get(signal)  # the common case: one finding
    if only is None:
        if signal.endswith(".*"):  # a family: its members' findings
            return _observe_all(evidence.get(signal), signal, need, min_count, blind_as, evidence)
        return blind_as, (), (evidence.why_missing(signal),)
    if (
        only.outcome is _TRUE
        and _RANKS.get(only.confidence, 0) >= need
        and ((min_count <= 1 and not only.values) or only.count >= min_count)  # no values: counts 1 or more
    ):
        return MET, (only.id,), ()
    if only.outcome in _BLIND:
        return blind_as, (only.id,), (only.message,)
    return UNMET, (only.id,), ()


def _observe_all(
    findings: list[Finding], signal: str, need: int, min_count: int, blind_as: str, evidence: Evidence
) -> Observed:
    if not findings:
        return blind_as, (), (evidence.why_missing(signal),)
    strong = [f for f in findings if f.outcome is _TRUE and _RANKS.get(f.confidence, 0) >= need]
    if strong and sum(f.count for f in strong) >= min_count:
        return MET, tuple(f.id for f in strong), ()
    blind = [f for f in findings if f.outcome in _BLIND]
    if blind:
        return blind_as, tuple(f.id for f in blind), tuple(f.message for f in blind)
    return UNMET, tuple(f.id for f in findings), ()
