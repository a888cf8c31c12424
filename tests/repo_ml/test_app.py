"""How apps get models (registry vs hard-coded download), prediction telemetry, manual deploys."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.serving_app import (
    app_loads_from_registry,
    app_prediction_telemetry,
    deploy_manual,
    model_download_hardcoded,
)
from scanner.testing import Case, case_ids, check_case, notebook, run_on_repo

SCORE = (
    "import joblib\n\n\ndef init():\n    global model\n    model = joblib.load('model.pkl')\n\n\n"
    "def run(raw):\n    return model.predict(raw)\n"
)
REGISTRY = [
    Case(
        "models:/ alias",
        {"app/load.py": "import mlflow\nm = mlflow.pyfunc.load_model('models:/churn@champion')\n"},
        "true",
        locations=["app/load.py:2"],
    ),
    Case(
        "f-string registry uri",
        {"app/load.py": "import mlflow\nm = mlflow.pyfunc.load_model(f'models:/{N}/{V}')\n"},
        "true",
    ),
    Case(
        "azure ml models.get",
        {"app/a.py": "from azure.ai.ml import MLClient\nm = ml_client.models.get('m', '3')\n"},
        "true",
    ),
    Case("registry uri in helm values", {"charts/app/values.yaml": "model_uri: models:/churn@prod\n"}, "true"),
    Case(
        "runs:/ is not a registry",
        {"app/load.py": "import mlflow\nm = mlflow.pyfunc.load_model('runs:/abc/model')\n"},
        "false",
    ),
    Case("registry uri in docs only", {"docs/guide.py": "uri = 'models:/churn@champion'\n"}, "false"),
]


@pytest.mark.parametrize("row", REGISTRY, ids=case_ids(REGISTRY))
def test_app_loads_from_registry(row: Case, tmp_path: Path) -> None:
    check_case(app_loads_from_registry, row, tmp_path, signal="code.app_loads_from_registry")


DOWNLOADS = [
    Case(
        "urlretrieve of a pickle",
        {
            "app/model.py": "import urllib.request\n"
            "urllib.request.urlretrieve('https://x.blob.core.windows.net/m/model.pkl', 'm')\n"
        },
        "true",
        locations=["app/model.py:2"],
    ),
    Case(
        "constant URL then requests.get",
        {"app/m.py": "import requests\nURL = 'https://cdn.x.com/model.onnx'\ndata = requests.get(URL).content\n"},
        "true",
    ),
    Case(
        "s3 download_file",
        {
            "app/m.py": "import boto3\ns3 = boto3.client('s3')\n"
            "s3.download_file('bucket', 'models/model.joblib', '/tmp/m')\n"
        },
        "true",
    ),
    Case(
        "registry lookup in the same file",
        {
            "app/m.py": "import mlflow, requests\nrequests.get('https://x/model.pkl')"
            "\nmlflow.pyfunc.load_model('models:/m@prod')\n"
        },
        "false",
    ),
    Case(
        "blob client without download",
        {"app/m.py": "from azure.storage.blob import BlobClient\nc = BlobClient('u', 'c', 'model.pkl')\n"},
        "false",
    ),
    Case("api call, not a model", {"app/m.py": "import requests\nrequests.get('https://api.x.com/users')\n"}, "false"),
]


@pytest.mark.parametrize("row", DOWNLOADS, ids=case_ids(DOWNLOADS))
def test_model_download_hardcoded(row: Case, tmp_path: Path) -> None:
    check_case(model_download_hardcoded, row, tmp_path, signal="code.model_download_hardcoded")


PROM = (
    "from prometheus_client import Histogram\nLAT = Histogram('predict_seconds', 'x')\n\n\ndef score(m, x):\n"
    "    with LAT.time():\n        return m.predict(x)\n"
)
OTEL = (
    "from opentelemetry import trace\ntracer = trace.get_tracer(__name__)\n\n\ndef score(m, x):\n"
    "    with tracer.start_as_current_span('predict'):\n        return m.predict(x)\n"
)
FEEDBACK = (
    "from fastapi import FastAPI\napp = FastAPI()\n\n\n@app.post('/feedback')\ndef feedback(r: dict):\n    return r\n"
)
TELEMETRY = [
    Case("prometheus around predict", {"app/score.py": PROM}, "true", locations=["app/score.py:2"]),
    Case("otel span around predict", {"app/score.py": OTEL}, "true", locations=["app/score.py:6"]),
    Case(
        "feedback endpoint in a model-serving repo",
        {"app/api.py": FEEDBACK, "app/score.py": SCORE},
        "true",
        locations=["app/api.py:5"],
    ),
    Case("feedback endpoint without model serving (LLM chat app)", {"app/api.py": FEEDBACK}, "false"),
    Case(
        "metrics without predictions",
        {"app/web.py": "from prometheus_client import Counter\nC = Counter('x', 'y')\n"},
        "false",
    ),
    Case("telemetry in a notebook", {"nb.ipynb": notebook(PROM)}, "false"),
]


@pytest.mark.parametrize("row", TELEMETRY, ids=case_ids(TELEMETRY))
def test_app_prediction_telemetry(row: Case, tmp_path: Path) -> None:
    check_case(app_prediction_telemetry, row, tmp_path, signal="code.app_prediction_telemetry")


DEPLOY_NB = notebook(
    "from sagemaker.model import Model",
    "p = Model(image_uri='i').deploy(initial_instance_count=1, instance_type='ml.m5.large')",
)
MANUAL = [
    Case("notebook deploys", {"notebooks/deploy.ipynb": DEPLOY_NB}, "true", confidence="low", values={"notebooks": 1}),
    Case(
        "shell script deploys",
        {"scripts/deploy.sh": "#!/bin/sh\naz ml online-deployment create -f d.yml\n"},
        "true",
        locations=["scripts/deploy.sh:2"],
    ),
    Case(
        "notebook magic deploys", {"nb.ipynb": notebook("!az ml online-endpoint update --traffic 'blue=100'")}, "true"
    ),
    Case("deploy only in docs", {"docs/deploy.sh": "az ml online-deployment create -f d.yml\n"}, "false"),
    Case("no deploy", {"scripts/run.sh": "python train.py\n"}, "false"),
    Case(
        "python module deploying a managed endpoint",
        {
            "ml_ops/deploy.py": "from azure.ai.ml import MLClient\n\nml_client = MLClient()\n"
            "ml_client.online_endpoints.begin_create_or_update(endpoint).result()\n"
        },
        "true",
        confidence="medium",
    ),
    Case(
        "boto3 SageMaker endpoint from a module",
        {"ops/release.py": "import boto3\n\nsm = boto3.client('sagemaker')\nsm.create_endpoint(EndpointName='e')\n"},
        "true",
    ),
    Case(
        "API Gateway create_deployment is not a model deploy",
        {"ops/api.py": "import boto3\n\nagw = boto3.client('apigateway')\nagw.create_deployment(restApiId='x')\n"},
        "false",
    ),
]


@pytest.mark.parametrize("row", MANUAL, ids=case_ids(MANUAL))
def test_deploy_manual(row: Case, tmp_path: Path) -> None:
    check_case(deploy_manual, row, tmp_path, signal="repo.deploy_manual")


def test_registry_regex_source_is_not_a_registry_reference(tmp_path: Path) -> None:
    code = 'import re\n\nURI = re.compile(r"^models:/[^/@]*(@|/)")\n'
    finding = run_on_repo(app_loads_from_registry, tmp_path, {"scan/rules.py": code})["code.app_loads_from_registry"]
    assert finding.outcome.value == "false"
