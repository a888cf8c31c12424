"""Probes: model deploys, deploy triggers (merge, release, manual only), approvals, CD and promotion."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from probes.ci.delivery import approval_gated, cd_pipeline, promotion_pipeline
from probes.ci.deploy import deploy_manual_only, deploy_on_merge, deploy_on_release, model_deploy_job
from scanner.model import Finding
from scanner.testing import expect, run_on_repo
from scanner.views import Views
from tests.ci._support import PUSH_MAIN, gha, gjob

Probe = Callable[[Views], Iterable[Finding]]
DISPATCH = {"workflow_dispatch": None}
AML = "az ml online-deployment create -f deployment.yml"
APP = "gcloud run deploy api --image img"
KSERVE = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: churn}\n"
APP_K8S = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
SAGEMAKER_SCRIPT = "import sagemaker\nmodel = sagemaker.Model(image_uri='x')\nmodel.deploy(initial_instance_count=1)\n"
GITLAB_MANUAL = "deploy:\n  script: [helm upgrade --install api chart]\n  environment: production\n  when: manual\n"
GITLAB_RULE_MANUAL = (
    "deploy:\n  script: [helm upgrade --install api chart]\n  rules:\n"
    "    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n      when: manual\n"
)
CIRCLE_GATED_TAG = """version: 2.1
jobs:
  ship: {docker: [{image: x}], steps: [{run: kubectl apply -f k8s/}]}
workflows:
  release:
    jobs:
      - hold: {type: approval, filters: {tags: {only: /^v.*/}, branches: {ignore: /.*/}}}
      - ship: {requires: [hold], filters: {tags: {only: /^v.*/}, branches: {ignore: /.*/}}}
