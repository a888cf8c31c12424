"""Experiment tracking consistency, local-only tracking, results kept in docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.ml_tracking import metric_tables, mlruns_committed, results_in_docs, tracking_consistency
from scanner.testing import Case, case_ids, check_case, expect, notebook, run_on_repo

FIT = "from sklearn.linear_model import LogisticRegression\n\nLogisticRegression().fit(X, y)\n"
MLFLOW_FIT = "import mlflow\n" + FIT.replace("LogisticRegression().fit", "mlflow.autolog()\nLogisticRegression().fit")
WANDB_FIT = (
    "import wandb\nfrom sklearn.svm import SVC\n\nrun = wandb.init(project='p')\nSVC().fit(X, y)\n"
    "wandb.log({'acc': 1})\n"
)
WANDB_OFF = (
    "import wandb\nfrom sklearn.svm import SVC\n\nwandb.init(mode='disabled')\nSVC().fit(X, y)\nwandb.log({'a': 1})\n"
)
IMPORT_ONLY = "import mlflow\nfrom sklearn.svm import SVC\n\nSVC().fit(X, y)\n"
ENTRY = "import mlflow\nfrom pkg.model import train\n\nwith mlflow.start_run():\n    train()\n"
MODEL = "from sklearn.svm import SVC\n\n\ndef train():\n    SVC().fit(X, y)\n"


def _row(name: str, files: dict[str, str | bytes], consistent: str, sporadic: str, **values: object) -> tuple:
    return name, files, consistent, sporadic, values


TRACKING = [
    _row(
        "all entrypoints log",
        {"train_a.py": MLFLOW_FIT, "train_b.py": WANDB_FIT},
        "true",
        "false",
        share=1.0,
        tools=["mlflow", "wandb"],
    ),
    _row(
        "logging in the importing entrypoint",
        {"run.py": ENTRY, "pkg/model.py": MODEL, "pkg/__init__.py": ""},
        "true",
        "false",
        share=1.0,
    ),
    _row("half log", {"train_a.py": MLFLOW_FIT, "train_b.py": FIT}, "false", "false", share=0.5),
    _row(
        "none log",
        {"train_a.py": FIT, "train_b.py": FIT, "train_c.py": MLFLOW_FIT, "train_d.py": FIT},
        "false",
        "true",
        share=0.25,
    ),
    _row("imported but never logging", {"train.py": IMPORT_ONLY}, "false", "true", imported_not_logging=1),
    _row("wandb disabled", {"train.py": WANDB_OFF}, "false", "true", share=0.0),
    _row(
        "WANDB_MODE=offline in .env",
        {"train.py": WANDB_FIT, ".env": "WANDB_MODE=offline\n"},
        "false",
        "true",
        wandb_disabled=True,
    ),
    _row(
        "notebook entrypoints only",
        {"nb.ipynb": notebook("import mlflow", MLFLOW_FIT)},
        "true",
        "false",
        notebook_entrypoints=True,
    ),
]


@pytest.mark.parametrize(("name", "files", "consistent", "sporadic", "values"), TRACKING, ids=[r[0] for r in TRACKING])
def test_tracking_consistency(
    name: str, files: dict, consistent: str, sporadic: str, values: dict, tmp_path: Path
) -> None:
    found = run_on_repo(tracking_consistency, tmp_path, files)
    expect(found, consistent, signal="code.tracking.consistent", values=values)
    expect(found, sporadic, signal="code.tracking.sporadic")


def test_tracking_not_applicable_without_training(tmp_path: Path) -> None:
    found = run_on_repo(tracking_consistency, tmp_path, {"app.py": "import mlflow\nmlflow.log_metric('a', 1)\n"})
    assert {f.outcome.value for f in found.values()} == {"not_applicable"}


def test_notebook_only_tracking_is_low_confidence(tmp_path: Path) -> None:
    found = run_on_repo(tracking_consistency, tmp_path, {"nb.ipynb": notebook(MLFLOW_FIT)})
    assert found["code.tracking.consistent"].confidence == "low"


MLRUNS = [
    Case(
        "committed mlruns",
        {"mlruns/0/meta.yaml": "name: Default\n", "train.py": FIT},
        "true",
        values={"tracked_files": 1},
    ),
    Case(
        "file: tracking uri",
        {"train.py": "import mlflow\nmlflow.set_tracking_uri('file:./mlruns')\n"},
        "true",
        locations=["train.py:2"],
    ),
    Case("env local uri", {".env": "MLFLOW_TRACKING_URI=sqlite:///mlflow.db\n"}, "true", locations=[".env:1"]),
    Case("remote server", {"train.py": "import mlflow\nmlflow.set_tracking_uri('https://mlflow.corp')\n"}, "false"),
]


@pytest.mark.parametrize("row", MLRUNS, ids=case_ids(MLRUNS))
def test_mlruns_committed(row: Case, tmp_path: Path) -> None:
    check_case(mlruns_committed, row, tmp_path, signal="repo.mlruns_committed")


TABLE = "# Results\n\n| model | accuracy | f1 |\n|---|---|---|\n| rf | 0.91 | 0.88 |\n| lr | 0.85 | 0.80 |\n"
FENCED = "```\n| model | accuracy |\n|---|---|\n| rf | 0.91 |\n```\n"
ROWWISE = "| metric | value |\n|---|---|\n| RMSE | 3.2 |\n"
DOCS = [
    Case(
        "metric table in README, no tracking", {"README.md": TABLE, "train.py": FIT}, "true", locations=["README.md:3"]
    ),
    Case("metric names in rows", {"docs/results.md": ROWWISE}, "true", locations=["docs/results.md:1"]),
    Case("table inside a code fence", {"README.md": FENCED}, "false"),
    Case("table without numbers", {"README.md": "| accuracy | notes |\n|---|---|\n| good | ok |\n"}, "false"),
    Case("tracked in code too", {"README.md": TABLE, "train.py": MLFLOW_FIT}, "false", values={"tracking_files": 1}),
    Case("table in examples only", {"examples/README.md": TABLE}, "false"),
]


@pytest.mark.parametrize("row", DOCS, ids=case_ids(DOCS))
def test_results_in_docs(row: Case, tmp_path: Path) -> None:
    check_case(results_in_docs, row, tmp_path, signal="repo.results_in_docs")


def test_metric_tables_lines() -> None:
    assert metric_tables(TABLE + "\ntext\n" + ROWWISE) == [3, 9]


def test_mlruns_environ_assignment_and_docstring(tmp_path: Path) -> None:
    code = (
        'import os\n\n\ndef doc():\n    """Run: export MLFLOW_TRACKING_URI="sqlite:///mlflow.db" first."""\n\n\n'
        'os.environ["MLFLOW_TRACKING_URI"] = "file:./mlruns"\n'
    )
    finding = run_on_repo(mlruns_committed, tmp_path, {"setup.py": code})["repo.mlruns_committed"]
    assert [loc.label() for loc in finding.locations] == ["setup.py:8"]


LOG_PUBLISHER = (
    "import wandb\n\n\ndef main():\n    run = wandb.init(project='p')\n    for step, val in parse():\n"
    "        run.log({'loss': val}, step=step)\n"
)
LAUNCHER = (
    "import subprocess\n\n\ndef main():\n    trainer = subprocess.Popen(['marian', '-c', 'cfg.yml'])\n"
    "    subprocess.run(['parse_training_logs', '--from-stream'], stdin=trainer.stdout)\n"
)
PYPROJECT = '[project]\nname = "tracking"\n\n[project.scripts]\nparse_training_logs = "tracking.cli:main"\n'


def test_training_launcher_tracked_through_console_script(tmp_path: Path) -> None:
    files = {"pipeline/train.py": LAUNCHER, "tracking/cli.py": LOG_PUBLISHER, "pyproject.toml": PYPROJECT}
    found = run_on_repo(tracking_consistency, tmp_path, files)
    assert found["code.tracking.consistent"].outcome.value == "true"


def test_console_script_that_does_not_log_is_not_tracking(tmp_path: Path) -> None:
    files = {
        "pipeline/train.py": LAUNCHER,
        "tracking/cli.py": "def main():\n    print('parsed')\n",
        "pyproject.toml": PYPROJECT,
    }
    found = run_on_repo(tracking_consistency, tmp_path, files)
    assert found["code.tracking.consistent"].outcome.value == "false"


def test_wandb_disabled_in_one_module_does_not_disable_the_repo(tmp_path: Path) -> None:
    hf_eval = "import os\n\nos.environ['WANDB_DISABLED'] = 'true'\n\n\ndef score():\n    return 1\n"
    found = run_on_repo(tracking_consistency, tmp_path, {"eval/metrics.py": hf_eval, "train.py": WANDB_FIT})
    assert found["code.tracking.consistent"].outcome.value == "true"


AML_V1_TRAIN = (
    "from azureml.core import Run\nfrom sklearn.linear_model import Ridge\n\nrun = Run.get_context()\n"
    "model = Ridge().fit(X, y)\nrun.log('mse', 0.1)\n"
)
SM_EXP_TRAIN = (
    "from sagemaker.experiments.run import Run\nfrom sklearn.linear_model import Ridge\n\n"
    "with Run(experiment_name='e') as run:\n    Ridge().fit(X, y)\n    run.log_metric(name='mse', value=0.1)\n"
)


def test_platform_sdk_tracking_counts(tmp_path: Path) -> None:
    for i, text in enumerate((AML_V1_TRAIN, SM_EXP_TRAIN)):
        found = run_on_repo(tracking_consistency, tmp_path / str(i), {"train.py": text})
        assert found["code.tracking.consistent"].outcome.value == "true", text


def test_azureml_run_context_without_logging_is_not_tracking(tmp_path: Path) -> None:
    text = AML_V1_TRAIN.replace("run.log('mse', 0.1)\n", "")
    found = run_on_repo(tracking_consistency, tmp_path, {"train.py": text})
    assert found["code.tracking.consistent"].outcome.value == "false"


def test_job_submitters_do_not_dilute_tracking_share(tmp_path: Path) -> None:
    submit = "import subprocess\n\nsubprocess.run(['python', 'train.py'])\n"
    files = {"src/train.py": MLFLOW_FIT, "scripts/run_training.py": submit, "scripts/train_on_cluster.py": submit}
    found = run_on_repo(tracking_consistency, tmp_path, files)
    assert found["code.tracking.consistent"].outcome.value == "true"
    assert found["code.tracking.consistent"].values["entrypoints"] == 1


def test_ray_mlflow_logger_callback_is_tracking(tmp_path: Path) -> None:
    text = (
        "from ray.air.integrations.mlflow import MLflowLoggerCallback\nfrom ray.train.torch import TorchTrainer\n"
        "import torch\n\ncb = MLflowLoggerCallback(tracking_uri='file:///efs/mlflow', experiment_name='e')\n"
        "TorchTrainer(loop, run_config=RunConfig(callbacks=[cb])).fit()\n"
    )
    found = run_on_repo(tracking_consistency, tmp_path, {"pkg/train.py": text})
    assert found["code.tracking.consistent"].outcome.value == "true"


WANDB_LAUNCHER = (
    "import wandb\nfrom pkg.trainer import Trainer\n\n\ndef main(cfg):\n    wandb.init(project=cfg.project)\n"
    "    Trainer(cfg).fit()\n"
)
WANDB_TRAINER = (
    "import torch\nimport wandb\n\n\nclass Trainer:\n    def fit(self):\n        loss = self.model(x).sum()\n"
    "        loss.backward()\n        if wandb.run is not None:\n            wandb.log({'loss': loss.item()})\n"
)


def test_wandb_run_started_by_the_launcher_and_logged_by_the_trainer(tmp_path: Path) -> None:
    files = {"scripts/train.py": WANDB_LAUNCHER, "pkg/trainer.py": WANDB_TRAINER, "pkg/__init__.py": ""}
    found = run_on_repo(tracking_consistency, tmp_path, files)
    assert found["code.tracking.consistent"].outcome.value == "true"
    assert found["code.tracking.consistent"].values["tools"] == ["wandb"]


def test_wandb_log_without_any_run_started_is_not_tracking(tmp_path: Path) -> None:
    files = {"scripts/train.py": WANDB_LAUNCHER.replace("wandb.init", "print"), "pkg/trainer.py": WANDB_TRAINER}
    found = run_on_repo(tracking_consistency, tmp_path, {**files, "pkg/__init__.py": ""})
    assert found["code.tracking.consistent"].outcome.value == "false"
