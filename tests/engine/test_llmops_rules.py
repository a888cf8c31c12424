"""The builtin LLMOps discovery rule: LLM judges run by background jobs on production answers are
evaluations that run automatically, but Innovative still needs evaluations that compare models, and a
judge run only by hand (or only a weak hint of one) is not automatic."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.engine.assess import assess_scope
from scanner.engine.rules import RuleSet, builtin_rules_dir, load_rules
from scanner.model import Finding, Location, Outcome
from scanner.registry import load_probes
from scanner.runner import ScanOptions, scan
from scanner.signals import known_signals
from scanner.targets import resolve_targets
from scanner.testing import make_repo
from tests.ci._support import gha, gjob
from tests.repo_llm.util import OPENAI_APP


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


def _deployment_level(root: Path) -> str | None:
    result = scan(resolve_targets([str(root)]), load_probes(), load_rules(builtin_rules_dir()), ScanOptions())
    return result.assessments[0].areas["llmops"].dimensions["deployment"].level


def test_a_deploy_that_ci_runs_when_a_person_starts_it_is_a_structured_deployment(tmp_path: Path) -> None:
    app = {"agent/chat.py": OPENAI_APP, "pyproject.toml": '[project]\nname = "agent"\n'}
    by_hand = gha(
        {"workflow_dispatch": None},
        {"deploy": gjob("uv sync", "uv run mda deploy . --name agent --deployment-type prod")},
        ".github/workflows/deploy.yml",
    )
    assert _deployment_level(make_repo(tmp_path, {**app, **by_hand}, name="deployed")) == "minimal"
    assert _deployment_level(make_repo(tmp_path, app, name="not-deployed")) == "initial"
