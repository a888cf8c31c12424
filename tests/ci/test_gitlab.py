"""GitLab CI parser: jobs vs keywords/templates, extends, !reference, includes, rules/only/except, stages."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.facts.ci.model import PULL_REQUEST, PUSH, SCHEDULE, TAG, CIModel
from tests.ci._support import job, kinds, model_of, pipeline

GITLAB = (Path(__file__).parent / "data" / "gitlab-ci.yml").read_text()


@pytest.fixture(scope="module")
def ci(tmp_path_factory: pytest.TempPathFactory) -> CIModel:
    files: dict[str, str | bytes] = {
        ".gitlab-ci.yml": GITLAB,
        "ci/train.yml": "train:\n  stage: build\n  script:\n    - python src/train.py\n",
    }
    return model_of(tmp_path_factory.mktemp("gitlab"), files)


def test_jobs_keywords_and_templates(ci: CIModel) -> None:
    p = pipeline(ci, ".gitlab-ci.yml")
    ids = [j.id for j in p.jobs]
    assert "train" in ids and "unit" in ids and "pages" in ids
    assert not {"stages", "default", "include", ".tests"} & set(ids)
    assert p.includes == ("project:platform/templates /python.yml", "remote:https://example.org/ci.yml")
    assert kinds(p.triggers) == [PUSH]


def test_extends_default_and_reference(ci: CIModel) -> None:
    p = pipeline(ci, ".gitlab-ci.yml")
    unit = job(p, "unit")
    assert [s.run for s in unit.steps] == ["pip install -r requirements.txt", "pytest -q"]
    assert unit.steps[1].line == 13  # the script line of the `.tests` template it extends
    lint = job(p, "lint")
    assert [s.run for s in lint.steps][1:] == ["pytest -q", "ruff check ."]
    train = job(p, "train")
    assert train.path == "ci/train.yml" and train.steps[-1].line == 4


def test_stage_order_gives_needs(ci: CIModel) -> None:
    p = pipeline(ci, ".gitlab-ci.yml")
    assert job(p, "unit").needs == ("train",)
    assert job(p, "lint").needs == ()  # `needs: []` starts at once
    assert set(job(p, "deploy_staging").needs) >= {"unit", "integration"}
    assert job(p, "integration").can_fail and job(p, "integration").services == ("postgres:16",)


@pytest.mark.parametrize(
    ("job_id", "expected", "automatic"),
    [
        ("deploy_staging", [(PUSH, ("$default",))], True),
        ("deploy_prod", [(TAG, ())], False),
        ("release", [(TAG, ())], True),
        ("nightly", [(SCHEDULE, ())], True),
        ("promote", [(PUSH, ("main",))], False),
        ("unit", [(PUSH, ())], True),
    ],
)
def test_rules_only_except(
    ci: CIModel, job_id: str, expected: list[tuple[str, tuple[str, ...]]], automatic: bool
) -> None:
    p = pipeline(ci, ".gitlab-ci.yml")
    j = job(p, job_id)
    assert [(t.kind, t.branches) for t in ci.effective_triggers(p, j)] == expected
    assert ci.is_automatic(p, j) is automatic


def test_manual_gates_and_environments(ci: CIModel) -> None:
    p = pipeline(ci, ".gitlab-ci.yml")
    assert job(p, "deploy_prod").manual_gate and job(p, "deploy_prod").environment == "production"
    assert ci.is_gated(p, job(p, "promote"))  # rule-level `when: manual`
    assert job(p, "stop_review").environment is None  # action: stop is not a deploy
    stop = ci.effective_triggers(p, job(p, "stop_review"))
    assert [(t.kind, t.ignore_branches) for t in stop] == [(PUSH, ("main",))]
    assert PULL_REQUEST not in kinds(ci.effective_triggers(p, job(p, "deploy_staging")))


def test_malformed_gitlab_file(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {".gitlab-ci.yml": "test:\n  script:\n    - pytest\n  bad: [\n"})
    assert ci.pipelines == ()
    assert ci.errors[0].path == ".gitlab-ci.yml" and ci.errors[0].line == 5


def test_workflow_rules_set_pipeline_triggers(tmp_path: Path) -> None:
    text = (
        "workflow:\n  rules:\n"
        "    - if: $CI_PIPELINE_SOURCE == 'merge_request_event'\n"
        "    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH || $CI_COMMIT_TAG\n"
        "test:\n  script: [pytest]\n"
    )
    ci = model_of(tmp_path, {".gitlab-ci.yml": text})
    p = pipeline(ci, ".gitlab-ci.yml")
    assert [(t.kind, t.branches, t.line) for t in p.triggers] == [
        (PULL_REQUEST, (), 3),
        (PUSH, ("$default",), 4),
        (TAG, (), 4),
    ]
