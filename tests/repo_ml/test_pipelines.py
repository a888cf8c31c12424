"""Pipelines (Kubeflow, Azure ML, orchestrated training), model specs, AutoML, declarative specs, proposals."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_pipelines import aml_model_yaml, aml_pipeline, automl_autodeploy, kfp_pipeline, ml_pipeline_defined
from probes.repo.ml_specs import declarative_model_specs, model_proposal_templates
from tests.repo_ml._util import Row, ids, run

KFP = (
    "from kfp import dsl, compiler\n\n\n@dsl.component\ndef train() -> str:\n    return 'm'\n\n\n"
    "@dsl.pipeline(name='p')\ndef pipe():\n    train()\n\n\ncompiler.Compiler().compile(pipe, 'p.yaml')\n"
)
KFP_IR = "pipelineInfo:\n  name: p\nroot:\n  dag: {}\ndeploymentSpec:\n  executors: {}\nschemaVersion: 2.1.0\n"
KFP_ROWS = [
    Row("kfp dsl", {"pipelines/pipe.py": KFP}, "true", where=["pipelines/pipe.py:4"]),
    Row("compiled IR", {"pipelines/p.yaml": KFP_IR}, "true", where=["pipelines/p.yaml:1"]),
    Row("kfp imported, nothing defined", {"pipelines/pipe.py": "import kfp\n"}, "false"),
    Row("kfp in examples", {"examples/pipe.py": KFP}, "false"),
]


@pytest.mark.parametrize("row", KFP_ROWS, ids=ids(KFP_ROWS))
def test_kfp_pipeline(row: Row, tmp_path: Path) -> None:
    row.check(run(kfp_pipeline, tmp_path, row.files)["repo.kfp.pipeline"])


AML_PIPE = (
    "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\ntype: pipeline\njobs:\n"
    "  train:\n    type: command\n    command: python train.py\n"
)
AML_DSL = "from azure.ai.ml import dsl\n\n\n@dsl.pipeline(compute='cpu')\ndef pipe():\n    pass\n"
AML_ROWS = [
    Row("pipeline job yaml", {"aml/pipeline.yml": AML_PIPE}, "true", where=["aml/pipeline.yml:1"]),
    Row("type pipeline without schema", {"aml/p.yml": "type: pipeline\njobs:\n  a: {type: command}\n"}, "true"),
    Row("azure ml dsl", {"aml/pipe.py": AML_DSL}, "true", where=["aml/pipe.py:4"]),
    Row(
        "command job only",
        {"aml/job.yml": "$schema: https://x/commandJob.schema.json\ncommand: python t.py\n"},
        "false",
    ),
]


@pytest.mark.parametrize("row", AML_ROWS, ids=ids(AML_ROWS))
def test_aml_pipeline(row: Row, tmp_path: Path) -> None:
    row.check(run(aml_pipeline, tmp_path, row.files)["repo.aml.pipeline_yaml"])


AIRFLOW = (
    "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n\n"
    "with DAG('retrain') as dag:\n    PythonOperator(task_id='train_model', python_callable=f)\n"
)
AIRFLOW_ETL = "from airflow import DAG\n\nwith DAG('copy') as dag:\n    pass\n"
DVC = "stages:\n  prepare:\n    cmd: python prepare.py\n  train:\n    cmd: python train.py\n"
PIPE_ROWS = [
    Row("airflow dag that trains", {"dags/retrain.py": AIRFLOW}, "true", where=["dags/retrain.py:4"]),
    Row("dvc pipeline with a train stage", {"dvc.yaml": DVC}, "true", where=["dvc.yaml:4"]),
    Row("kfp pipeline", {"pipelines/pipe.py": KFP}, "true"),
    Row(
        "databricks job with a train task",
        {
            "databricks.yml": "bundle: {name: x}\nresources:\n  jobs:\n    nightly:\n"
            "      tasks:\n        - task_key: train_model\n"
        },
        "true",
    ),
    Row("ETL-only dag", {"dags/copy.py": AIRFLOW_ETL}, "false"),
    Row(
        "tfx pipeline with a trainer",
        {
            "pipeline/pipeline.py": "from tfx import v1 as tfx\n\n\ndef create(root):\n"
            "    trainer = tfx.components.Trainer(module_file='model.py')\n"
            "    return tfx.dsl.Pipeline(pipeline_name='p', pipeline_root=root, components=[trainer])\n"
        },
        "true",
    ),
    Row(
        "beam pipeline copying files (no ML)",
        {"etl/copy.py": "import apache_beam as beam\n\nwith beam.Pipeline() as p:\n    p | beam.Create([1])\n"},
        "false",
    ),
    Row("single-stage dvc", {"dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n"}, "false"),
]


@pytest.mark.parametrize("row", PIPE_ROWS, ids=ids(PIPE_ROWS))
def test_ml_pipeline_defined(row: Row, tmp_path: Path) -> None:
    row.check(run(ml_pipeline_defined, tmp_path, row.files)["repo.ml_pipeline_defined"])


MODEL_YAML = (
    "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: churn\n"
    "type: mlflow_model\npath: ./model\n"
)
MODEL_ROWS = [
    Row("azure ml model yaml", {"aml/model.yml": MODEL_YAML}, "true", where=["aml/model.yml:1"]),
    Row(
        "sagemaker package group terraform",
        {
            "infra/sm.tf": 'resource "aws_sagemaker_model_package_group" "g" {\n'
            '  model_package_group_name = "churn"\n}\n'
        },
        "true",
    ),
    Row(
        "sagemaker register step",
        {
            "pipe.py": "from sagemaker.workflow.step_collections import RegisterModel\n"
            "RegisterModel(name='r', model_package_group_name='churn')\n"
        },
        "true",
    ),
    Row("model yaml in templates", {"templates/model.yml": MODEL_YAML}, "false"),
]


@pytest.mark.parametrize("row", MODEL_ROWS, ids=ids(MODEL_ROWS))
def test_aml_model_yaml(row: Row, tmp_path: Path) -> None:
    row.check(run(aml_model_yaml, tmp_path, row.files)["repo.aml.model_yaml"])


AUTOML_PIPE = (
    "type: pipeline\njobs:\n  automl_step:\n    type: automl\n    task: classification\n"
    "  deploy_best:\n    type: command\n    command: python deploy.py\n"
)
AUTOML_PY = (
    "from azure.ai.ml import automl\njob = automl.classification(compute='c')\n"
    "ml_client.online_deployments.begin_create_or_update(d)\n"
)
AUTOML_ROWS = [
    Row("automl step then deploy", {"aml/p.yml": AUTOML_PIPE}, "true", confidence="low", where=["aml/p.yml:3"]),
    Row("automl then deploy in python", {"automl.py": AUTOML_PY}, "true"),
    Row("automl job alone", {"aml/job.yml": "type: automl\ntask: regression\n"}, "false", values={"automl_specs": 1}),
    Row("no automl", {"train.py": "x = 1\n"}, "false"),
]


@pytest.mark.parametrize("row", AUTOML_ROWS, ids=ids(AUTOML_ROWS))
def test_automl_autodeploy(row: Row, tmp_path: Path) -> None:
    row.check(run(automl_autodeploy, tmp_path, row.files)["repo.automl_autodeploy"])


LUDWIG = "input_features:\n  - {name: text, type: text}\noutput_features:\n  - {name: label, type: category}\n"
RULES = "fraud:\n  threshold: 0.8\n"
SPEC_ROWS = [
    Row("ludwig config", {"model/config.yaml": LUDWIG}, "true", where=["model/config.yaml:1"]),
    Row(
        "threshold yaml read by code",
        {"conf/rules.yaml": RULES, "score.py": "CFG = load('conf/rules.yaml')\n"},
        "true",
        where=["conf/rules.yaml:2"],
    ),
    Row("threshold yaml no code reads", {"conf/rules.yaml": RULES}, "false"),
    Row("prompt files", {"prompts/summarise.prompty": "---\nname: s\n---\nsystem: hi\n"}, "true"),
    Row(
        "k8s manifest with a threshold-like key",
        {"k8s/hpa.yaml": "apiVersion: v1\nkind: ConfigMap\nthreshold: 1\n", "a.py": "open('hpa.yaml')\n"},
        "false",
    ),
]


@pytest.mark.parametrize("row", SPEC_ROWS, ids=ids(SPEC_ROWS))
def test_declarative_model_specs(row: Row, tmp_path: Path) -> None:
    row.check(run(declarative_model_specs, tmp_path, row.files)["repo.declarative_model_specs"])


PROPOSAL_ROWS = [
    Row(
        "model proposal form",
        {".github/ISSUE_TEMPLATE/model_proposal.yml": "name: Model proposal\nbody: []\n"},
        "true",
        where=[".github/ISSUE_TEMPLATE/model_proposal.yml:1"],
    ),
    Row(
        "named by front matter",
        {".github/ISSUE_TEMPLATE/idea.md": "---\nname: New use case\nabout: Propose\n---\n"},
        "true",
    ),
    Row(
        "bug report mentioning a model in the body",
        {".github/ISSUE_TEMPLATE/bug.md": "---\nname: Bug report\n---\nWhich model version?\n"},
        "false",
    ),
    Row("no templates", {"README.md": "# x\n"}, "false"),
]


@pytest.mark.parametrize("row", PROPOSAL_ROWS, ids=ids(PROPOSAL_ROWS))
def test_model_proposal_templates(row: Row, tmp_path: Path) -> None:
    row.check(run(model_proposal_templates, tmp_path, row.files)["repo.model_proposal_templates"])
