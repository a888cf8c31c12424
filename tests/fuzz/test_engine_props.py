"""Property tests of the rule engine: Kleene logic over met/unmet/unknown, and levels that only move the
way the evidence does (a met finding never lowers a level; an unknown resolved to unmet never raises one)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scanner.engine.assess import (
    Assessment,
    DimensionResult,
    assess_dimension,
    assess_scope,
    lower_median,
    summarise_area,
    upper_median,
)
from scanner.engine.conditions import MET, UNKNOWN, UNMET, Evidence, evaluate
from scanner.engine.rollup import rollup
from scanner.engine.rules import Criterion, DimensionRules, RuleSet, builtin_rules_dir, load_rules
from scanner.ids import CONFIDENCES, LEVELS, level_index
from scanner.model import Finding, Location, Outcome

Cond = dict[str, Any]
VALUES = (MET, UNMET, UNKNOWN)


def finding(signal: str, outcome: Outcome, confidence: str = "high", count: int = 1, subject: str = "r") -> Finding:
    true = outcome is Outcome.TRUE
    locs = (Location(path="a.py", line=1),) if true else ()
    return Finding("p", signal, subject, outcome, confidence, "m", locs, {"count": count} if true else {}, key="")


# Kleene logic ---------------------------------------------------------------------------------------
# A literal is a signal whose evidence makes its term met, unmet or unknown (no probe ran for "u").
LITERALS = {MET: {"signal": "t"}, UNMET: {"signal": "f"}, UNKNOWN: {"signal": "u"}}
LITERAL_EVIDENCE = Evidence([finding("t", Outcome.TRUE), finding("f", Outcome.FALSE)])
LEAVES = ("a", "b", "c")


def kleene(value: str) -> int:
    return {UNMET: 0, UNKNOWN: 1, MET: 2}[value]


def conditions(leaves: tuple[str, ...] = LEAVES, negation: bool = True) -> st.SearchStrategy[Cond]:
    base = st.sampled_from(leaves).map(lambda s: {"signal": s})

    def extend(inner: st.SearchStrategy[Cond]) -> st.SearchStrategy[Cond]:
        lists = st.lists(inner, min_size=1, max_size=3)
        branches = [lists.map(lambda c: {"all": c}), lists.map(lambda c: {"any": c})]
        if negation:
            branches.append(inner.map(lambda c: {"not": c}))
        return st.one_of(*branches)

    return st.recursive(base, extend, max_leaves=8)


@st.composite
def assignments(draw: st.DrawFn) -> Evidence:
    """Evidence giving each leaf signal a value: true, false, not_available, error, or no finding."""
    found = []
    for leaf in LEAVES:
        outcome = draw(st.sampled_from([*Outcome, None]))
        if outcome is not None and outcome is not Outcome.NOT_APPLICABLE:
            found.append(finding(leaf, outcome))
    return Evidence(found)


def reference(cond: Cond, evidence: Evidence) -> str:
    """Kleene's strong three-valued logic, written independently of the engine."""
    if "signal" in cond:
        outcomes = {f.outcome for f in evidence.get(cond["signal"])}
        return MET if Outcome.TRUE in outcomes else UNMET if Outcome.FALSE in outcomes else UNKNOWN
    if "not" in cond:
        return VALUES[[UNMET, MET, UNKNOWN].index(reference(cond["not"], evidence))]
    ranks = [kleene(reference(c, evidence)) for c in cond.get("all") or cond.get("any") or []]
    rank = min(ranks) if "all" in cond else max(ranks)
    return [UNMET, UNKNOWN, MET][rank]


def value(cond: Cond, evidence: Evidence = LITERAL_EVIDENCE) -> str:
    return evaluate(cond, evidence).value


def lit(v: str) -> Cond:
    return LITERALS[v]


literals = st.sampled_from(VALUES)


@given(conditions(), assignments())
def test_evaluation_is_kleene_logic(cond: Cond, evidence: Evidence) -> None:
    assert evaluate(cond, evidence).value == reference(cond, evidence)


@given(literals, literals)
def test_all_and_any_commute(a: str, b: str) -> None:
    for op in ("all", "any"):
        assert value({op: [lit(a), lit(b)]}) == value({op: [lit(b), lit(a)]})


@given(literals, literals, literals)
def test_all_and_any_associate(a: str, b: str, c: str) -> None:
    for op in ("all", "any"):
        left = value({op: [{op: [lit(a), lit(b)]}, lit(c)]})
        assert left == value({op: [lit(a), {op: [lit(b), lit(c)]}]}) == value({op: [lit(a), lit(b), lit(c)]})


