"""Training code, model binaries, per-project data prep, ML presence and notebooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_presence import ml_present, notebooks_only, notebooks_present
from probes.repo.ml_training import model_binaries, per_experiment_data_prep, training_code
from scanner.testing import Case, case_ids, check_case, expect, notebook, run_on_repo

SKLEARN_TRAIN = """import joblib
from sklearn.ensemble import RandomForestClassifier


def main(X, y):
    model = RandomForestClassifier()
    model.fit(X, y)
    joblib.dump(model, "model.pkl")
"""
TORCH_LOOP = """import torch


def train(model, loader, optimizer):
    for x, y in loader:
        loss = model(x).sum()
        loss.backward()
        optimizer.step()
"""
HF_TRAIN = """from transformers import Trainer, TrainingArguments

trainer = Trainer(model=None, args=TrainingArguments("out"))
trainer.train()
"""

LAUNCH = "import subprocess\n\n\ndef main():\n    subprocess.run(['marian', '-c', 'config.yml'], check=True)\n"
SAGEMAKER_BOTO = (
    "import boto3\n\nsm = boto3.client('sagemaker')\n"
    "sm.create_training_job(TrainingJobName='j', AlgorithmSpecification={})\n"
)
AML_V1_SUBMIT = (
    "from azureml.core import Experiment, Workspace\n\nws = Workspace.from_config()\n"
    "experiment = Experiment(ws, 'train')\nrun = experiment.submit(config)\n"
)
VERTEX_JOB = (
    "from google.cloud import aiplatform\n\njob = aiplatform.CustomTrainingJob(display_name='t', script_path='t.py')\n"
    "job.run(replica_count=1)\n"
)
LLM_EVAL_F1 = """from sklearn import metrics
from sklearn.preprocessing import MultiLabelBinarizer


def f1(expected, predicted):
    mlb = MultiLabelBinarizer()
    mlb.fit([expected + predicted])
    return metrics.f1_score(mlb.transform(expected), mlb.transform(predicted), average="samples")
"""
EMBED = """

def similarity(a, b):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer("all-MiniLM-L6-v2")
    return model.encode([a, b])
"""
ENCODED_LABELS = """from sklearn.preprocessing import LabelEncoder, OneHotEncoder

labels = LabelEncoder()
labels.fit(["a", "b"])
OneHotEncoder().fit([["a"], ["b"]])
"""
SCALED = """from sklearn.preprocessing import RobustScaler

scaler = RobustScaler()
scaler.fit([[1.0], [2.0]])
"""
REUSED_NAME = """from sklearn.ensemble import RandomForestClassifier
from sklearn.preprocessing import LabelEncoder


def main(X, y):
    model = LabelEncoder()
    y = model.fit(y).transform(y)
    model = RandomForestClassifier()
    model.fit(X, y)
