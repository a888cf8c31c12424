"""Pipelines (Kubeflow, Azure ML, orchestrated training), model specs, AutoML, declarative specs, proposals."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_pipelines import aml_model_yaml, aml_pipeline, automl_autodeploy, kfp_pipeline, ml_pipeline_defined
from probes.repo.ml_specs import declarative_model_specs, model_proposal_templates
from scanner.testing import Case, case_ids, check_case

KFP = (
    "from kfp import dsl, compiler\n\n\n@dsl.component\ndef train() -> str:\n    return 'm'\n\n\n"
    "@dsl.pipeline(name='p')\ndef pipe():\n    train()\n\n\ncompiler.Compiler().compile(pipe, 'p.yaml')\n"
)
KFP_IR = "pipelineInfo:\n  name: p\nroot:\n  dag: {}\ndeploymentSpec:\n  executors: {}\nschemaVersion: 2.1.0\n"
KFP_ROWS = [
    Case("kfp dsl", {"pipelines/pipe.py": KFP}, "true", locations=["pipelines/pipe.py:4"]),
    Case("compiled IR", {"pipelines/p.yaml": KFP_IR}, "true", locations=["pipelines/p.yaml:1"]),
    Case("kfp imported, nothing defined", {"pipelines/pipe.py": "import kfp\n"}, "false"),
    Case("kfp in examples", {"examples/pipe.py": KFP}, "false"),
]


@pytest.mark.parametrize("row", KFP_ROWS, ids=case_ids(KFP_ROWS))
def test_kfp_pipeline(row: Case, tmp_path: Path) -> None:
    check_case(kfp_pipeline, row, tmp_path, signal="repo.kfp.pipeline")


AML_PIPE = (
    "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\ntype: pipeline\njobs:\n"
    "  train:\n    type: command\n    command: python train.py\n"
)
AML_DSL = "from azure.ai.ml import dsl\n\n\n@dsl.pipeline(compute='cpu')\ndef pipe():\n    pass\n"
AML_ROWS = [
    Case("pipeline job yaml", {"aml/pipeline.yml": AML_PIPE}, "true", locations=["aml/pipeline.yml:1"]),
    Case("type pipeline without schema", {"aml/p.yml": "type: pipeline\njobs:\n  a: {type: command}\n"}, "true"),
    Case("azure ml dsl", {"aml/pipe.py": AML_DSL}, "true", locations=["aml/pipe.py:4"]),
    Case(
        "pitfall: a RAG indexing pipeline (crack, chunk, embed, push documents) trains nothing",
        {
            "scripts/pipeline.yml": AML_PIPE.replace("train:", "chunk_documents:")
            + "  embed_documents:\n    type: command\n  push_documents_acs:\n    type: command\n"
        },
        "false",
    ),
    Case(
        "command job only",
        {"aml/job.yml": "$schema: https://x/commandJob.schema.json\ncommand: python t.py\n"},
        "false",
    ),
]


@pytest.mark.parametrize("row", AML_ROWS, ids=case_ids(AML_ROWS))
def test_aml_pipeline(row: Case, tmp_path: Path) -> None:
    check_case(aml_pipeline, row, tmp_path, signal="repo.aml.pipeline_yaml")


AIRFLOW = (
    "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n\n"
    "with DAG('retrain') as dag:\n    PythonOperator(task_id='train_model', python_callable=f)\n"
)
AIRFLOW_ETL = "from airflow import DAG\n\nwith DAG('copy') as dag:\n    pass\n"
DVC = "stages:\n  prepare:\n    cmd: python prepare.py\n  train:\n    cmd: python train.py\n"
PIPE_ROWS = [
    Case("airflow dag that trains", {"dags/retrain.py": AIRFLOW}, "true", locations=["dags/retrain.py:4"]),
    Case("dvc pipeline with a train stage", {"dvc.yaml": DVC}, "true", locations=["dvc.yaml:4"]),
    Case("kfp pipeline", {"pipelines/pipe.py": KFP}, "true"),
    Case(
        "databricks job with a train task",
        {
            "databricks.yml": "bundle: {name: x}\nresources:\n  jobs:\n    nightly:\n"
            "      tasks:\n        - task_key: train_model\n"
        },
        "true",
    ),
    Case("ETL-only dag", {"dags/copy.py": AIRFLOW_ETL}, "false"),
    Case(
        "ETL dag whose table names only contain ML-like words",
        {
            "dags/extract.py": "from airflow import DAG\n\n"
            "TABLES = ['OFFENDER_RISK_PREDICTORS', 'light_touch_scorecards']\n"
            "with DAG('extract') as dag:\n    pass\n"
        },
        "false",
    ),
    Case(
        "tfx pipeline with a trainer",
        {
            "pipeline/pipeline.py": "from tfx import v1 as tfx\n\n\ndef create(root):\n"
            "    trainer = tfx.components.Trainer(module_file='model.py')\n"
            "    return tfx.dsl.Pipeline(pipeline_name='p', pipeline_root=root, components=[trainer])\n"
        },
        "true",
    ),
    Case(
        "beam pipeline copying files (no ML)",
        {"etl/copy.py": "import apache_beam as beam\n\nwith beam.Pipeline() as p:\n    p | beam.Create([1])\n"},
        "false",
    ),
    Case("single-stage dvc", {"dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n"}, "false"),
]


@pytest.mark.parametrize("row", PIPE_ROWS, ids=case_ids(PIPE_ROWS))
def test_ml_pipeline_defined(row: Case, tmp_path: Path) -> None:
    check_case(ml_pipeline_defined, row, tmp_path, signal="repo.ml_pipeline_defined")


MODEL_YAML = (
    "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: churn\n"
    "type: mlflow_model\npath: ./model\n"
)
MODEL_ROWS = [
    Case("azure ml model yaml", {"aml/model.yml": MODEL_YAML}, "true", locations=["aml/model.yml:1"]),
    Case(
        "sagemaker package group terraform",
        {
            "infra/sm.tf": 'resource "aws_sagemaker_model_package_group" "g" {\n'
            '  model_package_group_name = "churn"\n}\n'
        },
        "true",
    ),
    Case(
        "sagemaker register step",
        {
            "pipe.py": "from sagemaker.workflow.step_collections import RegisterModel\n"
            "RegisterModel(name='r', model_package_group_name='churn')\n"
        },
        "true",
    ),
    Case("model yaml in templates", {"templates/model.yml": MODEL_YAML}, "false"),
]


@pytest.mark.parametrize("row", MODEL_ROWS, ids=case_ids(MODEL_ROWS))
def test_aml_model_yaml(row: Case, tmp_path: Path) -> None:
    check_case(aml_model_yaml, row, tmp_path, signal="repo.aml.model_yaml")


AUTOML_PIPE = (
    "type: pipeline\njobs:\n  automl_step:\n    type: automl\n    task: classification\n"
    "  deploy_best:\n    type: command\n    command: python deploy.py\n"
)
AUTOML_PY = (
    "from azure.ai.ml import automl\njob = automl.classification(compute='c')\n"
    "ml_client.online_deployments.begin_create_or_update(d)\n"
)
AUTOML_ROWS = [
    Case("automl step then deploy", {"aml/p.yml": AUTOML_PIPE}, "true", confidence="low", locations=["aml/p.yml:3"]),
    Case("automl then deploy in python", {"automl.py": AUTOML_PY}, "true"),
    Case("automl job alone", {"aml/job.yml": "type: automl\ntask: regression\n"}, "false", values={"automl_specs": 1}),
    Case("no automl", {"train.py": "x = 1\n"}, "false"),
]


@pytest.mark.parametrize("row", AUTOML_ROWS, ids=case_ids(AUTOML_ROWS))
def test_automl_autodeploy(row: Case, tmp_path: Path) -> None:
    check_case(automl_autodeploy, row, tmp_path, signal="repo.automl_autodeploy")


LUDWIG = "input_features:\n  - {name: text, type: text}\noutput_features:\n  - {name: label, type: category}\n"
RULES = "fraud:\n  threshold: 0.8\n"
SPEC_ROWS = [
    Case("ludwig config", {"model/config.yaml": LUDWIG}, "true", locations=["model/config.yaml:1"]),
    Case(
        "threshold yaml read by code",
        {"conf/rules.yaml": RULES, "score.py": "CFG = load('conf/rules.yaml')\n"},
        "true",
        locations=["conf/rules.yaml:2"],
    ),
    Case("threshold yaml no code reads", {"conf/rules.yaml": RULES}, "false"),
    Case("prompt files", {"prompts/summarise.prompty": "---\nname: s\n---\nsystem: hi\n"}, "true"),
    Case(
        "k8s manifest with a threshold-like key",
        {"k8s/hpa.yaml": "apiVersion: v1\nkind: ConfigMap\nthreshold: 1\n", "a.py": "open('hpa.yaml')\n"},
        "false",
    ),
]


@pytest.mark.parametrize("row", SPEC_ROWS, ids=case_ids(SPEC_ROWS))
def test_declarative_model_specs(row: Case, tmp_path: Path) -> None:
    check_case(declarative_model_specs, row, tmp_path, signal="repo.declarative_model_specs")


PROPOSAL_ROWS = [
    Case(
        "model proposal form",
        {".github/ISSUE_TEMPLATE/model_proposal.yml": "name: Model proposal\nbody: []\n"},
        "true",
        locations=[".github/ISSUE_TEMPLATE/model_proposal.yml:1"],
    ),
    Case(
        "named by front matter",
        {".github/ISSUE_TEMPLATE/idea.md": "---\nname: New use case\nabout: Propose\n---\n"},
        "true",
    ),
    Case(
        "bug report mentioning a model in the body",
        {".github/ISSUE_TEMPLATE/bug.md": "---\nname: Bug report\n---\nWhich model version?\n"},
        "false",
    ),
    Case("no templates", {"README.md": "# x\n"}, "false"),
]


@pytest.mark.parametrize("row", PROPOSAL_ROWS, ids=case_ids(PROPOSAL_ROWS))
def test_model_proposal_templates(row: Case, tmp_path: Path) -> None:
    check_case(model_proposal_templates, row, tmp_path, signal="repo.model_proposal_templates")
