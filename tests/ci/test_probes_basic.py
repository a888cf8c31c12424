"""Probes: CI present, schedules, artefacts, tests, integration tests, coverage gates, release automation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from probes.ci.presence import builds_artifacts, present, scheduled
from probes.ci.release import release_automation
from probes.ci.testing import coverage_gate, runs_integration_tests, runs_tests
from scanner.model import Finding
from scanner.testing import expect, run_on_repo
from scanner.views import Views
from tests.ci._support import PUSH_MAIN, gha, gjob

Probe = Callable[[Views], Iterable[Finding]]
DISPATCH = {"workflow_dispatch": None}
GITLAB_INTEGRATION = "it:\n  allow_failure: true\n  script: [pytest tests/integration]\n"

CASES: list[tuple[str, Probe, dict[str, str], str, str | None]] = [
    # ci.present
    ("present", present, gha(PUSH_MAIN, {"t": gjob("make")}), "true", "medium"),
    ("present_none", present, {"README.md": "# x\n"}, "false", None),
    ("present_only_examples", present, {"examples/demo/.gitlab-ci.yml": "t:\n  script: [make]\n"}, "false", None),
    ("present_unparsable", present, {".gitlab-ci.yml": "t: [\n"}, "not_available", None),
    # ci.scheduled
    ("scheduled", scheduled, gha({"schedule": [{"cron": "0 2 * * *"}]}, {"t": gjob("dvc repro")}), "true", "medium"),
    (
        "scheduled_report_only",
        scheduled,
        gha({"schedule": [{"cron": "0 8 * * 1"}]}, {"r": gjob("python render.py || true", continue_on_error=True)}),
        "true",
        "low",
    ),
    ("scheduled_push_only", scheduled, gha(PUSH_MAIN, {"t": gjob("make")}), "false", None),
    (
        "scheduled_template",
        scheduled,
        gha({"schedule": [{"cron": "0 2 * * *"}]}, {"t": gjob("make")}, "{{cookiecutter.x}}/.github/workflows/a.yml"),
        "false",
        None,
    ),
    # ci.builds_artifacts
    ("builds", builds_artifacts, gha(PUSH_MAIN, {"b": gjob("docker build -t app .")}), "true", "medium"),
    ("builds_manual", builds_artifacts, gha(DISPATCH, {"b": gjob("python -m build")}), "true", "low"),
    (
        "builds_upload_only",
        builds_artifacts,
        gha(PUSH_MAIN, {"t": gjob("pytest", {"uses": "actions/upload-artifact@v4"})}),
        "true",
        "low",
    ),
    ("builds_none", builds_artifacts, gha(PUSH_MAIN, {"t": gjob("pytest")}), "false", None),
    ("builds_docs_only", builds_artifacts, gha(PUSH_MAIN, {"d": gjob("mkdocs build")}), "false", None),
    # ci.runs_tests
    ("tests", runs_tests, gha(PUSH_MAIN, {"t": gjob("pip install -e .", "pytest -q")}), "true", "medium"),
    ("tests_manual_only", runs_tests, gha(DISPATCH, {"t": gjob("pytest")}), "true", "low"),
    ("tests_or_true", runs_tests, gha(PUSH_MAIN, {"t": gjob("pytest || true")}), "false", None),
    (
        "tests_continue_on_error",
        runs_tests,
        gha(PUSH_MAIN, {"t": gjob({"run": "pytest", "continue-on-error": True})}),
        "false",
        None,
    ),
    (
        "tests_job_allowed_to_fail",
        runs_tests,
        gha(PUSH_MAIN, {"t": gjob("pytest", continue_on_error=True)}),
        "false",
        None,
    ),
    ("tests_commented_out", runs_tests, gha(PUSH_MAIN, {"t": gjob("# pytest\nmake lint")}), "false", None),
    ("tests_examples_only", runs_tests, {"examples/.gitlab-ci.yml": "t:\n  script: [pytest]\n"}, "false", None),
    ("tests_none", runs_tests, gha(PUSH_MAIN, {"t": gjob("ruff check .")}), "false", None),
    (
        "tests_remote_include",
        runs_tests,
        {".gitlab-ci.yml": "include:\n  - template: Python.gitlab-ci.yml\n"},
        "false",
        None,
    ),
    # ci.runs_integration_tests
    ("integration", runs_integration_tests, gha(PUSH_MAIN, {"t": gjob("pytest -m integration")}), "true", "medium"),
    (
        "integration_services",
        runs_integration_tests,
        gha(PUSH_MAIN, {"t": gjob("pytest", services={"db": {"image": "postgres"}})}),
        "true",
        "medium",
    ),
    (
        "integration_unknown_service",
        runs_integration_tests,
        gha(PUSH_MAIN, {"t": gjob("pytest", services={"helper": {"image": "busybox"}})}),
        "true",
        "low",
    ),
    ("integration_plain_tests", runs_integration_tests, gha(PUSH_MAIN, {"t": gjob("pytest")}), "false", None),
    (
        "integration_compose_depends_on",
        runs_integration_tests,
        {
            **gha(PUSH_MAIN, {"t": gjob("docker-compose run app pytest tests")}),
            "docker-compose.yml": "services:\n  app:\n    build: .\n    depends_on:\n      - db\n  db:\n    image: x\n",
        },
        "true",
        "medium",
    ),
    (
        "integration_compose_no_deps",
        runs_integration_tests,
        {
            **gha(PUSH_MAIN, {"t": gjob("docker-compose run app pytest tests")}),
            "docker-compose.yml": "services:\n  app:\n    build: .\n",
        },
        "false",
        None,
    ),
    ("integration_allow_failure", runs_integration_tests, {".gitlab-ci.yml": GITLAB_INTEGRATION}, "false", None),
    # ci.coverage_gate
    (
        "coverage_flag",
        coverage_gate,
        gha(PUSH_MAIN, {"t": gjob("pytest --cov=src --cov-fail-under=80")}),
        "true",
        "medium",
    ),
    (
        "coverage_config",
        coverage_gate,
        {
            **gha(PUSH_MAIN, {"t": gjob("pytest --cov=src")}),
            "pyproject.toml": "[tool.coverage.report]\nfail_under = 90\n",
        },
        "true",
        "medium",
    ),
    (
        "coverage_config_no_ci",
        coverage_gate,
        {**gha(PUSH_MAIN, {"t": gjob("pytest")}), "pyproject.toml": "[tool.coverage.report]\nfail_under = 90\n"},
        "false",
        None,
    ),
    (
        "coverage_masked",
        coverage_gate,
        gha(PUSH_MAIN, {"t": gjob("pytest --cov-fail-under=80 || true")}),
        "false",
        None,
    ),
    # ci.release_automation
    (
        "release_action",
        release_automation,
        gha(PUSH_MAIN, {"r": gjob({"uses": "googleapis/release-please-action@v4"})}),
        "true",
        "medium",
    ),
    (
        "release_tag_publish",
        release_automation,
        gha({"push": {"tags": ["v*"]}}, {"p": gjob("python -m build", "twine upload dist/*")}),
        "true",
        "medium",
    ),
    ("release_config_only", release_automation, {"release-please-config.json": "{}\n"}, "true", "low"),
    ("release_none", release_automation, gha(PUSH_MAIN, {"t": gjob("pytest")}), "false", None),
    ("release_config_in_examples", release_automation, {"examples/x/.releaserc.json": "{}\n"}, "false", None),
]


@pytest.mark.parametrize(("name", "probe", "files", "outcome", "confidence"), CASES, ids=[c[0] for c in CASES])
def test_probe(
    tmp_path: Path, name: str, probe: Probe, files: dict[str, str], outcome: str, confidence: str | None
) -> None:
    expect(run_on_repo(probe, tmp_path, files), outcome, confidence)


def test_present_counts_and_locations(tmp_path: Path) -> None:
    files = {
        **gha(PUSH_MAIN, {"a": gjob("make"), "b": gjob("make")}),
        ".gitlab-ci.yml": "t:\n  script: [make]\n",
        "examples/.gitlab-ci.yml": "t:\n  script: [make]\n",
    }
    found = run_on_repo(present, tmp_path, files).finding
    assert found.values["systems"] == ["github_actions", "gitlab"] and found.values["jobs"] == 3
    assert found.values["ignored_non_practice"] == 1
    assert [loc.label() for loc in found.locations] == [".github/workflows/ci.yml:1", ".gitlab-ci.yml:1"]


def test_runs_tests_points_at_the_command(tmp_path: Path) -> None:
    found = run_on_repo(
        runs_tests, tmp_path, gha(PUSH_MAIN, {"t": gjob("pip install .", "pytest -q", "pytest || true")})
    ).finding
    assert [loc.label() for loc in found.locations] == [".github/workflows/ci.yml:11"]
    assert found.values["masked"] == 1


def test_absent_says_what_was_not_read(tmp_path: Path) -> None:
    files = {".gitlab-ci.yml": "include:\n  - template: Python.gitlab-ci.yml\nlint:\n  script: [ruff check .]\n"}
    found = run_on_repo(runs_tests, tmp_path, files).finding
    assert found.values["includes_not_read"] == ["template:Python.gitlab-ci.yml"]
    assert "not read" in found.message


MATRIX_OF_TASKS = """on: [push, pull_request]
jobs:
  checks:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ['3.10', '3.11']
        task:
          - name: Lint
            run: ruff check .
        include:
          - python: '3.10'
            task:
              name: Test
              run: |
                pytest -v tests/
    steps:
      - uses: actions/checkout@v4
      - name: ${{ matrix.task.name }}
        run: |
          . .venv/bin/activate
          ${{ matrix.task.run }}
      - run: echo python ${{ matrix.python }}
"""


def test_runs_tests_reads_the_commands_a_matrix_gives_a_step(tmp_path: Path) -> None:
    found = run_on_repo(runs_tests, tmp_path, {".github/workflows/main.yml": MATRIX_OF_TASKS}).finding
    assert (found.outcome, found.confidence) == ("true", "medium")
    assert [loc.label() for loc in found.locations] == [".github/workflows/main.yml:22"]


def test_a_matrix_of_labels_leaves_the_command_as_written(tmp_path: Path) -> None:
    from tests.ci._support import model_of

    ci = model_of(tmp_path, {".github/workflows/main.yml": MATRIX_OF_TASKS})
    runs = [s.run for _, _, s in ci.steps() if s.run]
    assert runs[0].splitlines() == [". .venv/bin/activate", "ruff check . ; pytest -v tests/"]
    assert runs[1] == "echo python ${{ matrix.python }}"
