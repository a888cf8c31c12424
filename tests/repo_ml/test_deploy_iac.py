"""Traffic splits, shadow/mirror traffic, progressive analysis and several versions live, from manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_deploy_iac import multi_version_live, progressive_analysis, shadow_mirror, traffic_split
from tests.repo_ml._util import Row, ids, notebook, run


def kserve(pct: int) -> str:
    return (
        f"apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: churn\nspec:\n"
        f"  predictor:\n    canaryTrafficPercent: {pct}\n    model:\n      modelFormat: {{name: sklearn}}\n"
    )


ROLLOUT = """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: scorer
spec:
  strategy:
    canary:
      steps:
        - setWeight: 20
        - pause: {duration: 10m}
        - analysis:
            templates:
              - templateName: success-rate
"""
ROLLOUT_PAUSE_ONLY = """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: scorer
spec:
  strategy:
    canary:
      steps:
        - pause: {}
"""
BLUE_GREEN = """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: scorer
spec:
  strategy:
    blueGreen:
      activeService: scorer
      previewService: scorer-preview
"""


def aml_endpoint(traffic: str, mirror: str = "") -> str:
    return (
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\n"
        f"name: churn\nauth_mode: key\ntraffic:\n{traffic}" + (f"mirror_traffic:\n{mirror}" if mirror else "")
    )


SEL_EXPERIMENT = """apiVersion: mlops.seldon.io/v1alpha1
kind: Experiment
metadata:
  name: churn-ab
spec:
  default: churn-v1
  candidates:
    - name: churn-v1
      weight: 50
    - name: churn-v2
      weight: 50
"""
SEL_MIRROR = """apiVersion: mlops.seldon.io/v1alpha1
kind: Experiment
metadata:
  name: churn-shadow
spec:
  default: churn-v1
  candidates:
    - name: churn-v1
  mirror:
    name: churn-v2
    percent: 100
"""
ISTIO = """apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: scorer
spec:
  http:
    - route:
        - destination: {host: scorer, subset: v1}
          weight: {w1}
        - destination: {host: scorer, subset: v2}
          weight: {w2}
"""
CFN = """Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: a, ModelName: m1, InitialVariantWeight: 1}
        - {VariantName: b, ModelName: m2, InitialVariantWeight: %s}
"""
TF = """resource "aws_sagemaker_endpoint_configuration" "ec" {
  name = "churn"
  production_variants {
    variant_name           = "a"
    model_name             = "m1"
    initial_variant_weight = 0.9
  }
  production_variants {
    variant_name           = "b"
    model_name             = "m2"
    initial_variant_weight = 0.1
  }
  shadow_production_variants {
    variant_name = "s"
    model_name   = "m3"
  }
}
"""
FLAGGER = """apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: scorer
spec:
  analysis:
    interval: 1m
    stepWeight: 10
    maxWeight: 50
    metrics:
      - name: request-success-rate
        thresholdRange: {min: 99}
