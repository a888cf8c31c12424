"""DVC remotes, DVC model outputs and experiments, model cards."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_versioning import dvc_exp, dvc_model_outs, dvc_remote, model_cards
from tests.repo_ml._util import Row, ids, notebook, run

REMOTE_ROWS = [
    Row(
        "s3 remote",
        {".dvc/config": "[core]\n    remote = store\n['remote \"store\"']\n    url = s3://ml-bucket/dvc\n"},
        "true",
        count=1,
        where=[".dvc/config:4"],
    ),
    Row(
        "local remote",
        {".dvc/config": "['remote \"local\"']\n    url = /mnt/shared/dvc\n"},
        "false",
        values={"local_or_placeholder": 1},
    ),
    Row("placeholder bucket", {".dvc/config": "['remote \"s\"']\n    url = s3://<your-bucket>/dvc\n"}, "false"),
    Row("no dvc", {"README.md": "# x\n"}, "false"),
]


@pytest.mark.parametrize("row", REMOTE_ROWS, ids=ids(REMOTE_ROWS))
def test_dvc_remote(row: Row, tmp_path: Path) -> None:
    row.check(run(dvc_remote, tmp_path, row.files)["repo.dvc.remote"])


DVC_YAML = (
    "stages:\n  train:\n    cmd: python train.py\n    outs:\n      - data/features.csv\n"
    "      - models/model.pkl\nartifacts:\n  churn:\n    path: models/model.pkl\n    type: model\n"
)
OUTS_ROWS = [
    Row("model out and artifact", {"dvc.yaml": DVC_YAML}, "true", count=2, where=["dvc.yaml:6", "dvc.yaml:8"]),
    Row(".dvc file tracking a model", {"models/model.onnx.dvc": "outs:\n- md5: abc\n  path: model.onnx\n"}, "true"),
    Row(
        "data outs only",
        {
            "dvc.yaml": "stages:\n  prep:\n    cmd: x\n    outs: [data/clean.csv]\n",
            "data.csv.dvc": "outs:\n- md5: a\n  path: data.csv\n",
        },
        "false",
    ),
]


@pytest.mark.parametrize("row", OUTS_ROWS, ids=ids(OUTS_ROWS))
def test_dvc_model_outs(row: Row, tmp_path: Path) -> None:
    row.check(run(dvc_model_outs, tmp_path, row.files)["repo.dvc.model_outs"])


LIVE = "from dvclive import Live\n\nwith Live() as live:\n    live.log_metric('acc', 0.9)\n"
EXP_ROWS = [
    Row("dvclive", {"train.py": LIVE}, "true", where=["train.py:3"], confidence="medium"),
    Row(
        "dvc exp run in CI",
        {".github/workflows/exp.yml": "jobs:\n  e:\n    steps:\n      - run: dvc exp run\n"},
        "true",
    ),
    Row(
        "metrics in dvc.yaml",
        {"dvc.yaml": "stages:\n  train:\n    cmd: x\n    metrics:\n      - m.json\n"},
        "true",
        where=["dvc.yaml:4"],
    ),
    Row("dvclive in notebook only", {"nb.ipynb": notebook(LIVE)}, "true", confidence="low"),
    Row("dvclive only declared", {"requirements.txt": "dvclive\n"}, "false"),
]


@pytest.mark.parametrize("row", EXP_ROWS, ids=ids(EXP_ROWS))
def test_dvc_exp(row: Row, tmp_path: Path) -> None:
    row.check(run(dvc_exp, tmp_path, row.files)["repo.dvc.exp"])


CARD = "# Model card: churn\n\n## Intended use\n" + "Scoring churn risk for retention offers. " * 10
HF_README = "---\nlicense: mit\nlibrary_name: transformers\npipeline_tag: text-classification\n---\n" + CARD
TEMPLATE_CARD = "# Model Card\n\n" + "[More Information Needed]\n\n" * 5
CARD_ROWS = [
    Row("MODEL_CARD.md", {"MODEL_CARD.md": CARD}, "true", where=["MODEL_CARD.md:1"]),
    Row("HF README front matter", {"hf/README.md": HF_README}, "true"),
    Row("unfilled HF template", {"model_card.md": TEMPLATE_CARD}, "false", values={"placeholder_cards": 1}),
    Row("card in examples", {"examples/model_card.md": CARD}, "false"),
    Row("plain README", {"README.md": CARD.replace("Model card", "Project")}, "false"),
]


@pytest.mark.parametrize("row", CARD_ROWS, ids=ids(CARD_ROWS))
def test_model_cards(row: Row, tmp_path: Path) -> None:
    row.check(run(model_cards, tmp_path, row.files)["repo.model_cards"])
