"""GitHub Actions meaning: nested reusable workflows, composite inputs, actions/orbs read by their inputs,
deploys after an image push (CodePipeline, CodeDeploy, App Runner), dbt Cloud job runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.facts.ci import commands as cmd
from tests.ci._support import model_of, step

CALLER = """on:
  push:
    branches: [main]
jobs:
  release:
    uses: ./.github/workflows/middle.yml
    with:
      target: prod
"""
MIDDLE = """on:
  workflow_call:
    inputs:
      target: {type: string}
jobs:
  ship:
    uses: ./.github/workflows/leaf.yml
    with:
      env: ${{ inputs.target }}
"""
LEAF = """on:
  workflow_call:
    inputs:
      env: {type: string}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install app ./chart -f values-${{ inputs.env }}.yaml
"""


def test_reusable_workflows_are_followed_recursively(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            ".github/workflows/caller.yml": CALLER,
            ".github/workflows/middle.yml": MIDDLE,
            ".github/workflows/leaf.yml": LEAF,
        },
    )
    deploys = [(p, j, h) for p, j, s in ci.steps() for h in cmd.hits(s, cmd.DEPLOY)]
    assert deploys, [j.id for _, j in ci.jobs()]
    p, j, h = deploys[0]
    assert p.path == ".github/workflows/caller.yml"
    assert "values-prod.yaml" in h.text
    assert h.env == "prod"
    assert ci.is_automatic(p, j)


COMPOSITE = """inputs:
  cmd:
    default: echo nothing
runs:
  using: composite
  steps:
    - run: ${{ inputs.cmd }}
      shell: bash
"""


def test_composite_action_steps_get_the_callers_inputs(tmp_path: Path) -> None:
    wf = """on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/run
        with:
          cmd: poetry run pytest tests
  other:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/run
"""
    ci = model_of(tmp_path, {".github/workflows/ci.yml": wf, ".github/actions/run/action.yml": COMPOSITE})
    tested = {j.id for _, j, s in ci.steps() if cmd.hits(s, cmd.TEST)}
    assert tested == {"test"}, "the default input (echo) runs no tests"


@pytest.mark.parametrize(
    ("uses", "inputs", "deploy"),
    [
        ("pocket/execute_codepipeline", {"codepipeline-name": "App-Prod"}, True),
        ("acme/deploy_lambda", {"codedeploy-application-name": "App"}, True),
        ("org/some-orb", {"ecs-service": "api", "cluster": "prod"}, True),
        ("appleboy/ssh-action", {"script": "cd /srv/app\ndocker compose pull\ndocker compose up -d"}, True),
        # look-alikes that must not count
        ("appleboy/ssh-action", {"script": "df -h\nuptime"}, False),
        ("org/deploy-docs", {"dir": "site"}, False),
        ("chrnorm/deployment-action", {"environment": "prod"}, False),
        ("pocket/setup_deploy_params", {"env": "prod"}, False),
        ("acme/notify-deploy-status", {}, False),
        ("actions/setup-python", {"python-version": "3.11"}, False),
    ],
)
def test_actions_and_orbs_are_read_by_their_inputs(uses: str, inputs: dict[str, str], deploy: bool) -> None:
    assert bool(cmd.hits(step(uses=uses, inputs=inputs), cmd.DEPLOY)) is deploy


@pytest.mark.parametrize(
    ("run", "category"),
    [
        ("aws codepipeline start-pipeline-execution --name app-prod", cmd.DEPLOY),
        ("aws deploy create-deployment --application-name app", cmd.DEPLOY),
        ("aws apprunner start-deployment --service-arn $ARN", cmd.DEPLOY),
        ("aws ecs update-service --cluster c --service s --force-new-deployment", cmd.DEPLOY),
        ("gcloud run deploy api --image $IMAGE", cmd.DEPLOY),
        ('REV="$(aws ecs register-task-definition --cli-input-json file://td.json)"', cmd.DEPLOY),
        ("heroku container:release web", cmd.DEPLOY),
        ("kubectl set image deployment/api api=$IMAGE", cmd.DEPLOY),
        ("curl -X POST https://cloud.getdbt.com/api/v2/accounts/1/jobs/2/run/ -H auth", cmd.DATA_DEPLOY),
        ("dbt-cloud job run --job-id 42", cmd.DATA_DEPLOY),
    ],
)
def test_service_updates_are_deploys(run: str, category: str) -> None:
    assert cmd.hits(step(run=run), category)


def test_reading_pipelines_is_not_a_deploy() -> None:
    assert not cmd.hits(step(run="aws codepipeline get-pipeline-state --name app"), cmd.DEPLOY)
    assert not cmd.hits(step(run="aws ecs describe-task-definition --task-definition app"), cmd.DEPLOY)
    assert not cmd.hits(step(run="curl https://cloud.getdbt.com/api/v2/accounts/1/runs/"), cmd.DATA_DEPLOY)


ENTRY = """on:
  push:
    branches: [main]
  release:
    types: [released]
jobs:
  preprod:
    if: github.event_name == 'push'
    uses: acme/repo/.github/workflows/release.yml@main
    with:
      environment: preprod
  prod:
    if: github.event_name == 'release'
    uses: acme/repo/.github/workflows/release.yml@main
    with:
      environment: prod
"""
RELEASE = """on:
  workflow_call:
    inputs:
      environment: {type: string}
jobs:
  image:
    uses: acme/shared-actions/.github/workflows/build-docker.yml@main
  terraform:
    needs: [image]
    uses: acme/shared-actions/.github/workflows/apply-terraform.yml@main
    with:
      ENVIRONMENT: ${{ inputs.environment }}
  lint:
    uses: acme/shared-actions/.github/workflows/lint.yml@main
"""


def test_same_repo_and_remote_reusable_workflows(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {".github/workflows/entry.yml": ENTRY, ".github/workflows/release.yml": RELEASE},
    )
    deploys = {j.id: (j.environment, ci.is_automatic(p, j)) for p, j, s in ci.steps() if cmd.hits(s, cmd.DEPLOY)}
    assert deploys == {"preprod/terraform": ("preprod", True), "prod/terraform": ("prod", True)}
    builds = {j.id for _, j, s in ci.steps() if cmd.hits(s, cmd.BUILD)}
    assert builds == {"preprod/image", "prod/image"}
    assert not [j.id for _, j, s in ci.steps() if "lint" in j.id and cmd.classify(s)]


def test_another_repos_workflow_of_the_same_file_name_is_not_inlined(tmp_path: Path) -> None:
    other = ENTRY.replace("acme/repo/", "acme/other/")
    ci = model_of(tmp_path, {".github/workflows/entry.yml": other, ".github/workflows/release.yml": RELEASE})
    assert not [j for _, j in ci.jobs() if j.id.endswith("/terraform")]