@given(literals, literals)
def test_de_morgan(a: str, b: str) -> None:
    assert value({"not": {"all": [lit(a), lit(b)]}}) == value({"any": [{"not": lit(a)}, {"not": lit(b)}]})
    assert value({"not": {"any": [lit(a), lit(b)]}}) == value({"all": [{"not": lit(a)}, {"not": lit(b)}]})


@given(literals)
def test_identity_absorbing_and_double_negation(a: str) -> None:
    assert value({"all": [lit(a), lit(MET)]}) == a  # met is all's identity
    assert value({"any": [lit(a), lit(UNMET)]}) == a  # unmet is any's identity
    assert value({"all": [lit(a), lit(UNMET)]}) == UNMET  # and absorbs
    assert value({"any": [lit(a), lit(MET)]}) == MET
    assert value({"not": {"not": lit(a)}}) == a


@given(conditions(), assignments(), st.sampled_from(LEAVES), st.sampled_from([Outcome.TRUE, Outcome.FALSE]))
def test_an_unknown_never_becomes_unmet_or_met_by_combination(
    cond: Cond, evidence: Evidence, leaf: str, resolved: Outcome
) -> None:
    """Regularity: learning the value of an unknown leaf can only settle an unknown result, never flip a
    settled one; so a combination that is unmet is unmet whatever the unknowns turn out to be."""
    assume(not any(f.outcome in (Outcome.TRUE, Outcome.FALSE) for f in evidence.get(leaf)))
    before = value(cond, evidence)
    others = [f for signal in evidence.last if signal != leaf for f in evidence.get(signal)]
    after = value(cond, Evidence([*others, finding(leaf, resolved)]))
    assert before == UNKNOWN or after == before


@given(conditions(negation=False), assignments())
def test_a_condition_without_not_is_unmet_only_when_some_signal_is_observed_unmet(
    cond: Cond, evidence: Evidence
) -> None:
    if value(cond, evidence) == UNMET:
        assert any(f.outcome is Outcome.FALSE for leaf in LEAVES for f in evidence.get(leaf))


# Levels from the built-in rules -----------------------------------------------------------------------
@lru_cache(maxsize=1)
def builtin() -> RuleSet:
    return load_rules(builtin_rules_dir())


def _polarities(cond: Cond, negated: bool, out: dict[str, set[bool]]) -> None:
    if "signal" in cond:
        out.setdefault(cond["signal"], set()).add(negated)
    elif "not" in cond:
        _polarities(cond["not"], not negated, out)
    else:
        for child in cond.get("all", []) + cond.get("any", []):
            _polarities(child, negated, out)


