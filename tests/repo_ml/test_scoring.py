"""Scoring code and its tests, and what triggers scoring or retraining."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo._ml import retrain_trigger_senders
from probes.repo.serving_scoring import scoring_present, scoring_tested
from probes.repo.serving_triggers import retrain_trigger_sender, scoring_event_driven, scoring_on_alert
from scanner.testing import Case, case_ids, check_case, index_of, notebook, run_on_repo

SCORE = (
    "import joblib\n\n\ndef init():\n    global model\n    model = joblib.load('model.pkl')\n\n\n"
    "def run(raw):\n    return model.predict(raw)\n"
)
SAGEMAKER = (
    "import joblib\n\n\ndef model_fn(model_dir):\n    return joblib.load(model_dir)\n\n\n"
    "def predict_fn(data, model):\n    return model.predict(data)\n"
)
PYFUNC = (
    "import mlflow\n\n\nclass Wrapper(mlflow.pyfunc.PythonModel):\n    def predict(self, ctx, x):\n"
    "        return x\n\n\nmlflow.pyfunc.save_model('m', python_model=Wrapper())\n"
)
API = (
    "from fastapi import FastAPI\nimport joblib\n\napp = FastAPI()\nmodel = joblib.load('m.pkl')\n\n\n"
    "@app.post('/predict')\ndef predict(x: list[float]):\n    return {'y': model.predict([x]).tolist()}\n"
)
SCORING = [
    Case("azure ml score.py", {"src/score.py": SCORE}, "true", locations=["src/score.py:4"]),
    Case("sagemaker handlers", {"code/inference.py": SAGEMAKER}, "true", locations=["code/inference.py:4"]),
    Case("mlflow pyfunc", {"model/wrapper.py": PYFUNC}, "true", locations=["model/wrapper.py:4"]),
    Case("fastapi route calling predict", {"app/main.py": API}, "true", locations=["app/main.py:8"]),
    Case("bentofile", {"bentofile.yaml": "service: 'service:svc'\n"}, "true"),
    Case("placeholder score.py", {"score.py": "def init():\n    pass\n\n\ndef run(data):\n    pass\n"}, "false"),
    Case(
        "route without predict",
        {
            "app/main.py": "from flask import Flask\napp = Flask(__name__)\n\n\n"
            "@app.route('/')\ndef home():\n    return 'hi'\n"
        },
        "false",
    ),
    Case("score.py in examples", {"examples/score.py": SCORE}, "false"),
]


@pytest.mark.parametrize("row", SCORING, ids=case_ids(SCORING))
def test_scoring_present(row: Case, tmp_path: Path) -> None:
    check_case(scoring_present, row, tmp_path, signal="repo.scoring.present")


TEST_SCORE = "from score import init, run\n\n\ndef test_run():\n    init()\n    assert run([[1]]) is not None\n"
TEST_API = (
    "from fastapi.testclient import TestClient\n\nfrom app.main import app\n\n\ndef test_predict():\n"
    "    assert TestClient(app).post('/predict', json=[1.0]).status_code == 200\n"
)
SKIPPED = "import pytest\nfrom score import run\n\n\n@pytest.mark.skip\ndef test_run():\n    assert run(1)\n"
TESTED = [
    Case(
        "imports score.py",
        {"src/score.py": SCORE, "tests/test_score.py": TEST_SCORE},
        "true",
        locations=["tests/test_score.py:1"],
    ),
    Case(
        "TestClient on the app",
        {"app/main.py": API, "app/__init__.py": "", "tests/test_api.py": TEST_API},
        "true",
        locations=["tests/test_api.py:3"],
    ),
    Case("only skipped tests", {"src/score.py": SCORE, "tests/test_score.py": SKIPPED}, "false"),
    Case(
        "no test of scoring", {"src/score.py": SCORE, "tests/test_other.py": "def test_x():\n    assert 1\n"}, "false"
    ),
]


@pytest.mark.parametrize("row", TESTED, ids=case_ids(TESTED))
def test_scoring_tested(row: Case, tmp_path: Path) -> None:
    check_case(scoring_tested, row, tmp_path, signal="repo.scoring.tested")


ALERT_HANDLER = (
    "from flask import Flask\nfrom serving.score import run\napp = Flask(__name__)\n\n\n"
    "@app.post('/alerts')\ndef on_alert():\n    return run(load())\n"
)
AM = "receivers:\n  - name: rescore\n    webhook_configs:\n      - url: http://scoring-svc/score-on-alert\n"
AM_PLAIN = "receivers:\n  - name: team\n    webhook_configs:\n      - url: http://chat.example/hook\n"
ON_ALERT = [
    Case(
        "alert route into scoring",
        {"serving/score.py": SCORE, "serving/__init__.py": "", "serving/alerts.py": ALERT_HANDLER},
        "true",
        locations=["serving/alerts.py:6"],
    ),
    Case(
        "alertmanager webhook to scoring",
        {"monitoring/alertmanager.yml": AM},
        "true",
        locations=["monitoring/alertmanager.yml:4"],
    ),
    Case(
        "ASA anomaly function", {"asa/query.sql": "SELECT AnomalyDetection_SpikeAndDip(v, 95, 120, 'spikes')\n"}, "true"
    ),
    Case("alertmanager webhook to chat", {"monitoring/alertmanager.yml": AM_PLAIN}, "false"),
]


@pytest.mark.parametrize("row", ON_ALERT, ids=case_ids(ON_ALERT))
def test_scoring_on_alert(row: Case, tmp_path: Path) -> None:
    check_case(scoring_on_alert, row, tmp_path, signal="code.scoring_on_alert")


KAFKA = (
    "from kafka import KafkaConsumer\nimport joblib\nmodel = joblib.load('m.pkl')\n"
    "for msg in KafkaConsumer('orders'):\n    model.predict([msg.value])\n"
)
FUNC = (
    "import azure.functions as func\nimport joblib\napp = func.FunctionApp()\n\n\n"
    "@app.service_bus_queue_trigger(arg_name='m', queue_name='q', connection='c')\ndef score(m):\n"
    "    joblib.load('m.pkl').predict([m])\n"
)
KEDA = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: scorer\nspec:\n  triggers: []\n"
EVENTS = [
    Case("kafka consumer calls predict", {"worker/consume.py": KAFKA}, "true", locations=["worker/consume.py:4"]),
    Case(
        "azure function service bus trigger", {"fn/function_app.py": FUNC}, "true", locations=["fn/function_app.py:6"]
    ),
    Case("KEDA beside scoring code", {"k8s/keda.yaml": KEDA, "src/score.py": SCORE}, "true", confidence="low"),
    Case("KEDA without scoring code", {"k8s/keda.yaml": KEDA}, "false", values={"event_configs": 1}),
    Case(
        "consumer without a model",
        {"w.py": "from kafka import KafkaConsumer\nfor m in KafkaConsumer('t'):\n    print(m)\n"},
        "false",
    ),
]


@pytest.mark.parametrize("row", EVENTS, ids=case_ids(EVENTS))
def test_scoring_event_driven(row: Case, tmp_path: Path) -> None:
    check_case(scoring_event_driven, row, tmp_path, signal="code.scoring_event_driven")


DISPATCH = (
    "import requests\n\n\ndef on_drift(repo, token):\n    requests.post(f'https://api.github.com/repos/{repo}"
    "/dispatches', json={'event_type': 'retrain'}, headers={'Authorization': token})\n"
)
PYGITHUB = "from github import Github\n\n\ndef trigger(repo):\n    repo.create_repository_dispatch('drift_detected')\n"
RETRAIN = [
    Case(
        "REST repository_dispatch on drift",
        {"monitoring/drift.py": DISPATCH},
        "true",
        locations=["monitoring/drift.py:5"],
    ),
    Case("PyGithub dispatch", {"monitoring/trigger.py": PYGITHUB}, "true", locations=["monitoring/trigger.py:5"]),
    Case(
        "gh workflow run in a monitoring workflow",
        {".github/workflows/monitor.yml": "jobs:\n  check:\n    steps:\n      - run: gh workflow run retrain.yml\n"},
        "true",
    ),
    Case(
        "dispatch unrelated to retraining",
        {"ops/release.sh": "gh workflow run release.yml\n"},
        "false",
        values={"other_dispatches": 1},
    ),
    Case("dispatch only in tests", {"tests/test_drift.py": DISPATCH}, "false"),
]


@pytest.mark.parametrize("row", RETRAIN, ids=case_ids(RETRAIN))
def test_retrain_trigger_sender(row: Case, tmp_path: Path) -> None:
    check_case(retrain_trigger_sender, row, tmp_path, signal="code.retrain_trigger_sender")


def test_retrain_trigger_senders_is_reusable(tmp_path: Path) -> None:
    senders = retrain_trigger_senders(
        index_of(tmp_path, {"monitoring/drift.py": DISPATCH, "x.sh": "gh workflow run a"})
    )
    assert [(s.path, s.line, s.mechanism, s.retrain) for s in senders] == [
        ("monitoring/drift.py", 5, "api", True),
        ("x.sh", 1, "cli", False),
    ]


SUBPROCESS = "import subprocess\n\n\ndef on_drift():\n    subprocess.run(['gh', 'workflow', 'run', 'retrain.yml'])\n"
OS_SYSTEM = "import os\n\n\ndef on_drift():\n    os.system('gh workflow run retrain.yml')\n"
PATTERNS_ONLY = 'import re\n\nDISPATCH = re.compile(r"gh\\s+api\\s+\\S*/dispatches|/dispatches")  # retrain detector\n'


@pytest.mark.parametrize(
    ("files", "outcome"),
    [
        ({"mon/a.py": SUBPROCESS}, "true"),
        ({"mon/b.py": OS_SYSTEM}, "true"),
        ({"scan/rules.py": PATTERNS_ONLY}, "false"),
    ],
    ids=["subprocess-argv", "os-system", "regex-source-is-not-a-sender"],
)
def test_retrain_sender_python_forms(files: dict[str, str], outcome: str, tmp_path: Path) -> None:
    assert run_on_repo(retrain_trigger_sender, tmp_path, files)["code.retrain_trigger_sender"].outcome.value == outcome


EMBED_ROUTE = (
    "from fastapi import APIRouter\nfrom sentence_transformers import SentenceTransformer\n\n"
    "router = APIRouter()\nmodel = SentenceTransformer('all-MiniLM-L6-v2')\n\n\n"
    "@router.post('/embed')\ndef embed(texts: list[str]):\n    return model.encode(texts).tolist()\n"
)
TOKEN_ROUTE = (
    "from fastapi import APIRouter\nfrom tokenizers import Tokenizer\n\nrouter = APIRouter()\n"
    "tok = Tokenizer.from_pretrained('bert-base-uncased')\n\n\n"
    "@router.post('/count')\ndef count(text: str):\n    return len(tok.encode(text.encode('utf-8')))\n"
)
HELPER = (
    "import numpy as np\nfrom sklearn.preprocessing import RobustScaler\n\n\n"
    "def risk_probability(weights, x):\n    z = RobustScaler().fit_transform(x).dot(weights)\n"
    "    return 1 / (1 + np.exp(-z))\n"
)
ASSET = (
    "from dagster import asset\n\nfrom risk.lib.helper import risk_probability\n\n\n"
    "@asset\ndef student_risk(context):\n    return risk_probability([1.0], [[1.0]])\n"
)
INFER_MODULE = "import joblib\n\nmodel = joblib.load('m.pkl')\n\n\ndef run_model(x):\n    return model.predict(x)\n"
CUSTOM_ROUTE = (
    "from myframework import api\n\nfrom svc.inference import run_model\n\n\n"
    "@api.post('/v1/score')\ndef score(req):\n    return run_model(req.body)\n"
)
LAMBDA = (
    "import boto3\n\nrt = boto3.client('sagemaker-runtime')\n\n\ndef lambda_handler(event, context):\n"
    "    return rt.invoke_endpoint(EndpointName='e', Body=event['body'])\n"
)
WORKER = (
    "from kafka import KafkaConsumer\n\nfrom svc.inference import run_model\n\n"
    "for msg in KafkaConsumer('events'):\n    run_model(msg.value)\n"
)
BATCH = (
    "import joblib\nimport pandas as pd\n\nif __name__ == '__main__':\n    df = pd.read_csv('in.csv')\n"
    "    df['y'] = joblib.load('m.pkl').predict(df)\n    df.to_csv('predictions.csv')\n"
)
TRAIN_ASSET = (
    "from dagster import asset\nfrom sklearn.linear_model import LinearRegression\n\n\n@asset\n"
    "def model(df):\n    m = LinearRegression().fit(df[['x']], df['y'])\n    return m.predict(df[['x']])\n"
)
PLAIN_ROUTE = (
    "from myframework import api\n\nfrom svc.db import fetch_rows\n\n\n"
    "@api.get('/rows')\ndef rows():\n    return fetch_rows()\n"
)
ENTRYPOINTS = [
    Case("route calling model.encode", {"server/encoders.py": EMBED_ROUTE}, "true", locations=["server/encoders.py:8"]),
    Case("route encoding with a tokenizer", {"server/tokens.py": TOKEN_ROUTE}, "false"),
    Case(
        "dagster asset -> local helper computing probabilities",
        {
            "risk/assets/score.py": ASSET,
            "risk/lib/helper.py": HELPER,
            "risk/__init__.py": "",
            "risk/lib/__init__.py": "",
        },
        "true",
        locations=["risk/assets/score.py:6"],
    ),
    Case(
        "custom route decorator -> inference module",
        {"svc/api.py": CUSTOM_ROUTE, "svc/inference.py": INFER_MODULE, "svc/__init__.py": ""},
        "true",
        locations=["svc/api.py:6"],
    ),
    Case("lambda handler invoking a SageMaker endpoint", {"lambda/handler.py": LAMBDA}, "true"),
    Case(
        "kafka worker -> inference module",
        {"svc/worker.py": WORKER, "svc/inference.py": INFER_MODULE, "svc/__init__.py": ""},
        "true",
        locations=["svc/worker.py:5"],
    ),
    Case("batch scoring script writing predictions", {"jobs/score_batch.py": BATCH}, "true"),
    Case("training asset is not scoring", {"pipe/assets.py": TRAIN_ASSET}, "false"),
    Case(
        "custom route with no model behind it",
        {"svc/api.py": PLAIN_ROUTE, "svc/db.py": "def fetch_rows():\n    return []\n", "svc/__init__.py": ""},
        "false",
    ),
    Case("notebook predicting to a submission csv", {"sub.ipynb": notebook(BATCH)}, "false"),
    Case("batch scoring in examples", {"examples/score_batch.py": BATCH}, "false"),
]


@pytest.mark.parametrize("row", ENTRYPOINTS, ids=case_ids(ENTRYPOINTS))
def test_scoring_entrypoints(row: Case, tmp_path: Path) -> None:
    check_case(scoring_present, row, tmp_path, signal="repo.scoring.present")


SMOKE = (
    "import requests\n\n\ndef call(service):\n"
    "    return requests.post(service.scoring_uri, json={'data': [[1, 2]]}).json()\n"
)
CD = "steps:\n  - script: python -m ml_service.util.smoke_test_scoring_service --type ACI\n"
SMOKE_ROWS = [
    Case(
        "smoke test of the deployed service run by the CD pipeline",
        {"src/score.py": SCORE, "ml_service/util/smoke_test_scoring_service.py": SMOKE, ".pipelines/cd.yml": CD},
        "true",
        values={"smoke_tests": 1},
    ),
    Case(
        "smoke script no pipeline runs",
        {"src/score.py": SCORE, "ml_service/util/smoke_test_scoring_service.py": SMOKE},
        "false",
    ),
    Case(
        "smoke test of a health endpoint",
        {
            "src/score.py": SCORE,
            "ops/smoke_test.py": "import requests\n\nrequests.post('http://svc/health')\n",
            "ci.yml": "run: python ops/smoke_test.py\n",
        },
        "false",
    ),
]


@pytest.mark.parametrize("row", SMOKE_ROWS, ids=case_ids(SMOKE_ROWS))
def test_scoring_smoke_tests(row: Case, tmp_path: Path) -> None:
    check_case(scoring_tested, row, tmp_path, signal="repo.scoring.tested")


LAUNCH_SERVER = (
    "import subprocess\n\n\nclass Service:\n    def serve(self, model_id, port):\n"
    "        cmd = 'acme_model_serve --bundle_path {0} --port {1}'.format(model_id, port)\n"
    "        subprocess.run(cmd, shell=True)\n"
)
LAUNCHERS = [
    Case("platform launching a model server", {"hub/serve/services.py": LAUNCH_SERVER}, "true"),
    Case(
        "bentoml serve from a serve module",
        {"app/serve.py": "import os\n\nos.system('bentoml serve service:svc --port 3000')\n"},
        "true",
    ),
    Case(
        "serve command only in a help text of an unrelated module",
        {"cli/help.py": "HELP = 'run: bentoml serve service:svc to try it'\n\n\ndef show():\n    print(HELP)\n"},
        "false",
    ),
    Case("launcher in tests", {"tests/serve_test.py": LAUNCH_SERVER}, "false"),
]


@pytest.mark.parametrize("row", LAUNCHERS, ids=case_ids(LAUNCHERS))
def test_model_server_launchers(row: Case, tmp_path: Path) -> None:
    check_case(scoring_present, row, tmp_path, signal="repo.scoring.present")


def test_evaluation_script_writing_predictions_is_not_scoring(tmp_path: Path) -> None:
    found = run_on_repo(scoring_present, tmp_path, {"src/evaluate.py": BATCH})
    assert found["repo.scoring.present"].outcome.value == "false"


def test_test_of_a_cli_reaching_the_scoring_code_counts(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/serve/__init__.py": "",
        "pkg/serve/services.py": LAUNCH_SERVER,
        "pkg/cli/__init__.py": "",
        "pkg/cli/serve.py": "from ..serve.services import Service\n\n\ndef serve_cmd(m):\n    Service().serve(m, 1)\n",
        "tests/test_cli.py": (
            "from pkg.cli.serve import serve_cmd\n\n\ndef test_serve():\n    assert serve_cmd('m') is None\n"
        ),
    }
    assert run_on_repo(scoring_tested, tmp_path, files)["repo.scoring.tested"].outcome.value == "true"


def test_test_of_an_unrelated_module_does_not_count(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/serve/services.py": LAUNCH_SERVER,
        "pkg/util.py": "def add(a, b):\n    return a + b\n",
        "tests/test_util.py": "from pkg.util import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    }
    assert run_on_repo(scoring_tested, tmp_path, files)["repo.scoring.tested"].outcome.value == "false"
