"""Azure Pipelines parser: triggers and defaults, stages/jobs/steps, deployment jobs, templates,
conditions with runtime variables, ManualValidation gates."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.facts.ci.model import PULL_REQUEST, PUSH, SCHEDULE, TAG, WORKFLOW_RUN, CIModel
from tests.ci._support import job, kinds, model_of, pipeline

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def ci(tmp_path_factory: pytest.TempPathFactory) -> CIModel:
    files: dict[str, str | bytes] = {
        "azure-pipelines.yml": (DATA / "azure-pipelines.yml").read_text(),
        "templates/deploy.yml": (DATA / "azure-deploy-template.yml").read_text(),
        "pipelines/azure-pipelines-lint.yml": "steps:\n  - script: ruff check .\n",
        "docs/azure-pipelines.yml": "steps:\n  - script: make html\n",
    }
    return model_of(tmp_path_factory.mktemp("azure"), files)


def test_triggers(ci: CIModel) -> None:
    p = pipeline(ci, "azure-pipelines.yml")
    assert kinds(p.triggers) == [PUSH, SCHEDULE, TAG, WORKFLOW_RUN]
    assert next(t for t in p.triggers if t.kind == WORKFLOW_RUN).workflows == ("model-training",)
    lint = pipeline(ci, "pipelines/azure-pipelines-lint.yml")
    assert kinds(lint.triggers) == [PULL_REQUEST, PUSH]  # defaults: CI and PR on every branch


def test_stages_jobs_steps(ci: CIModel) -> None:
    p = pipeline(ci, "azure-pipelines.yml")
    assert [j.id for j in p.jobs] == ["Build.test", "Staging.deploy_staging", "Approve.wait", "Prod.deploy_production"]
    test = job(p, "Build.test")
    assert test.services == ("redis",)
    assert test.steps[0].run.strip() == "python -m pytest tests" and test.steps[0].run_line == 25
    assert test.steps[1].can_fail
    assert p.includes == ("template:templates/other-repo.yml@tools",)


def test_templates_and_deployment_jobs(ci: CIModel) -> None:
    p = pipeline(ci, "azure-pipelines.yml")
    staging = job(p, "Staging.deploy_staging")
    assert staging.environment == "staging" and staging.uses == "deployment"
    assert staging.path == "templates/deploy.yml" and staging.needs == ("Build.test",)
    assert "deploy-staging.yml" in staging.steps[0].input("inlineScript")
    assert "templates/deploy.yml" not in {x.path for x in ci.pipelines}


def test_manual_validation_gates_later_stages(ci: CIModel) -> None:
    p = pipeline(ci, "azure-pipelines.yml")
    assert job(p, "Approve.wait").manual_gate
    prod = job(p, "Prod.deploy_production")
    assert prod.environment == "production"
    assert ci.is_gated(p, prod) and not ci.is_gated(p, job(p, "Staging.deploy_staging"))


def test_condition_with_runtime_variable(ci: CIModel) -> None:
    p = pipeline(ci, "azure-pipelines.yml")
    prod = job(p, "Prod.deploy_production")
    assert [(t.kind, t.branches) for t in ci.effective_triggers(p, prod)][:2] == [
        (PUSH, ("main",)),
        (SCHEDULE, ("main",)),
    ]


def test_docs_folder_is_not_practice(ci: CIModel) -> None:
    assert "docs/azure-pipelines.yml" in ci.ignored


def test_malformed_azure_file(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            "azure-pipelines.yml": "steps:\n  - script: a\n    bad: : x\n",
            "ci/azure-pipelines.yml": "trigger: none\nsteps:\n  - script: pytest\n",
        },
    )
    assert [e.path for e in ci.errors] == ["azure-pipelines.yml"] and ci.errors[0].line == 3
    assert [p.path for p in ci.pipelines] == ["ci/azure-pipelines.yml"]