"""
TRAINING = [
    Case("pitfall: an LLM eval fits a label binarizer to score F1", {"evals/metrics.py": LLM_EVAL_F1}, "false"),
    Case(
        "pitfall: a label binarizer fitted beside a loaded embedding model",
        {"evals/evaluators.py": LLM_EVAL_F1 + EMBED},
        "false",
    ),
    Case(
        "pitfall: label and one-hot encoders fitted beside a loaded embedding model",
        {"evals/encode.py": ENCODED_LABELS + EMBED},
        "false",
    ),
    Case(
        "a name bound to an encoder and to an estimator still trains",
        {"src/fit_model.py": REUSED_NAME},
        "true",
    ),
    Case("a feature scaler fitted beside a loaded model still counts", {"src/scale.py": SCALED + EMBED}, "true"),
    Case(
        "a scaler beside an estimator still trains",
        {"model/fit_model.py": "from sklearn.preprocessing import StandardScaler\n" + SKLEARN_TRAIN},
        "true",
    ),
    Case("train.py launching a compiled trainer", {"pipeline/train/train.py": LAUNCH}, "true", confidence="medium"),
    Case("subprocess in a file not named for training", {"tools/convert.py": LAUNCH}, "false"),
    Case("SageMaker create_training_job (boto3)", {"jobs/submit.py": SAGEMAKER_BOTO}, "true"),
    Case("Azure ML SDK v1 experiment.submit", {"ml_service/run_pipeline.py": AML_V1_SUBMIT}, "true"),
    Case("Azure ML v1 submit of a batch-scoring pipeline", {"ml_service/run_batchscore.py": AML_V1_SUBMIT}, "false"),
    Case("Vertex AI CustomTrainingJob", {"vertex/launch.py": VERTEX_JOB}, "true"),
    Case(
        "boto3 without training calls",
        {"app/s3.py": "import boto3\n\nboto3.client('s3').upload_file('a', 'b', 'c')\n"},
        "false",
    ),
    Case(
        "sklearn fit in a script",
        {"src/train.py": SKLEARN_TRAIN},
        "true",
        confidence="medium",
        locations=["src/train.py:7"],
        values={"count": 1},
    ),
    Case("torch loop", {"pkg/loop.py": TORCH_LOOP}, "true", locations=["pkg/loop.py:8"]),
    Case("transformers trainer", {"ft.py": HF_TRAIN}, "true", locations=["ft.py:4"]),
    Case(
        "xgboost.train",
        {"boost.py": "import xgboost as xgb\nbst = xgb.train({}, None)\n"},
        "true",
        locations=["boost.py:2"],
    ),
    Case(
        "fit in train.py without framework import",
        {"train.py": "from model import build\nbuild().fit(1, 2)\n"},
        "true",
        locations=["train.py:2"],
    ),
    Case(
        "notebook only: low",
        {"nb/explore.ipynb": notebook("from sklearn.svm import SVC", "SVC().fit(X, y)")},
        "true",
        confidence="low",
        values={"notebooks": 1},
    ),
    Case(
        "placeholder train.py",
        {"src/train.py": '"""Train the model."""\n# TODO\n'},
        "false",
        values={"named_train_without_fit": 1},
    ),
    Case(
        "fit without any ML context",
        {"utils.py": "import numpy as np\nnp.polynomial.Polynomial.fit(1, 2, 3)\n"},
        "false",
    ),
    Case("only in examples/", {"examples/train.py": SKLEARN_TRAIN}, "false", values={"ignored_non_practice": 1}),
    Case("only in tests", {"tests/test_train.py": SKLEARN_TRAIN}, "false"),
    Case("cookiecutter placeholder", {"src/train.py": SKLEARN_TRAIN + "# {{ cookiecutter.project_name }}\n"}, "false"),
]


@pytest.mark.parametrize("row", TRAINING, ids=case_ids(TRAINING))
def test_training_code(row: Case, tmp_path: Path) -> None:
    check_case(training_code, row, tmp_path, signal="repo.training_code")


BINARIES = [
    Case(
        "pickle and onnx",
        {"models/model.pkl": b"\x80\x04" + b"x" * 500, "serve/m.onnx": b"\x00" * 400},
        "true",
        locations=["models/model.pkl"],
        values={"count": 2},
    ),
    Case(
        "LFS pointer",
        {
            ".gitattributes": "*.pt filter=lfs diff=lfs merge=lfs -text\n",
            "weights/net.pt": "version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 9\n",
        },
        "true",
        values={"lfs_pointers": 1},
    ),
    Case(".bin only with a model-like path", {"data/blob.bin": b"\x00" * 300}, "false"),
    Case("pytorch_model.bin", {"hf/pytorch_model.bin": b"\x00" * 300}, "true"),
    Case(
        "test fixture and example only",
        {"tests/m.joblib": b"\x00" * 300, "examples/demo.pkl": b"\x00" * 300},
        "false",
        values={"test_fixtures": 1, "ignored_non_practice": 1},
    ),
    Case("mlruns artefact is generated", {"mlruns/0/abc/artifacts/model/model.pkl": b"\x00" * 300}, "false"),
]


@pytest.mark.parametrize("row", BINARIES, ids=case_ids(BINARIES))
def test_model_binaries(row: Case, tmp_path: Path) -> None:
    check_case(model_binaries, row, tmp_path, signal="repo.model_binaries")


DVC_PREP = """stages:
  prepare:
    cmd: python src/prepare.py
    deps: [data/raw]
    outs: [data/prepared]
  train:
    cmd: python src/train.py