@lru_cache(maxsize=1)
def signal_polarity() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The signals the rules cite only positively (a practice seen) and only under `not` (a fault seen)."""
    seen: dict[str, set[bool]] = {}
    for area in builtin().areas.values():
        conds = [area.applies_when] + [d.applies_when for d in area.dimensions.values()]
        conds += [c.when for d in area.dimensions.values() for c in d.criteria]
        for cond in conds:
            if cond:
                _polarities(cond, False, seen)
    concrete = {s.replace(".*", ".fuzz"): p for s, p in seen.items()}  # a family stands for any member
    return (
        tuple(sorted(s for s, p in concrete.items() if p == {False})),
        tuple(sorted(s for s, p in concrete.items() if p == {True})),
    )


def all_signals() -> list[str]:
    positive, negative = signal_polarity()
    return [*positive, *negative]


observed = st.sampled_from([Outcome.TRUE, Outcome.FALSE, Outcome.NOT_AVAILABLE, Outcome.ERROR])


@st.composite
def findings_over_rules(draw: st.DrawFn, subject: str = "r") -> list[Finding]:
    """Findings over the signals the built-in rules cite, with random outcomes, confidences and counts."""
    signals = draw(st.lists(st.sampled_from(all_signals()), max_size=60, unique=True))
    return [
        finding(s, draw(observed), draw(st.sampled_from(CONFIDENCES)), draw(st.integers(1, 3)), subject)
        for s in signals
    ]


def rank(dim: DimensionResult) -> int:
    return level_index(dim.level) if dim.status == "assessed" and dim.level else -1


def dims(assessment: Assessment) -> dict[tuple[str, str], DimensionResult]:
    return {(a, d): r for a, area in assessment.areas.items() for d, r in area.dimensions.items()}


def assess(found: list[Finding], scope: str = "r") -> Assessment:
    return assess_scope(scope, builtin(), found, {})


def assert_not_lower(before: Assessment, after: Assessment) -> None:
    """No dimension lower; no area lower where the same dimensions were assessed (a dimension that turns
    from unknown to assessed joins the area's median: see test_area_level_is_the_upper_median)."""
    old, new = dims(before), dims(after)
    for key, was in old.items():
        now = new[key]
        if "not_applicable" not in (was.status, now.status):
            assert rank(now) >= rank(was), (key, was.level, now.level)
    for area_id, was_area in before.areas.items():
        now_area = after.areas[area_id]
        changed = [d for d, r in was_area.dimensions.items() if r.status != now_area.dimensions[d].status]
        if not changed and was_area.level and now_area.level:
            assert level_index(now_area.level) >= level_index(was_area.level), area_id


def with_signal(found: list[Finding], signal: str, outcome: Outcome) -> list[Finding]:
    return [*(f for f in found if f.signal != signal), finding(signal, outcome)]


@given(findings_over_rules(), st.data())
def test_a_met_practice_never_lowers_a_level(found: list[Finding], data: st.DataObject) -> None:
    signal = data.draw(st.sampled_from(signal_polarity()[0]))
    assert_not_lower(assess(found), assess([*found, finding(signal, Outcome.TRUE)]))


@given(findings_over_rules(), st.data())
def test_an_unknown_practice_resolved_met_never_lowers_unmet_never_raises(
    found: list[Finding], data: st.DataObject
) -> None:
    signal = data.draw(st.sampled_from(signal_polarity()[0]))
    unknown = [f for f in found if f.signal != signal]
    unknown.append(finding(signal, data.draw(st.sampled_from([Outcome.NOT_AVAILABLE, Outcome.ERROR]))))
    base = assess(unknown)
    assert_not_lower(base, assess(with_signal(unknown, signal, Outcome.TRUE)))
    assert_not_lower(assess(with_signal(unknown, signal, Outcome.FALSE)), base)


@given(findings_over_rules(), st.data())
def test_a_fault_seen_never_raises_a_level(found: list[Finding], data: st.DataObject) -> None:
    """The dual for signals the rules read under `not` (teaching material, public buckets, inline keys)."""
    signal = data.draw(st.sampled_from(signal_polarity()[1]))
    assert_not_lower(assess([*found, finding(signal, Outcome.TRUE)]), assess(found))


@given(findings_over_rules())
def test_a_level_is_reached_only_through_met_criteria(found: list[Finding]) -> None:
    result = assess(found)
    ids = {f.id for f in found}
    for key, dim in dims(result).items():
        for crit in dim.criteria:
            assert set(crit.findings) <= ids, key  # every citation is a real finding
        if dim.status != "assessed" or dim.level is None:
            continue
        top = level_index(dim.level)
        assert all(c.result == MET for c in dim.criteria if level_index(c.level) <= top), key
        above = [c for c in dim.criteria if level_index(c.level) > top]
        if top + 1 < len(LEVELS):  # it stops where the first level above has a gap
            first = min(level_index(c.level) for c in above)
            assert any(c.result != MET for c in above if level_index(c.level) == first), key
        if top > 0:  # above Initial only with some criterion met on a cited finding
            assert any(c.findings for c in dim.criteria if level_index(c.level) <= top and not c.reasons), key


@given(findings_over_rules())
def test_area_level_is_the_upper_median(found: list[Finding]) -> None:
    for area in assess(found).areas.values():
        levels = [d.level for d in area.dimensions.values() if d.status == "assessed" and d.level]
        assert area.level == upper_median(levels)
        if levels:
            assert area.lowest == min(levels, key=level_index)
            assert level_index(min(levels, key=level_index)) <= level_index(area.level or "")
            assert level_index(area.level or "") <= level_index(max(levels, key=level_index))


@given(st.lists(findings_over_rules(), min_size=1, max_size=4), st.data())
def test_estate_is_the_lower_median_and_a_better_repo_never_lowers_it(
    repos: list[list[Finding]], data: st.DataObject
) -> None:
    scopes = [assess(found, f"r{i}") for i, found in enumerate(repos)]
    estate = rollup("org", builtin(), scopes)
    for (area_id, dim_id), dim in dims(estate).items():
        levels = [s.areas[area_id].dimensions[dim_id] for s in scopes]
        assert dim.level == lower_median([d.level for d in levels if d.status == "assessed" and d.level])
    # One repo gains a met practice: the estate's dimensions never drop where the same repos were assessed.
    which = data.draw(st.integers(0, len(repos) - 1))
    signal = data.draw(st.sampled_from(signal_polarity()[0]))
    better = list(scopes)
    better[which] = assess([*repos[which], finding(signal, Outcome.TRUE, subject=f"r{which}")], f"r{which}")
    after = rollup("org", builtin(), better)
    for key, was in dims(estate).items():
        now = dims(after)[key]
        if assessed_repos(was) == assessed_repos(now):
            assert rank(now) >= rank(was), key
    for area in after.areas.values():
        assert area.level == upper_median([d.level for d in area.dimensions.values() if d.level])


def assessed_repos(dim: DimensionResult) -> set[str]:
    return {scope for scope, level in dim.extra.get("repos", {}).items() if level in LEVELS}


# Small random rule sets -----------------------------------------------------------------------------
SMALL = ("s0", "s1", "s2", "s3")


@st.composite
def small_dimension(draw: st.DrawFn) -> DimensionRules:
    """A dimension with 0-2 criteria per level over four signals, conditions without `not`."""
    crits = tuple(
        Criterion(f"x.d.{level}.c{i}", level, "t", draw(conditions(SMALL, negation=False)))
        for level in LEVELS
        for i in range(draw(st.integers(0, 2)))
    )
    return DimensionRules("x", "d", "D", {level: level for level in LEVELS}, crits)


@st.composite
def small_findings(draw: st.DrawFn) -> list[Finding]:
    out = []
    for s in SMALL:
        outcome = draw(st.sampled_from([Outcome.TRUE, Outcome.FALSE, Outcome.NOT_AVAILABLE, Outcome.ERROR, None]))
        if outcome is not None:
            out.append(finding(s, outcome, draw(st.sampled_from(CONFIDENCES))))
    return out


def dim_rank(dim: DimensionRules, found: list[Finding]) -> int:
    return rank(assess_dimension(dim, Evidence(found), {f.id: f for f in found}))


@given(small_dimension(), small_findings(), st.sampled_from(SMALL))
def test_random_rules_met_never_lowers_and_unmet_never_raises(
    dim: DimensionRules, found: list[Finding], signal: str
) -> None:
    base = dim_rank(dim, found)
    assert dim_rank(dim, [*found, finding(signal, Outcome.TRUE)]) >= base
    if all(f.outcome in (Outcome.NOT_AVAILABLE, Outcome.ERROR) for f in found if f.signal == signal):
        assert dim_rank(dim, with_signal(found, signal, Outcome.FALSE)) <= base  # an unknown turned unmet


@given(st.lists(st.sampled_from(LEVELS), min_size=1, max_size=9))
def test_upper_and_lower_median(levels: list[str]) -> None:
    """Upper: at least half the levels are at or above it and more than half at or below; lower: mirrored."""
    n = len(levels)
    ranks = [level_index(x) for x in levels]
    up, low = level_index(upper_median(levels) or ""), level_index(lower_median(levels) or "")
    assert 2 * sum(r >= up for r in ranks) >= n and 2 * sum(r <= up for r in ranks) > n
    assert 2 * sum(r <= low for r in ranks) >= n and 2 * sum(r >= low for r in ranks) > n
    assert low <= up and (n % 2 == 0 or low == up)


@pytest.mark.xfail(strict=True, reason="design: an unknown dimension is left out of its area's median")
def test_a_dimension_turning_from_unknown_to_initial_can_lower_its_area() -> None:
    """Found by the fuzzing with the built-in rules (a `code.rag` finding lowered Data Management from
    Minimal to Initial): more evidence puts a dimension at Initial, which then joins the upper median.
    Kept as a strict xfail so a change of the policy shows up here; the lead decides whether it should."""
    area = builtin().areas["data_management"]
    ids = list(area.dimensions)

    def dim(i: int, level: str | None) -> DimensionResult:
        status = "assessed" if level else "unknown"
        return DimensionResult("data_management", ids[i], "t", status, level, 1.0)

    before = summarise_area(
        area,
        {
            d: dim(i, lvl)
            for i, (d, lvl) in enumerate(zip(ids, ["procedural", "leading"] + [None] * (len(ids) - 2), strict=True))
        },
    )
    after = summarise_area(
        area,
        {
            d: dim(i, lvl)
            for i, (d, lvl) in enumerate(
                zip(ids, ["procedural", "leading", "initial"] + [None] * (len(ids) - 3), strict=True)
            )
        },
    )
    assert level_index(after.level or "") >= level_index(before.level or "")
