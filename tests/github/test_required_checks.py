"""gh.required_checks.ml: required status checks matched to CI jobs that run ML tests or evaluations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from probes.github.checks import required_checks_ml
from scanner.facts.ci.build import build_ci
from scanner.facts.github import RepoFacts
from scanner.testing import index_of, run_probe
from scanner.views import Views

WORKFLOW = """name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    strategy: {matrix: {python: ["3.11"]}}
    steps:
      - uses: actions/checkout@v4
      - run: pytest tests/
  evaluate:
    name: model-eval
    runs-on: ubuntu-latest
    steps:
      - run: python evaluate.py --fail-under 0.8
  lint:
    runs-on: ubuntu-latest
    continue-on-error: true
    steps:
      - run: pytest --collect-only
"""


def _facts(protection: dict[str, Any] | None, rulesets: list[dict[str, Any]], missing: dict[str, str]) -> RepoFacts:
    return RepoFacts("acme/churn", "https://github.com/acme/churn", "main", protection, rulesets, missing=missing)


def _ruleset(*contexts: str) -> dict[str, Any]:
    checks = [{"context": c} for c in contexts]
    return {"enforcement": "ACTIVE", "rules": {"nodes": [{"parameters": {"requiredStatusChecks": checks}}]}}


CASES = [
    ("matrix_job_required", {"requiredStatusCheckContexts": ["test (3.11)"]}, [], {}, "true"),
    ("eval_job_by_name_in_ruleset", None, [_ruleset("model-eval")], {}, "true"),
    ("only_lint_required", {"requiredStatusCheckContexts": ["lint"]}, [], {}, "false"),
    ("nothing_required", {"requiredStatusCheckContexts": []}, [], {}, "false"),
    ("no_permission", None, [], {"rulesets": "FORBIDDEN"}, "not_available"),
]


@pytest.mark.parametrize(
    ("protection", "rulesets", "missing", "outcome"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_required_checks_ml(
    tmp_path: Path,
    protection: dict[str, Any] | None,
    rulesets: list[dict[str, Any]],
    missing: dict[str, str],
    outcome: str,
) -> None:
    index = index_of(tmp_path, {".github/workflows/ci.yml": WORKFLOW, "evaluate.py": "import sys\n"})
    views = Views(subject="churn", repo=index, ci=build_ci(index), github=_facts(protection, rulesets, missing))
    finding = run_probe(required_checks_ml, views).finding
    assert finding.outcome.value == outcome, finding.message
    if outcome == "true":
        assert any(loc.path == ".github/workflows/ci.yml" for loc in finding.locations)
