"""GitHub Actions parser: triggers in every `on:` form, jobs, steps, conditions, reusable workflows."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.facts.ci.model import EXTERNAL, MANUAL, OTHER, PULL_REQUEST, PUSH, RELEASE, SCHEDULE, TAG, CIModel
from tests.ci._support import job, kinds, model_of, pipeline

JOB = "  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
ON_CASES = {
    "string": ("on: push\n", [PUSH]),
    "quoted_key": ("'on': [push, pull_request]\n", [PULL_REQUEST, PUSH]),
    "list": ("on: [push, workflow_dispatch]\n", [MANUAL, PUSH]),
    "tags_only": ("on:\n  push:\n    tags: ['v*']\n", [TAG]),
    "branches_and_tags": ("on:\n  push:\n    branches: [main]\n    tags: ['v*']\n", [PUSH, TAG]),
    "schedule": ("on:\n  schedule:\n    - cron: '0 2 * * *'\n    - cron: '0 4 * * 1'\n", [SCHEDULE, SCHEDULE]),
    "dispatch": ("on:\n  repository_dispatch:\n    types: [retrain]\n", [EXTERNAL]),
    "release": ("on:\n  release:\n    types: [published]\n", [RELEASE]),
    "call": ("on:\n  workflow_call:\n", [OTHER]),
    "comment": ("on: issue_comment\n", [MANUAL]),
}


@pytest.fixture(scope="module")
def ci(tmp_path_factory: pytest.TempPathFactory) -> CIModel:
    files: dict[str, str | bytes] = {
        f".github/workflows/{k}.yml": f"{on}jobs:\n{JOB}" for k, (on, _) in ON_CASES.items()
    }
    files.update(
        {
            ".github/workflows/jobs.yml": (Path(__file__).parent / "data" / "gha_jobs.yml").read_text(),
            ".github/workflows/deploy.yaml": (Path(__file__).parent / "data" / "gha_reusable.yml").read_text(),
            ".github/workflows/after.yml": "on:\n  workflow_run:\n    workflows: [jobs]\n    types: [completed]\n"
            "    branches: [main]\njobs:\n" + JOB,
            ".github/actions/setup/action.yml": "runs:\n  using: composite\n  steps:\n    - run: pytest tests\n"
            "      shell: bash\n",
            ".github/workflows/broken.yml": "on: push\njobs:\n  a:\n    steps: [\n",
            ".github/workflows/shape.yml": "on: push\njobs: [a, b]\n",
            "sub/.github/workflows/nested.yml": "on: push\njobs:\n" + JOB,
            "{{cookiecutter.name}}/.github/workflows/t.yml": "on: push\njobs:\n" + JOB,
        }
    )
    return model_of(tmp_path_factory.mktemp("gha"), files)


@pytest.mark.parametrize("case", sorted(ON_CASES))
def test_on_forms(ci: CIModel, case: str) -> None:
    p = pipeline(ci, f".github/workflows/{case}.yml")
    assert kinds(p.triggers) == ON_CASES[case][1]
    assert all(t.path == p.path and t.line for t in p.triggers)


def test_trigger_details(ci: CIModel) -> None:
    assert [t.detail for t in pipeline(ci, ".github/workflows/schedule.yml").triggers] == ["0 2 * * *", "0 4 * * 1"]
    assert pipeline(ci, ".github/workflows/dispatch.yml").triggers[0].types == ("retrain",)
    tags = pipeline(ci, ".github/workflows/branches_and_tags.yml").triggers
    assert [(t.branches, t.tags) for t in tags] == [(("main",), ()), ((), ("v*",))]


def test_jobs_and_steps(ci: CIModel) -> None:
    p = pipeline(ci, ".github/workflows/jobs.yml")
    assert [j.id for j in p.jobs] == ["test", "deploy", "docs", "release/ship", "release"]  # no `disabled` (if: false)
    test = job(p, "test")
    assert test.services == ("postgres",)
    assert test.can_fail is False
    run = test.steps[2]
    assert run.run.startswith("pytest") and run.line == 17 and run.run_line == 19
    assert run.working_directory == "backend"
    assert test.steps[3].can_fail is True
    setup = test.steps[1]
    assert setup.uses == "./.github/actions/setup" and setup.children[0].run.strip() == "pytest tests"
    assert setup.children[0].path == ".github/actions/setup/action.yml"
    deploy = job(p, "deploy")
    assert deploy.needs == ("test",) and deploy.environment == "production"
    assert job(p, "docs").environment == "github-pages" and job(p, "docs").can_fail


def test_job_condition_narrows_triggers(ci: CIModel) -> None:
    p = pipeline(ci, ".github/workflows/jobs.yml")
    deploy = job(p, "deploy")
    assert deploy.triggers is not None
    assert [(t.kind, t.branches) for t in deploy.triggers] == [(PUSH, ("main",)), (MANUAL, ())]
    assert ci.is_automatic(p, deploy)
    manual_step = deploy.steps[1]
    assert kinds(ci.effective_triggers(p, deploy, manual_step)) == [MANUAL]
    assert ci.is_manual_only(p, deploy, manual_step)


def test_reusable_workflow_is_inlined(ci: CIModel) -> None:
    caller = pipeline(ci, ".github/workflows/jobs.yml")
    callee = pipeline(ci, ".github/workflows/deploy.yaml")
    assert callee.called_by == (".github/workflows/jobs.yml",) and callee.inlined_only
    assert all(p is not callee for p, _ in ci.jobs())
    inner = job(caller, "release/ship")
    assert inner.environment == "prod"  # ${{ inputs.target }} filled from the caller's `with:`
    assert inner.path == ".github/workflows/deploy.yaml" and inner.needs == ("test",)
    assert ci.is_automatic(caller, inner)
    assert job(caller, "release").needs == ("release/ship",)


def test_workflow_run_follows_upstream(ci: CIModel) -> None:
    p = pipeline(ci, ".github/workflows/after.yml")
    effective = ci.effective_triggers(p, p.jobs[0])
    assert PUSH in kinds(effective)
    assert any(t.kind == PUSH and t.covers_default_branch() for t in effective)


def test_malformed_and_misshapen_files_are_errors(ci: CIModel) -> None:
    errors = {e.path: e for e in ci.errors}
    assert errors[".github/workflows/broken.yml"].line == 5
    assert "invalid YAML" in errors[".github/workflows/broken.yml"].message
    assert errors[".github/workflows/shape.yml"].line == 2
    assert pipeline(ci, ".github/workflows/shape.yml").jobs == ()


def test_only_root_workflows_count(ci: CIModel) -> None:
    paths = {p.path for p in ci.pipelines}
    assert "sub/.github/workflows/nested.yml" not in paths
    assert set(ci.ignored) == {"sub/.github/workflows/nested.yml", "{{cookiecutter.name}}/.github/workflows/t.yml"}
