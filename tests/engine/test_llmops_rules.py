"""The builtin LLMOps discovery rule: LLM judges run by background jobs on production answers are
evaluations that run automatically, but Innovative still needs evaluations that compare models, and a
judge run only by hand (or only a weak hint of one) is not automatic."""

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


def f(signal: str, outcome: str = "true", confidence: str = "medium") -> Finding:
    return Finding("p", signal, "r", Outcome(outcome), confidence, signal, (Location(path="x.rb", line=1),), {})


BASE = [f("repo.llm.present"), f("repo.sample_or_template", "false"), f("repo.teaching_or_skeleton", "false")]
BASE += [f("ci.llm.eval_automated", "false"), f("mlflow.genai.eval_runs", "false")]


def _discovery(rules: RuleSet, findings: list[Finding]) -> str | None:
    return assess_scope("r", rules, findings, {}).areas["llmops"].dimensions["discovery_and_testing"].level


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        # (the Leading cell is blank: it inherits Innovative)
        ([f("repo.llm.multi_model_eval"), f("code.llm.online_judges")], "leading"),
        # a judge run only by hand, or named without being run by a job (low confidence), is not automatic
        ([f("repo.llm.multi_model_eval"), f("code.llm.online_judges", "false")], "procedural"),
        ([f("repo.llm.multi_model_eval"), f("code.llm.online_judges", confidence="low")], "procedural"),
        # online judges alone do not show that new models are compared
        ([f("repo.llm.multi_model_eval", "false"), f("code.llm.online_judges")], "procedural"),
    ],
)
def test_online_judges_are_automatic_evaluations(rules: RuleSet, extra: list[Finding], expected: str) -> None:
    assert _discovery(rules, BASE + extra) == expected
