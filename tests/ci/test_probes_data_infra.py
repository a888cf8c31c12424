"""Probes: data deploys to staging and production, slim CI, data quality gates, IaC plan/apply, cost
estimation and access provisioning."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from probes.ci.data import data_cd_prod, data_deploy_staging, data_quality_gate, data_slim_ci
from probes.ci.infra import access_provisioning_automated, cost_estimation, iac_plan_apply
from scanner.model import Finding
from scanner.testing import expect, run_on_repo
from scanner.views import Views
from tests.ci._support import PUSH_MAIN, gha, gjob

Probe = Callable[[Views], Iterable[Finding]]
DISPATCH = {"workflow_dispatch": None}
PR = {"pull_request": None}
GX_SCRIPT = "import great_expectations as gx\nctx = gx.get_context()\nctx.checkpoints.get('orders').run()\n"
GRANTS_TF = 'resource "snowflake_grant_privileges_to_account_role" "analysts" {\n  privileges = ["SELECT"]\n}\n'
PLAN_APPLY = {
    "plan": gjob("terraform init", "terraform plan -out tfplan", **{"if": "github.event_name == 'pull_request'"}),
    "apply": gjob(
        "terraform apply -auto-approve",
        environment="prod",
        **{"if": "github.ref == 'refs/heads/main' && github.event_name == 'push'"},
    ),
}
PLAN_APPLY_ON = {"push": {"branches": ["main"]}, "pull_request": None}

CASES: list[tuple[str, Probe, dict[str, str], str, str | None]] = [
    # ci.data.deploy_staging
    ("dbt_ci_target", data_deploy_staging, gha(PR, {"d": gjob("dbt build --target ci")}), "true", "medium"),
    (
        "bundle_staging",
        data_deploy_staging,
        gha(PUSH_MAIN, {"d": gjob("databricks bundle deploy -t staging")}),
        "true",
        "medium",
    ),
    ("dbt_default_target", data_deploy_staging, gha(PR, {"d": gjob("dbt run")}), "false", None),
    (
        "dbt_examples",
        data_deploy_staging,
        {"examples/.gitlab-ci.yml": "d:\n  script: [dbt build --target ci]\n"},
        "false",
        None,
    ),
    # ci.data.cd_prod
    ("dbt_prod_on_merge", data_cd_prod, gha(PUSH_MAIN, {"d": gjob("dbt build --target prod")}), "true", "medium"),
    ("sqlmesh_prod", data_cd_prod, gha(PUSH_MAIN, {"d": gjob("sqlmesh plan prod --auto-apply")}), "true", "medium"),
    ("dbt_prod_manual", data_cd_prod, gha(DISPATCH, {"d": gjob("dbt build --target prod")}), "false", None),
    ("dbt_staging_on_merge", data_cd_prod, gha(PUSH_MAIN, {"d": gjob("dbt build --target staging")}), "false", None),
    # ci.data.slim_ci
    (
        "slim",
        data_slim_ci,
        gha(PR, {"d": gjob("dbt build --select state:modified+ --defer --state prod-artifacts")}),
        "true",
        "medium",
    ),
    ("not_slim", data_slim_ci, gha(PR, {"d": gjob("dbt build")}), "false", None),
    # ci.data.quality_gate
    ("dbt_test", data_quality_gate, gha(PR, {"d": gjob("dbt test --target ci")}), "true", "medium"),
    (
        "gx_script",
        data_quality_gate,
        {**gha(PUSH_MAIN, {"q": gjob("python checks/run_gx.py")}), "checks/run_gx.py": GX_SCRIPT},
        "true",
        "medium",
    ),
    ("soda_masked", data_quality_gate, gha(PR, {"q": gjob("soda scan -d wh checks.yml || true")}), "false", None),
    ("no_quality", data_quality_gate, gha(PR, {"d": gjob("dbt run")}), "false", None),
    # ci.iac.plan_apply
    ("plan_pr_apply_merge", iac_plan_apply, gha(PLAN_APPLY_ON, PLAN_APPLY), "true", "medium"),
    ("apply_manual_only", iac_plan_apply, gha(DISPATCH, {"a": gjob("terraform apply -auto-approve")}), "true", "low"),
    ("atlantis", iac_plan_apply, {"atlantis.yaml": "version: 3\nprojects: []\n"}, "true", "medium"),
    ("helm_only", iac_plan_apply, gha(PUSH_MAIN, {"d": gjob("helm upgrade --install a chart")}), "false", None),
    ("no_iac", iac_plan_apply, gha(PUSH_MAIN, {"t": gjob("pytest")}), "false", None),
    # ci.cost_estimation
    ("infracost", cost_estimation, gha(PR, {"c": gjob("infracost diff --path plan.json")}), "true", "medium"),
    (
        "infracost_action",
        cost_estimation,
        gha(PR, {"c": gjob({"uses": "infracost/actions/setup@v3"})}),
        "true",
        "medium",
    ),
    ("no_cost", cost_estimation, gha(PR, {"p": gjob("terraform plan")}), "false", None),
    # ci.access_provisioning_automated
    (
        "access_dir",
        access_provisioning_automated,
        gha(
            {"push": {"branches": ["main"], "paths": ["access/**"]}},
            {"a": gjob({"run": "terraform apply -auto-approve", "working-directory": "access"})},
        ),
        "true",
        "medium",
    ),
    (
        "access_inferred",
        access_provisioning_automated,
        {
            **gha(PUSH_MAIN, {"a": gjob("terraform -chdir=warehouse apply -auto-approve")}),
            "warehouse/grants.tf": GRANTS_TF,
        },
        "true",
        "low",
    ),
    (
        "access_other_infra",
        access_provisioning_automated,
        {
            **gha(PUSH_MAIN, {"a": gjob("terraform apply -auto-approve")}),
            "main.tf": 'resource "aws_s3_bucket" "b" {}\n',
        },
        "false",
        None,
    ),
    (
        "access_plan_only",
        access_provisioning_automated,
        gha({"pull_request": {"paths": ["access/**"]}}, {"p": gjob("terraform plan")}),
        "false",
        None,
    ),
]


@pytest.mark.parametrize(("name", "probe", "files", "outcome", "confidence"), CASES, ids=[c[0] for c in CASES])
def test_probe(
    tmp_path: Path, name: str, probe: Probe, files: dict[str, str], outcome: str, confidence: str | None
) -> None:
    expect(run_on_repo(probe, tmp_path, files), outcome, confidence)


def test_plan_apply_values(tmp_path: Path) -> None:
    found = run_on_repo(iac_plan_apply, tmp_path, gha(PLAN_APPLY_ON, PLAN_APPLY)).finding
    assert found.values["tools"] == ["terraform"]
    assert len(found.locations) == 2
