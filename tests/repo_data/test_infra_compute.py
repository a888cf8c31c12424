from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.infra_compute import BUDGETS, CHARGEBACK, SHARED, TAGS, TEAM, compute
from probes.repo.infra_templates import SIGNAL as TEMPLATES
from probes.repo.infra_templates import selfservice
from scanner.testing import labels, run_on_repo, truth

CLUSTER = """resource "databricks_cluster" "ds_team" {
  cluster_name  = "ds-team"
  spark_version = "14.3.x-scala2.12"
  custom_tags = {
    "team" = "data-science"
  }
}
"""
CLUSTER_OFF = CLUSTER.replace("  cluster_name", "  count        = 0\n  cluster_name")
AML = """resource "azurerm_machine_learning_compute_cluster" "shared" {
  name    = "cpu-cluster"
  vm_size = "Standard_DS3_v2"
  scale_settings {
    min_node_count = 0
    max_node_count = 4
  }
}
"""
BUDGET = 'resource "aws_budgets_budget" "ml" {\n  budget_type  = "COST"\n  limit_amount = "1000"\n}\n'
QUOTA = """apiVersion: v1
kind: ResourceQuota
metadata:
  name: gpu-quota
  namespace: {ns}
spec:
  hard:
    requests.nvidia.com/gpu: 4
"""
KUBECOST = 'resource "helm_release" "kubecost" {\n  name  = "kubecost"\n  chart = "cost-analyzer"\n}\n'
POLICY = """resource "databricks_cluster_policy" "team" {
  name = "team-policy"
  definition = jsonencode({
    "custom_tags.cost_center" : { "type" : "fixed", "value" : "ml-42" }
  })
}
"""
AML_JOB = (
    "$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\ncommand: python train.py\n"
    "compute: azureml:gpu-cluster\n"
)
COMPOSE = """services:
  trainer:
    image: trainer
    deploy:
      resources:
        reservations:
          devices:
            - capabilities: [gpu]
"""
RAY = "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata:\n  name: shared\n"

CASES = [
    (
        "team cluster with cost tag",
        {"infra/dbx.tf": CLUSTER},
        {TEAM: True, TAGS: True},
        {TEAM: ["infra/dbx.tf:1"], TAGS: ["infra/dbx.tf:1"]},
    ),
    ("cluster switched off", {"infra/dbx.tf": CLUSTER_OFF}, {}, {}),
    (
        "aml cluster with scale limit",
        {"infra/aml.tf": AML},
        {SHARED: True, BUDGETS: True},
        {SHARED: ["infra/aml.tf:1"]},
    ),
    ("aws budget", {"infra/budget.tf": BUDGET}, {BUDGETS: True}, {BUDGETS: ["infra/budget.tf:1"]}),
    ("aml job on a team cluster", {"jobs/train.yml": AML_JOB}, {TEAM: True}, {TEAM: ["jobs/train.yml:3"]}),
    ("compose gpu reservation", {"docker-compose.yml": COMPOSE}, {TEAM: True}, {TEAM: ["docker-compose.yml:7"]}),
    ("ray cluster", {"k8s/ray.yaml": RAY}, {SHARED: True}, {SHARED: ["k8s/ray.yaml:2"]}),
    (
        "quota + kubecost across namespaces",
        {"k8s/q1.yaml": QUOTA.format(ns="team-a"), "k8s/q2.yaml": QUOTA.format(ns="team-b"), "infra/cost.tf": KUBECOST},
        {BUDGETS: True, CHARGEBACK: True},
        {CHARGEBACK: ["infra/cost.tf:1"]},
    ),
    ("kubecost without per-team quotas", {"infra/cost.tf": KUBECOST}, {}, {}),
    ("cluster policy fixing cost centre", {"infra/policy.tf": POLICY}, {SHARED: True, CHARGEBACK: True}, {}),
    (
        "helm chart quota templates",
        {
            "charts/ml/Chart.yaml": "name: ml\nversion: 1.0.0\n",
            "charts/ml/templates/quota.yaml": QUOTA.format(ns="{{ .Release.Namespace }}"),
        },
        {BUDGETS: True},
        {BUDGETS: ["charts/ml/templates/quota.yaml:2"]},
    ),
    ("iac in examples", {"examples/infra/budget.tf": BUDGET}, {}, {}),
]


@pytest.mark.parametrize(("files", "expected", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_compute(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(compute, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in found}
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


def test_scale_limits_only_are_low_confidence(tmp_path: Path) -> None:
    finding = run_on_repo(compute, tmp_path, {"infra/aml.tf": AML})[BUDGETS]
    assert finding.confidence == "low" and finding.values == {"count": 0, "scale_limits": 1}


def test_untagged_share(tmp_path: Path) -> None:
    vm = 'resource "aws_instance" "gpu" {\n  instance_type = "p3.2xlarge"\n  tags = { Name = "box" }\n}\n'
    found = run_on_repo(compute, tmp_path, {"infra/dbx.tf": CLUSTER, "infra/vm.tf": vm})
    assert found[TAGS].values == {"count": 1, "compute": 2, "share": 0.5}
    assert labels(found[TEAM]) == ["infra/dbx.tf:1", "infra/vm.tf:1"]


BACKSTAGE = """apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: ml-workspace
  title: ML workspace with a Databricks cluster
spec:
  steps: []
"""
WEB_TEMPLATE = BACKSTAGE.replace("ml-workspace", "react-app").replace(
    "ML workspace with a Databricks cluster", "React frontend"
)

TEMPLATE_CASES = [
    (
        "backstage ml template",
        {"templates/ml-workspace/template.yaml": BACKSTAGE},
        ["templates/ml-workspace/template.yaml:2"],
    ),
    ("backstage web template", {"templates/web/template.yaml": WEB_TEMPLATE}, []),
    (
        "cookiecutter with compute",
        {
            "ml-project/cookiecutter.json": '{"project": "churn model"}',
            "ml-project/{{cookiecutter.project}}/infra/cluster.tf": "# cluster\n",
        },
        ["ml-project/cookiecutter.json:1"],
    ),
    ("cookiecutter without compute", {"cookiecutter.json": '{"name": "lib"}', "{{cookiecutter.name}}/x.py": ""}, []),
    ("vendored template", {"node_modules/x/template.yaml": BACKSTAGE}, []),
]


@pytest.mark.parametrize(("files", "where"), [c[1:] for c in TEMPLATE_CASES], ids=[c[0] for c in TEMPLATE_CASES])
def test_selfservice(tmp_path: Path, files: dict[str, str | bytes], where: list[str]) -> None:
    finding = run_on_repo(selfservice, tmp_path, files)[TEMPLATES]
    assert truth(finding) == bool(where)
    assert labels(finding) == where if where else finding.values["other_templates"] <= 1