"""
ON_RELEASE = {"release": {"types": ["released"]}}
REMOTE_DEPLOY = {"runs-on": "x", "uses": "org/infra/.github/workflows/deploy.yml@main", "with": {"tag": "v1"}}
REMOTE_RELEASE = {
    "uses": "org/infra/.github/workflows/release.yml@main",
    "if": "github.event.workflow_run.conclusion == 'success'",
}
AFTER_CI = {"workflow_run": {"workflows": ["ci"], "types": ["completed"], "branches": ["main"]}}
# CI on main -> a release workflow after CI succeeds -> a deploy workflow on the release it creates
RELEASE_CHAIN = {
    **gha({**PUSH_MAIN, "pull_request": None}, {"t": gjob("pytest")}),
    **gha(AFTER_CI, {"release": REMOTE_RELEASE}, ".github/workflows/release.yml"),
    **gha({**DISPATCH, **ON_RELEASE}, {"deploy": REMOTE_DEPLOY}, ".github/workflows/deploy.yml"),
}
MERGED_PR = {"pull_request": {"types": ["closed"], "branches": ["main"]}}
CHAIN = {
    "build": gjob("docker build -t app ."),
    "test": gjob("pytest", needs="build"),
    "deploy": gjob(APP, needs="test"),
}
PROMOTE = {
    "staging": gjob("helm upgrade --install api chart -f values-staging.yaml", environment="staging"),
    "prod": gjob("helm upgrade --install api chart -f values-prod.yaml", environment="production", needs="staging"),
}

# Dagster+ deploys code locations through the dagster-cloud CLI action (hooli-data-eng-pipelines' shape)
DAGSTER_CLI = "dagster-io/dagster-cloud-action/actions/utils/dagster-cloud-cli@v1.12.14"
DAGSTER_JOB = gjob(
    {"uses": DAGSTER_CLI, "with": {"command": "ci check --project-dir ."}},
    {"uses": "docker/build-push-action@v5", "with": {"push": True}},
    {"uses": DAGSTER_CLI, "with": {"command": "ci deploy $LOCATIONS"}},
)
# a LangSmith deployment of an agent, started by hand (chat-langchain's shape)
MDA_DEPLOY = "uv run mda deploy . --name agent --deployment-type prod"

CASES: list[tuple[str, Probe, dict[str, str], str, str | None]] = [
    (
        "dagster_cloud_deploy_on_merge",
        deploy_on_merge,
        gha({**PUSH_MAIN, "pull_request": None}, {"d": DAGSTER_JOB}),
        "true",
        "medium",
    ),
    (
        "dagster_cloud_check_only",
        deploy_on_merge,
        gha(PUSH_MAIN, {"d": gjob({"uses": DAGSTER_CLI, "with": {"command": "ci check"}})}),
        "false",
        None,
    ),
    (
        "dagster_cloud_serverless_action",
        deploy_on_merge,
        gha(PUSH_MAIN, {"d": gjob({"uses": "dagster-io/dagster-cloud-action/actions/serverless_prod_deploy@v0.1"})}),
        "true",
        "medium",
    ),
    ("langsmith_deploy_by_hand", deploy_manual_only, gha(DISPATCH, {"deploy": gjob(MDA_DEPLOY)}), "true", None),
    (
        "langgraph_deploy_on_merge",
        deploy_on_merge,
        gha(PUSH_MAIN, {"d": gjob("langgraph deploy --config langgraph.json")}),
        "true",
        "medium",
    ),
    ("langgraph_up_is_no_deploy", deploy_on_merge, gha(PUSH_MAIN, {"d": gjob("langgraph up --wait")}), "false", None),
    # ci.model_deploy_job
    ("model_aml", model_deploy_job, gha(PUSH_MAIN, {"d": gjob(AML)}), "true", "medium"),
    ("model_manual", model_deploy_job, gha(DISPATCH, {"d": gjob(AML)}), "true", "low"),
    (
        "model_kserve_manifest",
        model_deploy_job,
        {**gha(PUSH_MAIN, {"d": gjob("kubectl apply -f k8s/")}), "k8s/isvc.yaml": KSERVE},
        "true",
        "medium",
    ),
    (
        "model_sdk_script",
        model_deploy_job,
        {**gha(PUSH_MAIN, {"d": gjob("python scripts/ship.py")}), "scripts/ship.py": SAGEMAKER_SCRIPT},
        "true",
        "medium",
    ),
    (
        "model_plain_app",
        model_deploy_job,
        {**gha(PUSH_MAIN, {"d": gjob("kubectl apply -f k8s/")}), "k8s/web.yaml": APP_K8S},
        "false",
        None,
    ),
    ("model_docs_only", model_deploy_job, gha(PUSH_MAIN, {"docs": gjob("mkdocs gh-deploy")}), "false", None),
    # ci.deploy_on_merge
    ("merge_release_chain", deploy_on_merge, RELEASE_CHAIN, "true", "medium"),
    ("release_chain_on_release", deploy_on_release, RELEASE_CHAIN, "true", None),
    (
        "merge_release_cut_by_hand",
        deploy_on_merge,
        {
            **gha(DISPATCH, {"release": gjob("npx semantic-release")}, ".github/workflows/release.yml"),
            **gha(ON_RELEASE, {"deploy": REMOTE_DEPLOY}, ".github/workflows/deploy.yml"),
        },
        "false",
        None,
    ),
    (
        "merge_release_chain_deploy_manual",
        deploy_on_merge,
        {
            **gha(PUSH_MAIN, {"release": gjob("npx semantic-release")}, ".github/workflows/release.yml"),
            **gha(DISPATCH, {"deploy": REMOTE_DEPLOY}, ".github/workflows/deploy.yml"),
        },
        "false",
        None,
    ),
    ("merge_push_main", deploy_on_merge, gha(PUSH_MAIN, {"d": gjob(APP)}), "true", "medium"),
    (
        "merge_merged_pr",
        deploy_on_merge,
        gha(MERGED_PR, {"d": gjob(APP, **{"if": "github.event.pull_request.merged == true"})}),
        "true",
        "medium",
    ),
    ("merge_dispatch_only", deploy_on_merge, gha(DISPATCH, {"d": gjob(APP)}), "false", None),
    ("merge_pr_only", deploy_on_merge, gha({"pull_request": None}, {"d": gjob(APP)}), "false", None),
    ("merge_staging_only", deploy_on_merge, gha(PUSH_MAIN, {"d": gjob(APP, environment="staging")}), "false", None),
    (
        "merge_github_pages",
        deploy_on_merge,
        gha(PUSH_MAIN, {"pages": gjob({"uses": "actions/deploy-pages@v4"}, environment="github-pages")}),
        "false",
        None,
    ),
    ("merge_gitlab_manual_rule", deploy_on_merge, {".gitlab-ci.yml": GITLAB_RULE_MANUAL}, "false", None),
    ("merge_other_branch", deploy_on_merge, gha({"push": {"branches": ["develop"]}}, {"d": gjob(APP)}), "false", None),
    # ci.deploy_on_release
    (
        "release_event",
        deploy_on_release,
        gha({"release": {"types": ["published"]}}, {"d": gjob(APP)}),
        "true",
        "medium",
    ),
    ("release_tags", deploy_on_release, gha({"push": {"tags": ["v*"]}}, {"d": gjob(AML)}), "true", "medium"),
    ("release_push_only", deploy_on_release, gha(PUSH_MAIN, {"d": gjob(APP)}), "false", None),
    ("release_gated", deploy_on_release, {".circleci/config.yml": CIRCLE_GATED_TAG}, "false", None),
    # ci.deploy_manual_only
    ("manual_dispatch", deploy_manual_only, gha(DISPATCH, {"d": gjob(APP)}), "true", "medium"),
    ("manual_gitlab", deploy_manual_only, {".gitlab-ci.yml": GITLAB_MANUAL}, "true", "medium"),
    ("manual_automatic", deploy_manual_only, gha(PUSH_MAIN, {"d": gjob(APP)}), "false", None),
    ("manual_no_deploys", deploy_manual_only, gha(DISPATCH, {"t": gjob("pytest")}), "false", None),
    (
        "manual_docs_manual_app_auto",
        deploy_manual_only,
        {
            **gha(DISPATCH, {"docs": gjob("mkdocs gh-deploy")}, ".github/workflows/docs.yml"),
            **gha(PUSH_MAIN, {"d": gjob(APP)}),
        },
        "false",
        None,
    ),
    # ci.approval_gated
    ("approval_gitlab", approval_gated, {".gitlab-ci.yml": GITLAB_MANUAL}, "true", "medium"),
    ("approval_environment", approval_gated, gha(PUSH_MAIN, {"d": gjob(APP, environment="production")}), "true", "low"),
    ("approval_none", approval_gated, gha(PUSH_MAIN, {"d": gjob(APP)}), "false", None),
    # ci.cd_pipeline
    ("cd_chain", cd_pipeline, gha(PUSH_MAIN, CHAIN), "true", "medium"),
    ("cd_environment", cd_pipeline, gha(PUSH_MAIN, {"d": gjob(AML, environment="prod")}), "true", "medium"),
    ("cd_manual_only", cd_pipeline, gha(DISPATCH, CHAIN), "false", None),
    ("cd_bare_deploy", cd_pipeline, gha(PUSH_MAIN, {"d": gjob(APP)}), "false", None),
    # ci.promotion_pipeline
    ("promote_chain", promotion_pipeline, gha(PUSH_MAIN, PROMOTE), "true", "medium"),
    (
        "promote_single_env",
        promotion_pipeline,
        gha(PUSH_MAIN, {"d": gjob(APP, environment="production")}),
        "false",
        None,
    ),
    (
        "promote_unrelated",
        promotion_pipeline,
        {
            **gha(PUSH_MAIN, {"s": gjob(APP, environment="staging")}, ".github/workflows/a.yml"),
            **gha({"push": {"tags": ["v*"]}}, {"p": gjob(APP, environment="production")}, ".github/workflows/b.yml"),
        },
        "false",
        None,
    ),
    (
        "promote_workflow_run",
        promotion_pipeline,
        {
            **gha(PUSH_MAIN, {"s": gjob(APP, environment="staging")}, ".github/workflows/staging.yml"),
            **gha(
                {"workflow_run": {"workflows": ["staging"], "types": ["completed"]}},
                {"p": gjob(APP, environment="production")},
                ".github/workflows/prod.yml",
            ),
        },
        "true",
        "medium",
    ),
]


@pytest.mark.parametrize(("name", "probe", "files", "outcome", "confidence"), CASES, ids=[c[0] for c in CASES])
def test_probe(
    tmp_path: Path, name: str, probe: Probe, files: dict[str, str], outcome: str, confidence: str | None
) -> None:
    expect(run_on_repo(probe, tmp_path, files), outcome, confidence)


def test_reusable_deploy_workflow_counts_with_caller_triggers(tmp_path: Path) -> None:
    callee = gha(
        {"workflow_call": {"inputs": {"env": {"type": "string"}}}},
        {"ship": gjob(AML, environment="${{ inputs.env }}")},
        ".github/workflows/deploy.yml",
    )
    caller = gha(
        PUSH_MAIN,
        {
            "test": gjob("pytest"),
            "prod": {"needs": "test", "uses": "./.github/workflows/deploy.yml", "with": {"env": "production"}},
        },
    )
    found = run_on_repo(deploy_on_merge, tmp_path, {**callee, **caller}).finding
    expect(found, "true", "medium")
    assert found.values["environments"] == ["production"] and found.values["model_deploys"] == 1
    assert [loc.label() for loc in found.locations] == [".github/workflows/deploy.yml:12"]


def test_deploy_script_followed_into_shell(tmp_path: Path) -> None:
    files = {
        **gha(PUSH_MAIN, {"d": gjob("./scripts/deploy.sh")}),
        "scripts/deploy.sh": "#!/bin/sh\nset -e\naws sagemaker update-endpoint --endpoint-name churn\n",
    }
    found = run_on_repo(model_deploy_job, tmp_path, files).finding
    expect(found, "true", "medium")
    assert "scripts/deploy.sh:3" in [loc.label() for loc in found.locations]
