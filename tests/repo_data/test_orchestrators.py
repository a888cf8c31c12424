from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.data_orchestrators import SIGNALS, orchestrators
from scanner.model import Outcome
from scanner.testing import labels, run_on_repo, truth
from scanner.views import Views

AIRFLOW_DAG = """from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("nightly_load", schedule="@daily") as dag:
    BashOperator(task_id="load", bash_command="python load.py")
"""
ASTRO_STARTER = """from airflow.decorators import dag, task

@dag(schedule="@daily")
def example_astronauts():
    pass

example_astronauts()
"""
DAGSTER_ASSETS = """import dagster as dg

@dg.asset
def orders():
    return 1

defs = dg.Definitions(assets=[orders])
"""
DAGSTER_SCAFFOLD = """from dagster import Definitions, load_assets_from_modules
from . import assets

defs = Definitions(assets=load_assets_from_modules([assets]))
"""
PREFECT_INIT = """name: proj
deployments:
- name: null
  entrypoint: null
"""
PREFECT_DEPLOY = """name: proj
deployments:
- name: nightly
  entrypoint: flows/etl.py:etl
"""
METAFLOW = """from metaflow import FlowSpec, step

class TrainFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)
"""
KFP = """from kfp import dsl

@dsl.component
def add(a: int) -> int:
    return a

@dsl.pipeline(name="p")
def pipe():
    add(a=1)
"""
ZENML = """from zenml import pipeline, step

@step
def load() -> int:
    return 1

@pipeline
def training():
    load()
"""
ADF = '{"name": "copy_sales", "properties": {"activities": [{"name": "Copy", "type": "Copy"}]}}'
DAB = """bundle:
  name: sales
include:
  - resources/*.yml
"""
DAB_JOB = """resources:
  jobs:
    nightly_sales:
      name: nightly
"""
SQLMESH_CFG = "gateways:\n  local:\n    connection:\n      type: duckdb\nmodel_defaults:\n  dialect: duckdb\n"


def model(name: str) -> str:
    return f"MODEL (\n  name {name},\n  kind FULL\n);\nSELECT 1 AS id\n"


CASES = [
    ("airflow dag", {"dags/load.py": AIRFLOW_DAG}, {"airflow": ["dags/load.py:4"]}),
    ("airflow only declared", {"requirements.txt": "apache-airflow==2.9\n", "load.py": "print(1)\n"}, {}),
    ("astro starter dag", {"dags/exampledag.py": ASTRO_STARTER}, {}),
    ("airflow dag in examples", {"examples/dags/load.py": AIRFLOW_DAG}, {}),
    ("airflow dag built in a test", {"tests/test_operators.py": AIRFLOW_DAG}, {}),
    ("dagster assets", {"pipelines/defs.py": DAGSTER_ASSETS}, {"dagster": ["pipelines/defs.py:3"]}),
    ("dagster scaffold", {"proj/definitions.py": DAGSTER_SCAFFOLD, "proj/assets.py": ""}, {}),
    ("prefect deployment", {"prefect.yaml": PREFECT_DEPLOY}, {"prefect": ["prefect.yaml:3"]}),
    ("prefect init scaffold", {"prefect.yaml": PREFECT_INIT}, {}),
    ("metaflow flow", {"flows/train.py": METAFLOW}, {"metaflow": ["flows/train.py:3"]}),
    ("kfp pipeline", {"pipeline.py": KFP}, {"kubeflow": ["pipeline.py:7"]}),
    ("zenml pipeline", {"run.py": ZENML}, {"zenml": ["run.py:7"]}),
    ("adf pipeline json", {"adf/pipeline/copy_sales.json": ADF}, {"adf": ["adf/pipeline/copy_sales.json:1"]}),
    ("adf empty pipeline", {"adf/pipeline/empty.json": '{"name": "e", "properties": {"activities": []}}'}, {}),
    (
        "dab with included job",
        {"databricks.yml": DAB, "resources/sales.yml": DAB_JOB},
        {"dab": ["resources/sales.yml:3"]},
    ),
    ("dab without jobs", {"databricks.yml": "bundle:\n  name: x\n"}, {}),
    (
        "sqlmesh models",
        {"config.yaml": SQLMESH_CFG, "models/orders.sql": model("sales.orders")},
        {"sqlmesh": ["models/orders.sql:1"]},
    ),
    ("sqlmesh init starter", {"config.yaml": SQLMESH_CFG, "models/full.sql": model("sqlmesh_example.full_model")}, {}),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_orchestrators(tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, list[str]]) -> None:
    found = run_on_repo(orchestrators, tmp_path, files)
    assert set(found) == set(SIGNALS)
    for signal, finding in found.items():
        tool = signal.rsplit(".", 1)[1]
        assert truth(finding) == (tool in expected), (signal, finding.message)
        if tool in expected:
            assert labels(finding)[: len(expected[tool])] == expected[tool]


def test_notebook_only_dag_is_low_confidence(tmp_path: Path) -> None:
    nb = '{"cells": [{"cell_type": "code", "source": ["from airflow import DAG\\n", "d = DAG(\\"x\\")\\n"]}]}'
    finding = run_on_repo(orchestrators, tmp_path, {"notebooks/dag.ipynb": nb})["repo.orchestrator.airflow"]
    assert truth(finding) and finding.confidence == "low"
    assert finding.locations[0].snippet is not None and finding.locations[0].snippet.startswith("cell 1, line 2")


def test_dependency_only_message(tmp_path: Path) -> None:
    finding = run_on_repo(orchestrators, tmp_path, {"requirements.txt": "dagster\n"})["repo.orchestrator.dagster"]
    assert not truth(finding) and finding.values["declared"] == 1 and "declared" in finding.message


def test_unavailable_without_repo() -> None:
    findings = list(orchestrators(Views(subject="r")))
    assert {f.outcome for f in findings} == {Outcome.NOT_AVAILABLE} and len(findings) == len(SIGNALS)
