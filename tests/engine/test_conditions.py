"""Three-valued condition evaluation: "could not look" is never read as "no"."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.engine.conditions import MET, UNKNOWN, UNMET, Evidence, evaluate
from scanner.model import Finding, Location, Outcome


def finding(signal: str, outcome: str, confidence: str = "medium", count: int = 1) -> Finding:
    locs = (Location(path="a.py", line=1),) if outcome == "true" else ()
    values = {"count": count} if outcome == "true" else {}
    return Finding("p", signal, "r", Outcome(outcome), confidence, "m", locs, values)


EVIDENCE = Evidence(
    [
        finding("yes", "true"),
        finding("weak", "true", "low"),
        finding("three", "true", count=3),
        finding("no", "false"),
        finding("blind", "not_available"),
        finding("broken", "error"),
        finding("fam.a", "false"),
        finding("fam.b", "true"),
    ],
    {"gh.x": "needs the GitHub API"},
)

CASES: list[tuple[dict[str, Any], str]] = [
    ({"signal": "yes"}, MET),
    ({"signal": "no"}, UNMET),
    ({"signal": "blind"}, UNKNOWN),
    ({"signal": "broken"}, UNKNOWN),
    ({"signal": "never.seen"}, UNKNOWN),
    ({"signal": "never.seen", "unobserved": "unmet"}, UNMET),  # an optional source that was not given
    ({"signal": "blind", "unobserved": "unmet"}, UNMET),
    ({"signal": "yes", "unobserved": "unmet"}, MET),
    ({"signal": "weak"}, MET),
    ({"signal": "weak", "min_confidence": "medium"}, UNMET),
    ({"signal": "three", "min_count": 3}, MET),
    ({"signal": "three", "min_count": 4}, UNMET),
    ({"signal": "fam.*"}, MET),
    ({"not": {"signal": "no"}}, MET),
    ({"not": {"signal": "yes"}}, UNMET),
    ({"not": {"signal": "blind"}}, UNKNOWN),
    ({"all": [{"signal": "yes"}, {"signal": "blind"}]}, UNKNOWN),
    ({"all": [{"signal": "no"}, {"signal": "blind"}]}, UNMET),
    ({"all": [{"signal": "yes"}, {"signal": "three"}]}, MET),
    ({"any": [{"signal": "no"}, {"signal": "blind"}]}, UNKNOWN),
    ({"any": [{"signal": "yes"}, {"signal": "blind"}]}, MET),
    ({"any": [{"signal": "no"}, {"signal": "no"}]}, UNMET),
]


@pytest.mark.parametrize(("cond", "expected"), CASES, ids=[str(c[0]) for c in CASES])
def test_kleene_evaluation(cond: dict[str, Any], expected: str) -> None:
    assert evaluate(cond, EVIDENCE).value == expected


def test_floor_confidence_raises_the_bar_for_upper_levels() -> None:
    assert evaluate({"signal": "weak"}, EVIDENCE, "medium").value == UNMET


def test_met_cites_the_findings_that_met_it() -> None:
    result = evaluate({"any": [{"signal": "no"}, {"signal": "yes"}]}, EVIDENCE)
    assert result.findings == ("yes@r",)


def test_unknown_explains_which_source_would_settle_it() -> None:
    result = evaluate({"signal": "gh.x"}, EVIDENCE)
    assert result.value == UNKNOWN
    assert result.reasons == ("needs the GitHub API",)
