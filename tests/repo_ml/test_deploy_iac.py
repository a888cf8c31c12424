"""Traffic splits, shadow/mirror traffic, progressive analysis and several versions live, from manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_deploy_iac import multi_version_live, progressive_analysis, shadow_mirror, traffic_split
from scanner.testing import Case, case_ids, check_case, notebook


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
    Case("kserve canary 10", {"k8s/isvc.yaml": kserve(10)}, "true", confidence="medium", locations=["k8s/isvc.yaml:7"]),
    Case(
        "kserve canary 100 is off",
        {"k8s/isvc.yaml": kserve(100)},
        "false",
        locations=["k8s/isvc.yaml:7"],
        values={"configured_off": 1},
    ),
    Case("kserve canary 0 is off", {"k8s/isvc.yaml": kserve(0)}, "false"),
    Case("argo canary setWeight", {"deploy/rollout.yaml": ROLLOUT}, "true", locations=["deploy/rollout.yaml:7"]),
    Case("argo canary with only pause", {"deploy/rollout.yaml": ROLLOUT_PAUSE_ONLY}, "false"),
    Case("argo blueGreen", {"deploy/rollout.yaml": BLUE_GREEN}, "true"),
    Case(
        "aml traffic 90/10",
        {"endpoints/ep.yml": aml_endpoint("  blue: 90\n  green: 10\n")},
        "true",
        locations=["endpoints/ep.yml:4"],
    ),
    Case("aml traffic blue 100", {"endpoints/ep.yml": aml_endpoint("  blue: 100\n  green: 0\n")}, "false"),
    Case("seldon experiment", {"k8s/exp.yaml": SEL_EXPERIMENT}, "true"),
    Case("istio 90/10", {"mesh/vs.yaml": ISTIO.replace("{w1}", "90").replace("{w2}", "10")}, "true"),
    Case("istio 100/0", {"mesh/vs.yaml": ISTIO.replace("{w1}", "100").replace("{w2}", "0")}, "false"),
    Case("sagemaker cfn 1/1", {"cfn/endpoint.yaml": CFN % 1}, "true"),
    Case("sagemaker cfn weights 1/0", {"cfn/endpoint.yaml": CFN % 0}, "false"),
    Case("sagemaker terraform", {"infra/sm.tf": TF}, "true", locations=["infra/sm.tf:1"]),
    Case(
        "sagemaker terraform count 0",
        {"infra/sm.tf": TF.replace('name = "churn"', 'count = 0\n  name = "churn"')},
        "false",
    ),
    Case(
        "az cli traffic in a script",
        {"scripts/shift.sh": 'az ml online-endpoint update -n e --traffic "blue=80 green=20"\n'},
        "true",
    ),
    Case(
        "az cli traffic in a notebook",
        {"nb.ipynb": notebook("!az ml online-endpoint update --traffic 'b=50 g=50'")},
        "true",
        confidence="low",
    ),
    Case("kserve canary in examples", {"examples/isvc.yaml": kserve(10)}, "false"),
    Case("flagger canary", {"deploy/canary.yaml": FLAGGER}, "true"),
    Case(
        "argo canary in a helm chart template",
        {"charts/scorer/Chart.yaml": "name: scorer\n", "charts/scorer/templates/rollout.yaml": ROLLOUT},
        "true",
        locations=["charts/scorer/templates/rollout.yaml:7"],
    ),
    Case("kserve canary in tests", {"tests/k8s/isvc.yaml": kserve(10)}, "false"),
]


@pytest.mark.parametrize("row", SPLIT, ids=case_ids(SPLIT))
def test_traffic_split(row: Case, tmp_path: Path) -> None:
    check_case(traffic_split, row, tmp_path, signal="iac.traffic_split")


MIRROR = [
    Case(
        "aml mirror_traffic", {"ep.yml": aml_endpoint("  blue: 100\n", "  green: 10\n")}, "true", locations=["ep.yml:6"]
    ),
    Case(
        "aml mirror 0 is off",
        {"ep.yml": aml_endpoint("  blue: 100\n", "  green: 0\n")},
        "false",
        values={"configured_off": 1},
    ),
    Case("seldon mirror", {"k8s/exp.yaml": SEL_MIRROR}, "true"),
    Case("sagemaker terraform shadow", {"infra/sm.tf": TF}, "true"),
    Case(
        "istio mirror",
        {
            "vs.yaml": ISTIO.replace("{w1}", "100")
            .replace("{w2}", "0")
            .replace("    - route:", "    - mirror: {host: scorer, subset: v2}\n      route:")
        },
        "true",
    ),
    Case("no mirror", {"k8s/isvc.yaml": kserve(10)}, "false"),
]


@pytest.mark.parametrize("row", MIRROR, ids=case_ids(MIRROR))
def test_shadow_mirror(row: Case, tmp_path: Path) -> None:
    check_case(shadow_mirror, row, tmp_path, signal="iac.shadow_mirror")


TEMPLATE = (
    "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: success-rate\nspec:\n"
    "  metrics:\n    - name: success\n      successCondition: result > 0.95\n"
)
ANALYSIS = [
    Case("argo canary analysis step", {"deploy/rollout.yaml": ROLLOUT}, "true"),
    Case("analysis template", {"deploy/at.yaml": TEMPLATE}, "true", locations=["deploy/at.yaml:6"]),
    Case("flagger metrics", {"deploy/canary.yaml": FLAGGER}, "true"),
    Case(
        "pause-only canary: manual promotion",
        {"deploy/rollout.yaml": ROLLOUT_PAUSE_ONLY},
        "false",
        values={"configured_off": 1},
    ),
    Case("plain deployment", {"k8s/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"}, "false"),
]


@pytest.mark.parametrize("row", ANALYSIS, ids=case_ids(ANALYSIS))
def test_progressive_analysis(row: Case, tmp_path: Path) -> None:
    check_case(progressive_analysis, row, tmp_path, signal="iac.progressive_analysis")


LIVE = [
    Case("kserve canary: model serving, medium", {"k8s/isvc.yaml": kserve(25)}, "true", confidence="medium"),
    Case(
        "istio split: generic mesh, low",
        {"vs.yaml": ISTIO.replace("{w1}", "50").replace("{w2}", "50")},
        "true",
        confidence="low",
    ),
    Case("seldon mirror", {"k8s/exp.yaml": SEL_MIRROR}, "true"),
    Case("blue/green alone is not two versions live", {"deploy/rollout.yaml": BLUE_GREEN}, "false"),
    Case("traffic 100/0", {"ep.yml": aml_endpoint("  blue: 100\n  green: 0\n")}, "false"),
]


@pytest.mark.parametrize("row", LIVE, ids=case_ids(LIVE))
def test_multi_version_live(row: Case, tmp_path: Path) -> None:
    check_case(multi_version_live, row, tmp_path, signal="iac.multi_version_live")
