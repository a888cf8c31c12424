"""The builtin People rules: several maintainers or post-deployment metrics lift software engineers to
Procedural, but not in a one-person repository nor in a sample."""

from __future__ import annotations

import pytest

from scanner.engine.assess import assess_scope
from scanner.engine.rules import RuleSet, builtin_rules_dir, load_rules
from scanner.model import Finding, Location, Outcome
from scanner.registry import load_probes
from scanner.signals import known_signals


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(builtin_rules_dir(), known_signals(load_probes()))


def f(signal: str, outcome: str = "true") -> Finding:
    return Finding("p", signal, "r", Outcome(outcome), "medium", signal, (Location(path="x.py", line=1),), {})


BASE = [f("repo.llm.present"), f("people.se.present"), f("repo.sample_or_template", "false")]
BASE += [f("repo.teaching_or_skeleton", "false")]


def _se_level(rules: RuleSet, findings: list[Finding]) -> str | None:
    return assess_scope("r", rules, findings, {}).areas["people"].dimensions["software_engineers"].level


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ([f("repo.app_metrics.emitted"), f("git.repo.single_author", "false")], "procedural"),
        ([f("people.team.shared_model_code")], "procedural"),
        # look-alikes: one person's project with metrics, a sample maintained by several people
        ([f("repo.app_metrics.emitted"), f("git.repo.single_author")], "minimal"),
        ([f("people.team.shared_model_code", "false"), f("repo.app_metrics.emitted", "false")], "minimal"),
    ],
)
def test_software_engineers_procedural(rules: RuleSet, extra: list[Finding], expected: str) -> None:
    assert _se_level(rules, BASE + extra) == expected


def test_a_sample_maintained_by_several_people_stays_minimal(rules: RuleSet) -> None:
    sample = [x for x in BASE if x.signal != "repo.sample_or_template"] + [f("repo.sample_or_template")]
    assert _se_level(rules, [*sample, f("people.team.shared_model_code"), f("repo.app_metrics.emitted")]) == "minimal"
