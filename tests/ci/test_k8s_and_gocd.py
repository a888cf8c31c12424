"""GoCD pipelines as code, Tekton (with Pipelines-as-Code) and Argo Workflows."""

from __future__ import annotations

from pathlib import Path

from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import OTHER, PULL_REQUEST, PUSH, SCHEDULE
from tests.ci._support import job, kinds, model_of, pipeline

GOCD = """format_version: 10
pipelines:
  app:
    materials:
      repo: {git: https://example.com/app.git, branch: main}
    stages:
      - test:
          jobs:
            unit:
              tasks:
                - exec: {command: bash, arguments: [-c, "pytest -q"]}
      - deploy:
          approval: {type: manual}
          jobs:
            prod:
              tasks:
                - script: helm upgrade --install app ./chart
"""


def test_gocd_stages_and_approval(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {"ci.gocd.yaml": GOCD})
    p = pipeline(ci, "ci.gocd.yaml", "app")
    assert kinds(p.triggers) == [PUSH] and p.triggers[0].branches == ("main",)
    prod = job(p, "deploy/prod")
    assert prod.needs == ("test/unit",) and ci.is_gated(p, prod)
    assert [j.id for _, j, s in ci.steps() if cmd.hits(s, cmd.TEST)] == ["test/unit"]


TEKTON_PIPELINE = """apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: on-push
  annotations:
    pipelinesascode.tekton.dev/on-event: "[push, pull_request]"
    pipelinesascode.tekton.dev/on-target-branch: "[main]"
spec:
  pipelineSpec:
    tasks:
      - name: test
        taskRef: {name: pytest}
      - name: deploy
        runAfter: [test]
        taskSpec:
          steps:
            - name: apply
              image: bitnami/kubectl
              script: kubectl apply -f k8s/
"""
TEKTON_TASK = """apiVersion: tekton.dev/v1
kind: Task
metadata: {name: pytest}
spec:
  steps:
    - name: run
      image: python:3.11
      command: [python, -m, pytest]
"""


def test_tekton_pipelines_as_code(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {".tekton/push.yaml": TEKTON_PIPELINE, "ci/tasks/pytest.yaml": TEKTON_TASK})
    p = pipeline(ci, ".tekton/push.yaml")
    assert kinds(p.triggers) == [PULL_REQUEST, PUSH]
    assert job(p, "deploy").needs == ("test",)
    assert {j.id for _, j, s in ci.steps() if cmd.hits(s, cmd.TEST)} == {"test"}
    assert {j.id for _, j, s in ci.steps() if cmd.hits(s, cmd.DEPLOY)} == {"deploy"}


ARGO = """apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata: {name: retrain}
spec:
  schedule: "0 3 * * 1"
  workflowSpec:
    entrypoint: main
    templates:
      - name: main
        dag:
          tasks:
            - {name: prep, template: prepare}
            - {name: fit, template: train, dependencies: [prep]}
      - name: prepare
        container: {image: app, command: [python, prepare.py]}
      - name: train
        script:
          image: app
          source: python train.py --epochs 3
"""


ADHOC = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: train-}
spec:
  entrypoint: train
  templates:
    - name: train
      container: {image: app, command: [python, train.py]}
"""


def test_argo_cron_workflow(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            "workflows/retrain.yaml": ARGO,
            "workflows/adhoc.yaml": ADHOC,
            # look-alikes: an Argo CD Application and a Helm template are not workflows
            "deploy/app.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec: {}\n",
            "charts/x/templates/wf.yaml": ARGO,
        },
    )
    assert sorted(p.path for p in ci.pipelines) == ["workflows/adhoc.yaml", "workflows/retrain.yaml"]
    cron = pipeline(ci, "workflows/retrain.yaml")
    assert kinds(cron.triggers) == [SCHEDULE]
    assert job(cron, "train").needs == ("prepare",)
    adhoc = pipeline(ci, "workflows/adhoc.yaml")
    assert kinds(adhoc.triggers) == [OTHER]
    train = job(adhoc, "train")
    assert not ci.is_automatic(adhoc, train) and not ci.is_manual_only(adhoc, train)
    assert any(cmd.hits(s, cmd.TRAIN) for s in job(cron, "train").steps)