"""

SPLIT = [
    Row("kserve canary 10", {"k8s/isvc.yaml": kserve(10)}, "true", where=["k8s/isvc.yaml:7"], confidence="medium"),
    Row(
        "kserve canary 100 is off",
        {"k8s/isvc.yaml": kserve(100)},
        "false",
        values={"configured_off": 1},
        where=["k8s/isvc.yaml:7"],
    ),
    Row("kserve canary 0 is off", {"k8s/isvc.yaml": kserve(0)}, "false"),
    Row("argo canary setWeight", {"deploy/rollout.yaml": ROLLOUT}, "true", where=["deploy/rollout.yaml:7"]),
    Row("argo canary with only pause", {"deploy/rollout.yaml": ROLLOUT_PAUSE_ONLY}, "false"),
    Row("argo blueGreen", {"deploy/rollout.yaml": BLUE_GREEN}, "true"),
    Row(
        "aml traffic 90/10",
        {"endpoints/ep.yml": aml_endpoint("  blue: 90\n  green: 10\n")},
        "true",
        where=["endpoints/ep.yml:4"],
    ),
    Row("aml traffic blue 100", {"endpoints/ep.yml": aml_endpoint("  blue: 100\n  green: 0\n")}, "false"),
    Row("seldon experiment", {"k8s/exp.yaml": SEL_EXPERIMENT}, "true"),
    Row("istio 90/10", {"mesh/vs.yaml": ISTIO.replace("{w1}", "90").replace("{w2}", "10")}, "true"),
    Row("istio 100/0", {"mesh/vs.yaml": ISTIO.replace("{w1}", "100").replace("{w2}", "0")}, "false"),
    Row("sagemaker cfn 1/1", {"cfn/endpoint.yaml": CFN % 1}, "true"),
    Row("sagemaker cfn weights 1/0", {"cfn/endpoint.yaml": CFN % 0}, "false"),
    Row("sagemaker terraform", {"infra/sm.tf": TF}, "true", where=["infra/sm.tf:1"]),
    Row(
        "sagemaker terraform count 0",
        {"infra/sm.tf": TF.replace('name = "churn"', 'count = 0\n  name = "churn"')},
        "false",
    ),
    Row(
        "az cli traffic in a script",
        {"scripts/shift.sh": 'az ml online-endpoint update -n e --traffic "blue=80 green=20"\n'},
        "true",
    ),
    Row(
        "az cli traffic in a notebook",
        {"nb.ipynb": notebook("!az ml online-endpoint update --traffic 'b=50 g=50'")},
        "true",
        confidence="low",
    ),
    Row("kserve canary in examples", {"examples/isvc.yaml": kserve(10)}, "false"),
    Row("flagger canary", {"deploy/canary.yaml": FLAGGER}, "true"),
    Row(
        "argo canary in a helm chart template",
        {"charts/scorer/Chart.yaml": "name: scorer\n", "charts/scorer/templates/rollout.yaml": ROLLOUT},
        "true",
        where=["charts/scorer/templates/rollout.yaml:7"],
    ),
    Row("kserve canary in tests", {"tests/k8s/isvc.yaml": kserve(10)}, "false"),
]


@pytest.mark.parametrize("row", SPLIT, ids=ids(SPLIT))
def test_traffic_split(row: Row, tmp_path: Path) -> None:
    row.check(run(traffic_split, tmp_path, row.files)["iac.traffic_split"])


MIRROR = [
    Row("aml mirror_traffic", {"ep.yml": aml_endpoint("  blue: 100\n", "  green: 10\n")}, "true", where=["ep.yml:6"]),
    Row(
        "aml mirror 0 is off",
        {"ep.yml": aml_endpoint("  blue: 100\n", "  green: 0\n")},
        "false",
        values={"configured_off": 1},
    ),
    Row("seldon mirror", {"k8s/exp.yaml": SEL_MIRROR}, "true"),
    Row("sagemaker terraform shadow", {"infra/sm.tf": TF}, "true"),
    Row(
        "istio mirror",
        {
            "vs.yaml": ISTIO.replace("{w1}", "100")
            .replace("{w2}", "0")
            .replace("    - route:", "    - mirror: {host: scorer, subset: v2}\n      route:")
        },
        "true",
    ),
    Row("no mirror", {"k8s/isvc.yaml": kserve(10)}, "false"),
]


@pytest.mark.parametrize("row", MIRROR, ids=ids(MIRROR))
def test_shadow_mirror(row: Row, tmp_path: Path) -> None:
    row.check(run(shadow_mirror, tmp_path, row.files)["iac.shadow_mirror"])


TEMPLATE = (
    "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: success-rate\nspec:\n"
    "  metrics:\n    - name: success\n      successCondition: result > 0.95\n"
)
ANALYSIS = [
    Row("argo canary analysis step", {"deploy/rollout.yaml": ROLLOUT}, "true"),
    Row("analysis template", {"deploy/at.yaml": TEMPLATE}, "true", where=["deploy/at.yaml:6"]),
    Row("flagger metrics", {"deploy/canary.yaml": FLAGGER}, "true"),
    Row(
        "pause-only canary: manual promotion",
        {"deploy/rollout.yaml": ROLLOUT_PAUSE_ONLY},
        "false",
        values={"configured_off": 1},
    ),
    Row("plain deployment", {"k8s/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"}, "false"),
]


@pytest.mark.parametrize("row", ANALYSIS, ids=ids(ANALYSIS))
def test_progressive_analysis(row: Row, tmp_path: Path) -> None:
    row.check(run(progressive_analysis, tmp_path, row.files)["iac.progressive_analysis"])


LIVE = [
    Row("kserve canary: model serving, medium", {"k8s/isvc.yaml": kserve(25)}, "true", confidence="medium"),
    Row(
        "istio split: generic mesh, low",
        {"vs.yaml": ISTIO.replace("{w1}", "50").replace("{w2}", "50")},
        "true",
        confidence="low",
    ),
    Row("seldon mirror", {"k8s/exp.yaml": SEL_MIRROR}, "true"),
    Row("blue/green alone is not two versions live", {"deploy/rollout.yaml": BLUE_GREEN}, "false"),
    Row("traffic 100/0", {"ep.yml": aml_endpoint("  blue: 100\n  green: 0\n")}, "false"),
]


@pytest.mark.parametrize("row", LIVE, ids=ids(LIVE))
def test_multi_version_live(row: Row, tmp_path: Path) -> None:
    row.check(run(multi_version_live, tmp_path, row.files)["iac.multi_version_live"])
