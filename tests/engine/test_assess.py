"""Cumulative levels, applicability, unknown floors, confidence and next steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.engine.assess import assess_scope, lower_median, upper_median
from scanner.engine.rollup import rollup
from scanner.engine.rules import RuleSet, load_rules
from scanner.model import Finding, Location, Outcome

DIM = """
  {dim}:
    title: {dim}
    levels:
      initial:
        cell: start
        criteria:
          - {{id: seen, text: seen, when: {{signal: s.seen}}}}
      minimal:
        cell: more
        criteria:
          - {{id: one, text: one, when: {{signal: s.one}}, next: do one}}
      procedural: {{cell: ""}}
      innovative:
        cell: top
        criteria:
          - {{id: two, text: two, when: {{signal: s.two}}}}
      leading:
        cell: lead
        criteria:
          - {{id: three, text: three, when: {{signal: gh.three}}}}
"""
AREAS = {
    "people": ["data_scientists", "data_engineers", "software_engineers"],
    "data_management": ["data_sources", "data_store", "data_sensitivity", "data_access", "etl_tasks"],
    "model_creation": ["data_gathering", "compute_management", "experiment_tracking", "end_result"],
    "model_deployment": ["process", "scoring_script", "release_management"],
    "llmops": ["discovery_and_testing", "inference_resources", "prompt_management", "deployment", "monitoring"],
    "app_integration": ["expertise_reliance", "integration_tests", "release_process", "application_code_tests"],
}
SIGNALS = {"s.seen", "s.one", "s.two", "s.llm", "gh.three"}


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    folder = tmp_path_factory.mktemp("rules")
    for area, dims in AREAS.items():
        head = f"area: {area}\ntitle: {area}\n"
        if area == "llmops":
            head += "applies_when: {signal: s.llm}\nnot_applicable_reason: no LLM\n"
        body = "dimensions:" + "".join(DIM.format(dim=d) for d in dims)
        (folder / f"{area}.yml").write_text(head + body)
    return load_rules(Path(folder), SIGNALS)


def f(signal: str, outcome: str = "true", confidence: str = "medium") -> Finding:
    return Finding("p", signal, "r", Outcome(outcome), confidence, signal, (Location(path="x.py", line=2),), {})


def dim(rules: RuleSet, findings: list[Finding], area: str = "model_creation", d: str = "end_result"):  # type: ignore[no-untyped-def]
    return assess_scope("r", rules, findings, {"gh.three": "needs the GitHub API"}).areas[area].dimensions[d]


def test_levels_are_cumulative_and_blank_cells_inherit(rules: RuleSet) -> None:
    result = dim(rules, [f("s.seen"), f("s.one"), f("s.two"), f("s.llm")])
    assert result.status == "assessed"
    assert result.level == "innovative"  # procedural is blank: inherits minimal; leading unknown
    assert [c.result for c in result.criteria] == ["met", "met", "met", "unknown"]


def test_a_gap_stops_the_climb_even_if_higher_criteria_are_met(rules: RuleSet) -> None:
    result = dim(rules, [f("s.seen"), f("s.one", "false"), f("s.two")])
    assert result.level == "initial"
    assert result.next == ["minimal: do one"]


def test_unknown_never_counts_as_met_or_unmet(rules: RuleSet) -> None:
    result = dim(rules, [f("s.seen"), f("s.one", "not_available")])
    assert result.level == "initial"
    assert result.next == ["minimal: do one (unknown: could not be observed)"]
    assert result.confidence < 0.7  # the unknown criterion above lowers confidence


def test_no_floor_evidence_means_unknown_not_initial(rules: RuleSet) -> None:
    result = dim(rules, [f("s.seen", "not_available")])
    assert result.status == "unknown"
    assert result.level is None
    assert result.confidence == 0.0


def test_area_not_applicable_when_its_subject_is_absent(rules: RuleSet) -> None:
    assessment = assess_scope("r", rules, [f("s.llm", "false")], {})
    assert assessment.areas["llmops"].status == "not_applicable"
    assert {d.status for d in assessment.areas["llmops"].dimensions.values()} == {"not_applicable"}


def test_upper_levels_need_medium_confidence(rules: RuleSet) -> None:
    result = dim(rules, [f("s.seen"), f("s.one"), f("s.two", confidence="low")])
    assert result.level == "procedural"


def test_area_level_is_the_median_with_ties_rounded_up(rules: RuleSet) -> None:
    assert upper_median(["initial", "leading", "minimal", "procedural"]) == "procedural"
    assert upper_median(["initial", "minimal", "procedural"]) == "minimal"
    assert upper_median(["procedural"]) == "procedural"
    assert upper_median([]) is None
    assert lower_median(["initial", "leading", "minimal", "procedural"]) == "minimal"  # the estate roll-up's


def test_rollup_takes_the_median_repo_and_shows_the_spread(rules: RuleSet) -> None:
    low = assess_scope("a", rules, [f("s.seen")], {})
    mid = assess_scope("b", rules, [f("s.seen"), f("s.one")], {})
    high = assess_scope("c", rules, [f("s.seen"), f("s.one"), f("s.two")], {})
    org = rollup("org:x", rules, [low, mid, high])
    result = org.areas["model_creation"].dimensions["end_result"]
    assert result.level == "procedural"
    assert result.extra["repos"] == {"a": "initial", "b": "procedural", "c": "innovative"}
    assert result.extra["median_repo"] == "b"
