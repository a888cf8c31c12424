"""CodeBuild, Cloud Build, Buildkite, Travis, Drone and Bitbucket Pipelines on the shared model."""

from __future__ import annotations

from pathlib import Path

from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import EXTERNAL, MANUAL, PULL_REQUEST, PUSH, TAG, CIModel
from tests.ci._support import job, kinds, model_of, pipeline


def _hits(ci: CIModel, category: str) -> list[str]:
    return [j.id for _, j, s in ci.steps() if cmd.hits(s, category)]


BUILDSPEC = """version: 0.2
phases:
  install:
    commands:
      - pip install -r requirements.txt
  build:
    commands:
      - pytest -q
      - terraform apply -auto-approve
"""


def test_codebuild_phases(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path, {"buildspec.yml": BUILDSPEC, "docs/buildspec.yml": BUILDSPEC, "infra/buildspec-x.yml": "a: 1\n"}
    )
    assert [p.path for p in ci.pipelines] == ["buildspec.yml"]
    p = pipeline(ci, "buildspec.yml")
    assert p.system == "codebuild" and kinds(p.triggers) == [EXTERNAL]
    assert _hits(ci, cmd.TEST) == ["build"] and _hits(ci, cmd.DEPLOY) == ["build"]


CLOUDBUILD = """steps:
  - name: gcr.io/cloud-builders/docker
    args: [build, -t, gcr.io/$PROJECT_ID/api, .]
  - name: gcr.io/google.com/cloudsdktool/cloud-sdk
    entrypoint: gcloud
    args: [run, deploy, api, --image, gcr.io/$PROJECT_ID/api]
  - name: python:3.11
    entrypoint: bash
    args: [-c, "pip install -r req.txt && pytest"]
images: [gcr.io/$PROJECT_ID/api]
"""


def test_cloud_build_any_file_name(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            "deploy/build-api.yaml": CLOUDBUILD,
            # look-alikes: a compose file, a GitHub-style list of steps, k8s manifests with `steps`
            "conf/steps.yaml": "steps:\n  - name: first\n    run: echo hi\n",
            "k8s/job.yaml": "apiVersion: v1\nkind: Pod\nsteps:\n  - name: gcr.io/x/y\n    args: [a]\n",
        },
    )
    p = pipeline(ci, "deploy/build-api.yaml")
    assert p.system == "cloud_build"
    assert len(ci.pipelines) == 1
    assert _hits(ci, cmd.BUILD) == ["step-1"]
    assert _hits(ci, cmd.DEPLOY) == ["step-2"]
    assert _hits(ci, cmd.TEST) == ["step-3"]
    assert job(p, "step-3").needs == ("step-2",)


SUBSTITUTED_IMAGES = """steps:
- name: 'gcr.io/cloud-builders/git'
  args: ['clone', '--branch', '$_BRANCH', '$_REPO_URL']
  id: 'Clone Repository'
- name: '$_CICD_IMAGE_URI'
  entrypoint: 'pytest'
  args: ['src/tests/model_tests.py']
  id: 'Test Model'
  waitFor: ['Clone Repository']
- name: '${_CICD_IMAGE_URI}'
  entrypoint: 'python'
  args: ['build/utils.py', '--mode', 'deploy-model']
  id: 'Deploy Model'
  waitFor: ['Test Model']
"""


def test_cloud_build_steps_on_a_substituted_image(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {"build/model-deployment.yaml": SUBSTITUTED_IMAGES})
    p = pipeline(ci, "build/model-deployment.yaml")
    assert p.system == "cloud_build"
    assert [j.id for j in p.jobs] == ["Clone Repository", "Test Model", "Deploy Model"]
    assert _hits(ci, cmd.TEST) == ["Test Model"]
    assert job(p, "Deploy Model").needs == ("Test Model",)


BUILDKITE = """steps:
  - label: tests
    command: pytest
  - wait
  - block: ":rocket: Release"
  - label: deploy
    branches: main
    commands:
      - kubectl apply -f k8s/
"""


def test_buildkite_wait_and_block(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {".buildkite/pipeline.yml": BUILDKITE})
    p = pipeline(ci, ".buildkite/pipeline.yml")
    deploy = job(p, "step-4")
    assert deploy.needs == ("step-1",)
    assert ci.is_gated(p, deploy) and not ci.is_automatic(p, deploy)
    assert not ci.is_gated(p, job(p, "step-1"))
    assert _hits(ci, cmd.DEPLOY) == ["step-4"]


TRAVIS = """language: python
branches:
  only: [main]
script: pytest
deploy:
  - provider: pages
    skip_cleanup: true
  - provider: heroku
    app: api
    on:
      tags: true
"""


def test_travis_script_and_deploy_providers(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {".travis.yml": TRAVIS})
    p = pipeline(ci, ".travis.yml")
    assert kinds(p.triggers) == [PULL_REQUEST, PUSH]
    deploys = [(j, s) for _, j, s in ci.steps() if cmd.hits(s, cmd.DEPLOY)]
    assert len(deploys) == 1, "GitHub Pages is documentation, not a deploy"
    j, s = deploys[0]
    assert kinds(ci.effective_triggers(p, j, s)) == [TAG]
    assert _hits(ci, cmd.TEST) == ["build"]


DRONE = """kind: pipeline
name: default
steps:
  - name: test
    image: python:3.11
    commands: [pytest]
  - name: deploy
    image: appleboy/drone-ssh
    settings:
      host: prod.example.com
      script:
        - cd /srv/app && docker compose pull && docker compose up -d
    when:
      event: [promote]
---
kind: secret
name: token
"""


def test_drone_steps_and_promote(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {".drone.yml": DRONE})
    p = pipeline(ci, ".drone.yml")
    assert len(ci.pipelines) == 1
    assert job(p, "deploy").needs == ("test",)
    assert _hits(ci, cmd.DEPLOY) == ["deploy"]
    assert ci.is_manual_only(p, job(p, "deploy"))
    assert _hits(ci, cmd.TEST) == ["test"]


BITBUCKET = """pipelines:
  pull-requests:
    '**':
      - step:
          script: [pytest]
  branches:
    main:
      - step:
          name: build
          script:
            - docker build -t app .
      - step:
          name: deploy
          deployment: production
          trigger: manual
          script:
            - pipe: atlassian/aws-ecs-deploy:1.6.0
              variables:
                CLUSTER_NAME: prod
                SERVICE_NAME: api
  custom:
    rebuild:
      - step:
          script: [make train]
"""


def test_bitbucket_sections_and_manual_steps(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {"bitbucket-pipelines.yml": BITBUCKET})
    main = pipeline(ci, "bitbucket-pipelines.yml", "branches:main")
    assert kinds(main.triggers) == [PUSH] and main.triggers[0].branches == ("main",)
    deploy = job(main, "deploy#2")
    assert deploy.environment == "production" and deploy.needs == ("build#1",)
    assert ci.is_gated(main, deploy)
    assert _hits(ci, cmd.DEPLOY) == ["deploy#2"]
    assert kinds(pipeline(ci, "bitbucket-pipelines.yml", "custom:rebuild").triggers) == [MANUAL]
    assert kinds(pipeline(ci, "bitbucket-pipelines.yml", "pull-requests:**").triggers) == [PULL_REQUEST]
