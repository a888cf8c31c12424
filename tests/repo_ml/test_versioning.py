"""DVC remotes, DVC model outputs and experiments, model cards."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_versioning import dvc_exp, dvc_model_outs, dvc_remote, model_cards
from scanner.testing import Case, case_ids, check_case, notebook

REMOTE_ROWS = [
    Case(
        "s3 remote",
        {".dvc/config": "[core]\n    remote = store\n['remote \"store\"']\n    url = s3://ml-bucket/dvc\n"},
        "true",
        locations=[".dvc/config:4"],
        values={"count": 1},
    ),
    Case(
        "local remote",
        {".dvc/config": "['remote \"local\"']\n    url = /mnt/shared/dvc\n"},
        "false",
        values={"local_or_placeholder": 1},
    ),
    Case("placeholder bucket", {".dvc/config": "['remote \"s\"']\n    url = s3://<your-bucket>/dvc\n"}, "false"),
    Case("no dvc", {"README.md": "# x\n"}, "false"),
]


@pytest.mark.parametrize("row", REMOTE_ROWS, ids=case_ids(REMOTE_ROWS))
def test_dvc_remote(row: Case, tmp_path: Path) -> None:
    check_case(dvc_remote, row, tmp_path, signal="repo.dvc.remote")


DVC_YAML = (
    "stages:\n  train:\n    cmd: python train.py\n    outs:\n      - data/features.csv\n"
    "      - models/model.pkl\nartifacts:\n  churn:\n    path: models/model.pkl\n    type: model\n"
)
OUTS_ROWS = [
    Case(
        "model out and artifact",
        {"dvc.yaml": DVC_YAML},
        "true",
        locations=["dvc.yaml:6", "dvc.yaml:8"],
        values={"count": 2},
    ),
    Case(".dvc file tracking a model", {"models/model.onnx.dvc": "outs:\n- md5: abc\n  path: model.onnx\n"}, "true"),
    Case(
        "data outs only",
        {
            "dvc.yaml": "stages:\n  prep:\n    cmd: x\n    outs: [data/clean.csv]\n",
            "data.csv.dvc": "outs:\n- md5: a\n  path: data.csv\n",
        },
        "false",
    ),
]


@pytest.mark.parametrize("row", OUTS_ROWS, ids=case_ids(OUTS_ROWS))
def test_dvc_model_outs(row: Case, tmp_path: Path) -> None:
    check_case(dvc_model_outs, row, tmp_path, signal="repo.dvc.model_outs")


LIVE = "from dvclive import Live\n\nwith Live() as live:\n    live.log_metric('acc', 0.9)\n"
EXP_ROWS = [
    Case("dvclive", {"train.py": LIVE}, "true", confidence="medium", locations=["train.py:3"]),
    Case(
        "dvc exp run in CI",
        {".github/workflows/exp.yml": "jobs:\n  e:\n    steps:\n      - run: dvc exp run\n"},
        "true",
    ),
    Case(
        "metrics in dvc.yaml",
        {"dvc.yaml": "stages:\n  train:\n    cmd: x\n    metrics:\n      - m.json\n"},
        "true",
        locations=["dvc.yaml:4"],
    ),
    Case("dvclive in notebook only", {"nb.ipynb": notebook(LIVE)}, "true", confidence="low"),
    Case("dvclive only declared", {"requirements.txt": "dvclive\n"}, "false"),
]


@pytest.mark.parametrize("row", EXP_ROWS, ids=case_ids(EXP_ROWS))
def test_dvc_exp(row: Case, tmp_path: Path) -> None:
    check_case(dvc_exp, row, tmp_path, signal="repo.dvc.exp")


CARD = "# Model card: churn\n\n## Intended use\n" + "Scoring churn risk for retention offers. " * 10
HF_README = "---\nlicense: mit\nlibrary_name: transformers\npipeline_tag: text-classification\n---\n" + CARD
TEMPLATE_CARD = "# Model Card\n\n" + "[More Information Needed]\n\n" * 5
CARD_ROWS = [
    Case("MODEL_CARD.md", {"MODEL_CARD.md": CARD}, "true", locations=["MODEL_CARD.md:1"]),
    Case("HF README front matter", {"hf/README.md": HF_README}, "true"),
    Case("unfilled HF template", {"model_card.md": TEMPLATE_CARD}, "false", values={"placeholder_cards": 1}),
    Case("card in examples", {"examples/model_card.md": CARD}, "false"),
    Case("plain README", {"README.md": CARD.replace("Model card", "Project")}, "false"),
]


@pytest.mark.parametrize("row", CARD_ROWS, ids=case_ids(CARD_ROWS))
def test_model_cards(row: Case, tmp_path: Path) -> None:
    check_case(model_cards, row, tmp_path, signal="repo.model_cards")
