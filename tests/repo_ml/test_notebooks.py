"""Notebook-to-script conversion, local GPU notebooks, demo artefacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_notebooks import ds_demo_artifacts, notebook_local_gpu, notebook_to_script
from tests.repo_ml._util import Row, ids, notebook, run

NB = notebook("import pandas as pd\ndf = pd.read_csv('d.csv')\n")
SYNCED = notebook("x = 1\n", metadata={"jupytext": {"formats": "ipynb,py:percent"}})
IMPORTING = notebook("from src.features import build\nbuild()\n")
SCRIPT_ROWS = [
    Row(
        "jupytext.toml",
        {"jupytext.toml": 'formats = "ipynb,py:percent"\n', "nb.ipynb": NB},
        "true",
        where=["jupytext.toml"],
    ),
    Row("notebook paired via metadata", {"notebooks/a.ipynb": SYNCED}, "true", where=["notebooks/a.ipynb"]),
    Row(
        "nbconvert in Makefile",
        {"Makefile": "scripts:\n\tjupyter nbconvert --to script notebooks/*.ipynb\n"},
        "true",
        where=["Makefile:2"],
    ),
    Row(
        "pyproject tool.jupytext",
        {"pyproject.toml": "[project]\nname = 'x'\n\n[tool.jupytext]\nformats = 'py'\n"},
        "true",
        where=["pyproject.toml:4"],
    ),
    Row(
        "notebook imports repo module",
        {"notebooks/a.ipynb": IMPORTING, "src/__init__.py": "", "src/features.py": "def build():\n    return 1\n"},
        "true",
        confidence="low",
    ),
    Row("plain notebooks", {"notebooks/a.ipynb": NB}, "false"),
    Row("nbconvert to html is not to-script", {"Makefile": "r:\n\tjupyter nbconvert --to html a.ipynb\n"}, "false"),
]


@pytest.mark.parametrize("row", SCRIPT_ROWS, ids=ids(SCRIPT_ROWS))
def test_notebook_to_script(row: Row, tmp_path: Path) -> None:
    row.check(run(notebook_to_script, tmp_path, row.files)["code.notebook_to_script"])


GPU = notebook("!nvidia-smi", "import torch\ndevice = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n")
JOB = (
    "$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\ncommand: python train.py\n"
    "compute: azureml:gpu-cluster\n"
)
GPU_ROWS = [
    Row("gpu notebook, no compute spec", {"notebooks/train.ipynb": GPU}, "true", confidence="low", count=1),
    Row(
        "gpu notebook beside an Azure ML job",
        {"notebooks/train.ipynb": GPU, "aml/job.yml": JOB},
        "false",
        values={"compute_specs": 1},
    ),
    Row("cuda in a module, not a notebook", {"train.py": "import torch\ntorch.cuda.is_available()\n"}, "false"),
    Row("cpu notebook", {"nb.ipynb": NB}, "false"),
]


@pytest.mark.parametrize("row", GPU_ROWS, ids=ids(GPU_ROWS))
def test_notebook_local_gpu(row: Row, tmp_path: Path) -> None:
    row.check(run(notebook_local_gpu, tmp_path, row.files)["code.notebook_local_gpu"])


STREAMLIT = "import streamlit as st\n\nst.title('Churn explorer')\n"
GRADIO = "import gradio as gr\n\ngr.Interface(fn=f, inputs='text', outputs='text').launch()\n"
DEMO_ROWS = [
    Row("streamlit app", {"app/dashboard.py": STREAMLIT}, "true", where=["app/dashboard.py:3"], values={"apps": 1}),
    Row("gradio demo in demo/", {"demo/app.py": GRADIO}, "true", values={"apps": 1}),
    Row("exported html report", {"reports/eda.html": "<html></html>\n"}, "true", values={"reports": 1}),
    Row("nbconvert to html", {"Makefile": "r:\n\tjupyter nbconvert --to html a.ipynb\n"}, "true"),
    Row("streamlit only in examples", {"examples/app.py": STREAMLIT}, "false"),
    Row("streamlit imported, never called", {"app.py": "import streamlit\n"}, "false"),
]


@pytest.mark.parametrize("row", DEMO_ROWS, ids=ids(DEMO_ROWS))
def test_ds_demo_artifacts(row: Row, tmp_path: Path) -> None:
    row.check(run(ds_demo_artifacts, tmp_path, row.files)["repo.ds_demo_artifacts"])
