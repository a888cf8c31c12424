"""Model registration and stage promotion from code, across registries."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_registry import model_registration, stage_promotion
from scanner.testing import Case, case_ids, check_case, run_on_repo

MLFLOW_REGISTER = "import mlflow\n\nmlflow.register_model('runs:/abc/model', 'churn')\n"
AML_V1 = (
    "from azureml.core import Model, Run\n\nrun = Run.get_context()\n"
    "Model.register(workspace=run.experiment.workspace, model_path='m.pkl', model_name='diabetes')\n"
)
AML_V1_RUN = (
    "from azureml.core import Run\n\nrun = Run.get_context()\nrun.register_model(model_name='m', model_path='m.pkl')\n"
)
SAGEMAKER = (
    "from sagemaker.workflow.step_collections import RegisterModel\n\n"
    "step = RegisterModel(name='r', model_package_group_name='churn', estimator=None)\n"
)
VERTEX = "from google.cloud import aiplatform\n\naiplatform.Model.upload(display_name='m', artifact_uri='gs://b/m')\n"
REGISTRATION = [
    Case("mlflow register_model", {"src/register.py": MLFLOW_REGISTER}, "true", locations=["src/register.py:3"]),
    Case("azure ml sdk v1 Model.register", {"register/register_model.py": AML_V1}, "true"),
    Case("azure ml sdk v1 run.register_model", {"register.py": AML_V1_RUN}, "true"),
    Case("sagemaker model package group", {"pipeline.py": SAGEMAKER}, "true"),
    Case("vertex model upload", {"upload.py": VERTEX}, "true"),
    Case("registration in examples only", {"examples/register.py": MLFLOW_REGISTER}, "false"),
    Case(
        "a plugin registry is not a model registry",
        {"plugins.py": "class Registry:\n    def register(self, f):\n        return f\n\n\nRegistry().register(len)\n"},
        "false",
    ),
]


@pytest.mark.parametrize("row", REGISTRATION, ids=case_ids(REGISTRATION))
def test_model_registration(row: Case, tmp_path: Path) -> None:
    check_case(model_registration, row, tmp_path, signal="code.model_registration")


ALIAS = "from mlflow import MlflowClient\n\nMlflowClient().set_registered_model_alias('churn', 'champion', 3)\n"
STAGE = (
    "from mlflow.tracking import MlflowClient\n\n"
    "MlflowClient().transition_model_version_stage('churn', 3, stage='Production')\n"
)
APPROVE = (
    "import boto3\n\nsm = boto3.client('sagemaker')\n"
    "sm.update_model_package(ModelPackageArn='arn', ModelApprovalStatus='Approved')\n"
)
PROMOTION = [
    Case("mlflow alias", {"promote.py": ALIAS}, "true", locations=["promote.py:3"]),
    Case("mlflow stage transition", {"promote.py": STAGE}, "true"),
    Case("sagemaker approval", {"approve.py": APPROVE}, "true"),
    Case("gto assign in CI script", {"scripts/promote.sh": "gto assign churn --version v1.2.0 --stage prod\n"}, "true"),
    Case(
        "a tag that is not a stage",
        {"tags.py": "from mlflow import MlflowClient\n\nMlflowClient().set_tag('run', 'owner', 'me')\n"},
        "false",
    ),
    Case("promotion in docs only", {"docs/promote.py": ALIAS}, "false"),
]


@pytest.mark.parametrize("row", PROMOTION, ids=case_ids(PROMOTION))
def test_stage_promotion(row: Case, tmp_path: Path) -> None:
    check_case(stage_promotion, row, tmp_path, signal="code.stage_promotion")


def test_litellm_register_model_is_pricing_not_a_registry(tmp_path: Path) -> None:
    files = {"llm/config.py": "import litellm\n\nlitellm.register_model({'my-model': {'input_cost_per_token': 1}})\n"}
    assert run_on_repo(model_registration, tmp_path, files)["code.model_registration"].outcome.value == "false"
