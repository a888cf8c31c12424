"""CircleCI and Jenkins parsers."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.facts.ci.model import PUSH, SCHEDULE, TAG, CIModel
from tests.ci._support import job, kinds, model_of, pipeline

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def ci(tmp_path_factory: pytest.TempPathFactory) -> CIModel:
    files: dict[str, str | bytes] = {
        ".circleci/config.yml": (DATA / "circleci.yml").read_text(),
        "Jenkinsfile": (DATA / "Jenkinsfile").read_text(),
        "services/api/Jenkinsfile.deploy": "node {\n  stage('Deploy') {\n    sh 'helm upgrade api chart'\n  }\n}\n",
        "examples/Jenkinsfile": "pipeline { stages { stage('x') { steps { sh 'make deploy' } } } }\n",
    }
    return model_of(tmp_path_factory.mktemp("circle"), files)


def test_circleci_workflows(ci: CIModel) -> None:
    main = pipeline(ci, ".circleci/config.yml", "main")
    assert [j.id for j in main.jobs] == ["test", "aws-ecr/build-and-push-image", "hold", "deploy"]
    test = job(main, "test")
    assert test.services == ("cimg/postgres:16",)
    assert test.steps[1].children[0].run == "pip install -r requirements.txt"  # reusable command expanded
    assert test.steps[2].run.strip() == "pytest -m integration" and test.steps[2].run_line == 19
    orb = job(main, "aws-ecr/build-and-push-image")
    assert orb.steps[0].uses == "aws-ecr/build-and-push-image" and orb.steps[0].input("repo") == "api"
    assert job(main, "hold").manual_gate
    deploy = job(main, "deploy")
    assert deploy.input("context") == "production"
    assert kinds(ci.effective_triggers(main, deploy)) == [TAG] and ci.is_gated(main, deploy)
    nightly = pipeline(ci, ".circleci/config.yml", "nightly")
    assert [(t.kind, t.branches, t.detail) for t in nightly.triggers] == [(SCHEDULE, ("main",), "0 1 * * *")]


def test_jenkins_stages_and_steps(ci: CIModel) -> None:
    p = pipeline(ci, "Jenkinsfile")
    assert [j.id for j in p.jobs] == ["Test", "Checks", "Lint", "Types", "Deploy", "Release"]
    test = job(p, "Test")
    assert [(s.run, s.line, s.can_fail) for s in test.steps] == [("pytest -q", 8, False), ("flake8", 10, True)]
    assert job(p, "Types").steps[0].can_fail and not job(p, "Lint").steps[0].can_fail
    assert job(p, "Lint").needs == ("Test",) and job(p, "Deploy").needs == ("Checks",)
    deploy = job(p, "Deploy")
    assert deploy.manual_gate and deploy.steps[0].run.strip() == "kubectl apply -f k8s/"
    assert deploy.steps[0].run_line == 25
    assert [(t.kind, t.branches) for t in ci.effective_triggers(p, deploy)] == [(PUSH, ("main",)), (SCHEDULE, ())]
    assert kinds(ci.effective_triggers(p, job(p, "Release"))) == [TAG]
    assert [(t.kind, t.detail) for t in p.triggers][1] == (SCHEDULE, "H 2 * * *")


def test_jenkins_scripted_and_examples(ci: CIModel) -> None:
    scripted = pipeline(ci, "services/api/Jenkinsfile.deploy")
    assert scripted.jobs[0].steps[0].run == "helm upgrade api chart"
    assert "examples/Jenkinsfile" in ci.ignored


def test_jenkins_unbalanced_braces(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {"Jenkinsfile": "pipeline {\n  stages {\n    stage('a') {\n      sh 'x'\n"})
    assert ci.pipelines == () and ci.errors[0].line == 3


def test_circleci_malformed(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {".circleci/config.yml": "version: 2.1\njobs:\n  a: {steps: [\n"})
    assert ci.pipelines == () and ci.errors[0].path == ".circleci/config.yml" and ci.errors[0].line
