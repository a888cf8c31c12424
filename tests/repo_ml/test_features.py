"""I/O contracts, catalog dataset references, feature stores and model monitoring libraries."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_features import catalog_dataset_refs, feast, feature_store_client, io_contracts
from probes.repo.ml_monitoring import ml_monitoring
from scanner.testing import Case, case_ids, check_case, expect, notebook, run_on_repo

SIGNATURE = (
    "import mlflow\nfrom mlflow.models import infer_signature\n\nsig = infer_signature(X, y)\n"
    "mlflow.sklearn.log_model(m, 'model', signature=sig)\n"
)
SCHEMA = "from pydantic import BaseModel\n\n\nclass Request(BaseModel):\n    age: int\n"
TRAIN_USES = "from sklearn.svm import SVC\nfrom pkg.schema import Request\n\nSVC().fit(X, y)\n"
APP_USES = (
    "from fastapi import FastAPI\nfrom pkg.schema import Request\n\napp = FastAPI()\n\n\n"
    "@app.post('/predict')\ndef p(r: Request):\n    return r\n"
)
CONTRACT_ROWS = [
    Case("mlflow signature", {"train.py": SIGNATURE}, "true", locations=["train.py:4"]),
    Case("data contract", {"contracts/orders.yaml": "dataContractSpecification: 1.1.0\nid: orders\n"}, "true"),
    Case(
        "pydantic schema shared by training and app",
        {"pkg/__init__.py": "", "pkg/schema.py": SCHEMA, "pkg/train.py": TRAIN_USES, "pkg/api.py": APP_USES},
        "true",
        locations=["pkg/schema.py:4"],
    ),
    Case(
        "pydantic schema used by the app only",
        {"pkg/__init__.py": "", "pkg/schema.py": SCHEMA, "pkg/api.py": APP_USES},
        "false",
    ),
    Case("log_model without signature", {"train.py": "import mlflow\nmlflow.sklearn.log_model(m, 'model')\n"}, "false"),
]


@pytest.mark.parametrize("row", CONTRACT_ROWS, ids=case_ids(CONTRACT_ROWS))
def test_io_contracts(row: Case, tmp_path: Path) -> None:
    check_case(io_contracts, row, tmp_path, signal="repo.io_contracts")


UC_TRAIN = "from sklearn.svm import SVC\n\ndf = spark.table('main.sales.orders').toPandas()\nSVC().fit(df, df)\n"
LOADER = "def load():\n    return spark.table('main.sales.orders')\n"
FIT_LOADED = "from sklearn.svm import SVC\n\nSVC().fit(load(), None)\n"
LOG_INPUT = "import mlflow\n\nds = mlflow.data.from_pandas(df, source='main.sales.orders')\nmlflow.log_input(ds)\n"
CATALOG_ROWS = [
    Case("three-part table in training", {"train.py": UC_TRAIN}, "true", locations=["train.py:3"]),
    Case("mlflow log_input", {"track.py": LOG_INPUT}, "true", locations=["track.py:4"]),
    Case("file path that looks dotted", {"train.py": UC_TRAIN.replace("main.sales.orders", "data.csv.gz")}, "false"),
    Case(
        "three-part table in a loader training imports",
        {"pkg/__init__.py": "", "pkg/data.py": LOADER, "pkg/train.py": "from pkg.data import load\n" + FIT_LOADED},
        "true",
        locations=["pkg/data.py:2"],
    ),
    Case("three-part table outside training", {"report.py": "df = spark.table('main.sales.orders')\n"}, "false"),
]


@pytest.mark.parametrize("row", CATALOG_ROWS, ids=case_ids(CATALOG_ROWS))
def test_catalog_dataset_refs(row: Case, tmp_path: Path) -> None:
    check_case(catalog_dataset_refs, row, tmp_path, signal="code.catalog_dataset_refs")


STORE_YAML = "project: churn\nregistry: data/registry.db\nprovider: local\nonline_store:\n  type: sqlite\n"
DEFS = (
    "from feast import Entity, FeatureView\n\ncustomer = Entity(name='customer')\n"
    "fv = FeatureView(name='customer_stats', entities=[customer])\n"
)
SCAFFOLD = "from feast import Entity, FeatureView\n\nfv = FeatureView(name='driver_hourly_stats')\n"
HIST = "from feast import FeatureStore\n\nstore = FeatureStore('.')\ndf = store.get_historical_features(e, f).to_df()\n"
FEAST_ROWS = [
    Case(
        "feature repo with training read",
        {"feature_repo/feature_store.yaml": STORE_YAML, "feature_repo/defs.py": DEFS, "train.py": HIST},
        "true",
        confidence="medium",
    ),
    Case(
        "feature repo without training read",
        {"feature_store.yaml": STORE_YAML, "defs.py": DEFS},
        "true",
        confidence="low",
    ),
    Case(
        "feast init scaffold",
        {"feature_store.yaml": STORE_YAML, "defs.py": SCAFFOLD},
        "false",
        values={"scaffold_files": 1},
    ),
    Case("yaml only", {"feature_store.yaml": STORE_YAML}, "false"),
]


@pytest.mark.parametrize("row", FEAST_ROWS, ids=case_ids(FEAST_ROWS))
def test_feast(row: Case, tmp_path: Path) -> None:
    check_case(feast, row, tmp_path, signal="repo.feast")


STORE_ROWS = [
    Case(
        "databricks feature engineering",
        {
            "fe.py": "from databricks.feature_engineering import "
            "FeatureEngineeringClient\nfe = FeatureEngineeringClient()\n"
        },
        "true",
        values={"stores": ["Databricks Feature Engineering"]},
    ),
    Case("feast FeatureStore", {"train.py": HIST}, "true", locations=["train.py:3"]),
    Case("import only", {"fe.py": "import hsfs\n"}, "false"),
]


@pytest.mark.parametrize("row", STORE_ROWS, ids=case_ids(STORE_ROWS))
def test_feature_store_client(row: Case, tmp_path: Path) -> None:
    check_case(feature_store_client, row, tmp_path, signal="code.feature_store_client")


EVIDENTLY = (
    "from evidently.report import Report\nfrom evidently.metric_preset import DataDriftPreset\n\n"
    "Report(metrics=[DataDriftPreset()]).run(reference_data=a, current_data=b)\n"
)
SM = "from sagemaker.model_monitor import DefaultModelMonitor\nDefaultModelMonitor(role='r')\n"
AML_MON = (
    "$schema: https://azuremlschemas.azureedge.net/latest/schedule.schema.json\nname: mon\n"
    "create_monitor:\n  compute: {instance_type: standard_e4s_v3}\n"
)


@pytest.mark.parametrize(
    ("files", "tool", "outcome", "extra"),
    [
        ({"monitoring/drift.py": EVIDENTLY}, "evidently", "true", {"count": 1}),
        ({"monitoring/sm.py": SM}, "sagemaker_monitor", "true", {}),
        ({"monitoring/schedule.yml": AML_MON}, "aml_monitor", "true", {}),
        ({"drift.py": "import whylogs as why\nwhy.log(df)\n"}, "whylogs", "true", {}),
        ({"nb.ipynb": notebook(EVIDENTLY)}, "evidently", "true", {}),
        ({"requirements.txt": "evidently==0.4\n"}, "evidently", "false", {"declared_only": True}),
        ({"drift.py": "import nannyml\n"}, "nannyml", "false", {"count": 0}),
        ({"examples/drift.py": EVIDENTLY}, "evidently", "false", {}),
    ],
    ids=["evidently", "sagemaker", "aml-monitor", "whylogs", "notebook", "declared-only", "import-only", "example"],
)
def test_ml_monitoring(files: dict, tool: str, outcome: str, extra: dict, tmp_path: Path) -> None:
    found = run_on_repo(ml_monitoring, tmp_path, files)
    finding = found[f"repo.ml_monitoring.{tool}"]
    expect(finding, outcome, values=extra)
    others = [f for s, f in found.items() if not s.endswith(tool)]
    assert all(f.outcome.value == "false" for f in others)
    if "nb.ipynb" in files:
        assert finding.confidence == "low"
