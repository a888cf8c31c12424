"""Notebook-to-script conversion, local GPU notebooks, demo artefacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_notebooks import ds_demo_artifacts, notebook_local_gpu, notebook_to_script
from scanner.testing import Case, case_ids, check_case, notebook

NB = notebook("import pandas as pd\ndf = pd.read_csv('d.csv')\n")
SYNCED = notebook("x = 1\n", metadata={"jupytext": {"formats": "ipynb,py:percent"}})
IMPORTING = notebook("from src.features import build\nbuild()\n")
SCRIPT_ROWS = [
    Case(
        "jupytext.toml",
        {"jupytext.toml": 'formats = "ipynb,py:percent"\n', "nb.ipynb": NB},
        "true",
        locations=["jupytext.toml"],
    ),
    Case("notebook paired via metadata", {"notebooks/a.ipynb": SYNCED}, "true", locations=["notebooks/a.ipynb"]),
    Case(
        "nbconvert in Makefile",
        {"Makefile": "scripts:\n\tjupyter nbconvert --to script notebooks/*.ipynb\n"},
        "true",
        locations=["Makefile:2"],
    ),
    Case(
        "pyproject tool.jupytext",
        {"pyproject.toml": "[project]\nname = 'x'\n\n[tool.jupytext]\nformats = 'py'\n"},
        "true",
        locations=["pyproject.toml:4"],
    ),
    Case(
        "notebook imports repo module",
        {"notebooks/a.ipynb": IMPORTING, "src/__init__.py": "", "src/features.py": "def build():\n    return 1\n"},
        "true",
        confidence="low",
    ),
    Case("plain notebooks", {"notebooks/a.ipynb": NB}, "false"),
    Case("nbconvert to html is not to-script", {"Makefile": "r:\n\tjupyter nbconvert --to html a.ipynb\n"}, "false"),
]


@pytest.mark.parametrize("row", SCRIPT_ROWS, ids=case_ids(SCRIPT_ROWS))
def test_notebook_to_script(row: Case, tmp_path: Path) -> None:
    check_case(notebook_to_script, row, tmp_path, signal="code.notebook_to_script")


GPU = notebook("!nvidia-smi", "import torch\ndevice = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n")
JOB = (
    "$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\ncommand: python train.py\n"
    "compute: azureml:gpu-cluster\n"
)
GPU_ROWS = [
    Case(
        "gpu notebook, no compute spec", {"notebooks/train.ipynb": GPU}, "true", confidence="low", values={"count": 1}
    ),
    Case(
        "gpu notebook beside an Azure ML job",
        {"notebooks/train.ipynb": GPU, "aml/job.yml": JOB},
        "false",
        values={"compute_specs": 1},
    ),
    Case("cuda in a module, not a notebook", {"train.py": "import torch\ntorch.cuda.is_available()\n"}, "false"),
    Case("cpu notebook", {"nb.ipynb": NB}, "false"),
]


@pytest.mark.parametrize("row", GPU_ROWS, ids=case_ids(GPU_ROWS))
def test_notebook_local_gpu(row: Case, tmp_path: Path) -> None:
    check_case(notebook_local_gpu, row, tmp_path, signal="code.notebook_local_gpu")


STREAMLIT = "import streamlit as st\n\nst.title('Churn explorer')\n"
GRADIO = "import gradio as gr\n\ngr.Interface(fn=f, inputs='text', outputs='text').launch()\n"
DEMO_ROWS = [
    Case(
        "streamlit app", {"app/dashboard.py": STREAMLIT}, "true", locations=["app/dashboard.py:3"], values={"apps": 1}
    ),
    Case("gradio demo in demo/", {"demo/app.py": GRADIO}, "true", values={"apps": 1}),
    Case("exported html report", {"reports/eda.html": "<html></html>\n"}, "true", values={"reports": 1}),
    Case("nbconvert to html", {"Makefile": "r:\n\tjupyter nbconvert --to html a.ipynb\n"}, "true"),
    Case("streamlit only in examples", {"examples/app.py": STREAMLIT}, "false"),
    Case("streamlit imported, never called", {"app.py": "import streamlit\n"}, "false"),
]


@pytest.mark.parametrize("row", DEMO_ROWS, ids=case_ids(DEMO_ROWS))
def test_ds_demo_artifacts(row: Case, tmp_path: Path) -> None:
    check_case(ds_demo_artifacts, row, tmp_path, signal="repo.ds_demo_artifacts")
