"""Model registration and stage promotion from code, across registries."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_registry import model_registration, stage_promotion
from tests.repo_ml._util import Row, ids, run

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
    Row("mlflow register_model", {"src/register.py": MLFLOW_REGISTER}, "true", where=["src/register.py:3"]),
    Row("azure ml sdk v1 Model.register", {"register/register_model.py": AML_V1}, "true"),
    Row("azure ml sdk v1 run.register_model", {"register.py": AML_V1_RUN}, "true"),
    Row("sagemaker model package group", {"pipeline.py": SAGEMAKER}, "true"),
    Row("vertex model upload", {"upload.py": VERTEX}, "true"),
    Row("registration in examples only", {"examples/register.py": MLFLOW_REGISTER}, "false"),
    Row(
        "a plugin registry is not a model registry",
        {"plugins.py": "class Registry:\n    def register(self, f):\n        return f\n\n\nRegistry().register(len)\n"},
        "false",
    ),
]


@pytest.mark.parametrize("row", REGISTRATION, ids=ids(REGISTRATION))
def test_model_registration(row: Row, tmp_path: Path) -> None:
    row.check(run(model_registration, tmp_path, row.files)["code.model_registration"])


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
    Row("mlflow alias", {"promote.py": ALIAS}, "true", where=["promote.py:3"]),
    Row("mlflow stage transition", {"promote.py": STAGE}, "true"),
    Row("sagemaker approval", {"approve.py": APPROVE}, "true"),
    Row("gto assign in CI script", {"scripts/promote.sh": "gto assign churn --version v1.2.0 --stage prod\n"}, "true"),
    Row(
        "a tag that is not a stage",
        {"tags.py": "from mlflow import MlflowClient\n\nMlflowClient().set_tag('run', 'owner', 'me')\n"},
        "false",
    ),
    Row("promotion in docs only", {"docs/promote.py": ALIAS}, "false"),
]


@pytest.mark.parametrize("row", PROMOTION, ids=ids(PROMOTION))
def test_stage_promotion(row: Row, tmp_path: Path) -> None:
    row.check(run(stage_promotion, tmp_path, row.files)["code.stage_promotion"])


def test_litellm_register_model_is_pricing_not_a_registry(tmp_path: Path) -> None:
    files = {"llm/config.py": "import litellm\n\nlitellm.register_model({'my-model': {'input_cost_per_token': 1}})\n"}
    assert run(model_registration, tmp_path, files)["code.model_registration"].outcome.value == "false"