"""
PREP = [
    Case("dvc prepare stage", {"dvc.yaml": DVC_PREP}, "true", locations=["dvc.yaml:2"]),
    Case(
        "make_dataset.py reads sql",
        {"src/data/make_dataset.py": "import pandas as pd\n\ndf = pd.read_sql('q', c)\n"},
        "true",
        locations=["src/data/make_dataset.py:3"],
    ),
    Case(
        "cookiecutter-style empty make_dataset.py",
        {"src/data/make_dataset.py": "import logging\n\nlogging.getLogger(__name__).info('making data')\n"},
        "false",
    ),
    Case("stage without deps/outs", {"dvc.yaml": "stages:\n  prepare:\n    cmd: echo hi\n"}, "false"),
]


@pytest.mark.parametrize("row", PREP, ids=case_ids(PREP))
def test_per_experiment_data_prep(row: Case, tmp_path: Path) -> None:
    check_case(per_experiment_data_prep, row, tmp_path, signal="repo.per_experiment_data_prep")


PRESENT = [
    Case("training module", {"src/train.py": SKLEARN_TRAIN}, "true", confidence="medium"),
    Case("model binary only", {"model.joblib": b"\x00" * 300}, "true", values={"model_binaries": 1}),
    Case(
        "framework call (inference)",
        {"app/infer.py": "import torch\nm = torch.load('m.pt')\n"},
        "true",
        values={"frameworks": ["torch"]},
    ),
    Case(
        "dependency without calls",
        {"requirements.txt": "scikit-learn==1.5\n", "app.py": "print('hi')\n"},
        "true",
        confidence="low",
        values={"declared_only": True},
    ),
    Case("imports without calls", {"app.py": "import sklearn\n"}, "false"),
    Case("plain web app", {"app.py": "from flask import Flask\napp = Flask(__name__)\n"}, "false"),
    Case("ML only in docs/examples", {"examples/train.py": SKLEARN_TRAIN, "docs/fit.py": SKLEARN_TRAIN}, "false"),
    Case(
        "notebook-only training with a framework",
        {"Titanic.ipynb": notebook("from sklearn.svm import SVC\nclf = SVC()\nclf.fit(X, y)\n")},
        "true",
        confidence="medium",
        values={"notebook_training_files": 1},
    ),
    Case(
        "notebook that only imports sklearn, scores and plots (metrics are not ML)",
        {
            "eda.ipynb": notebook(
                "import sklearn\nimport matplotlib.pyplot as plt\nfrom sklearn.metrics import accuracy_score\n",
                "plt.plot([1, 2])\nprint(accuracy_score([1], [1]))\n",
            )
        },
        "false",
    ),
    Case("pitfall: LLM evaluation scoring F1 with sklearn helpers", {"evals/metrics.py": LLM_EVAL_F1}, "false"),
    Case(
        "notebook training magic assignment does not hide the fit",
        {"nb.ipynb": notebook("files = !ls data\nfrom xgboost import XGBClassifier\nXGBClassifier().fit(X, y)\n")},
        "true",
        confidence="medium",
    ),
    Case(
        "bandit ranker over Beta draws",
        {
            "app/rankers.py": "from scipy.stats import beta\n\n\ndef thompson_sampling(items):\n"
            "    return sorted(items, key=lambda i: beta.rvs(i.opens, i.misses))\n"
        },
        "true",
        confidence="medium",
        values={"online_model_files": 1},
    ),
    Case(
        "online feature store read",
        {
            "app/features.py": "import boto3\n\nfs = boto3.client('sagemaker-featurestore-runtime')\n"
            "fs.get_record(FeatureGroupName='g', RecordIdentifierValueAsString='1')\n"
        },
        "true",
        confidence="medium",
    ),
    Case(
        "beta draws outside a bandit (a simulation)",
        {"sim.py": "from scipy.stats import beta\n\n\ndef simulate():\n    return beta.rvs(1, 2)\n"},
        "false",
    ),
]


@pytest.mark.parametrize("row", PRESENT, ids=case_ids(PRESENT))
def test_ml_present(row: Case, tmp_path: Path) -> None:
    check_case(ml_present, row, tmp_path, signal="repo.ml.present")


NB = notebook("from sklearn.svm import SVC\nclf = SVC()\nclf.fit(X, y)\n" * 3)
NOTEBOOKS = [
    Case("notebooks only", {"notebooks/a.ipynb": NB, "notebooks/b.ipynb": NB}, "true", values={"count": 2}),
    Case(
        "notebooks beside a training script",
        {"notebooks/a.ipynb": NB, "src/train.py": SKLEARN_TRAIN},
        "false",
        values={"training_scripts": 1},
    ),
    Case("no notebooks", {"src/train.py": SKLEARN_TRAIN}, "false"),
    Case("notebooks in examples only", {"examples/a.ipynb": NB}, "false"),
]


@pytest.mark.parametrize("row", NOTEBOOKS, ids=case_ids(NOTEBOOKS))
def test_notebooks_only(row: Case, tmp_path: Path) -> None:
    check_case(notebooks_only, row, tmp_path, signal="repo.notebooks_only")


def test_notebooks_present_counts_practice_only(tmp_path: Path) -> None:
    files = {"notebooks/a.ipynb": NB, "docs/tour.ipynb": NB, ".ipynb_checkpoints/a-checkpoint.ipynb": NB}
    finding = run_on_repo(notebooks_present, tmp_path, files)["repo.notebooks.present"]
    expect(finding, "true", locations=["notebooks/a.ipynb"], values={"count": 1, "ignored_non_practice": 2})
    empty = run_on_repo(notebooks_present, tmp_path / "x", {"a.py": "x = 1\n"})["repo.notebooks.present"]
    assert empty.outcome.value == "false"
