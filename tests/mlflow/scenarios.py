"""Seed MLflow through MlflowClient with practices at several maturity levels."""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

DAY = 86_400_000
REPO = "https://github.com/acme/fraud-model.git"


def _client(uri: str) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(uri, uri)


def _run(client: Any, experiment_id: str, tags: dict[str, str], days_ago: int = 3, inputs: str = "") -> str:
    from mlflow.entities import Dataset, DatasetInput, Metric, Param

    start = int(time.time() * 1000) - days_ago * DAY
    run = client.create_run(experiment_id, start_time=start, tags=tags)
    client.log_batch(run.info.run_id, metrics=[Metric("auc", 0.9, start, 0)], params=[Param("lr", "0.1")])
    if inputs:
        dataset = Dataset("transactions", "d1", "delta_table", json.dumps({"delta_table_name": inputs}))
        client.log_inputs(run.info.run_id, [DatasetInput(dataset, [])])
    client.set_terminated(run.info.run_id)
    return str(run.info.run_id)


def seed_mature(uri: str, db: Path) -> dict[str, str]:
    """Two teams, runs from CI jobs at commits reading a catalog table, champion and challenger,
    a versioned prompt behind an alias used by runs, production traces with feedback, a sampling scorer."""
    import mlflow
    from mlflow.entities import AssessmentSource

    client = _client(uri)
    ids: dict[str, str] = {}
    for team in ("fraud", "churn"):
        exp = client.create_experiment(f"/Shared/{team}/train")
        ids[team] = exp
        for i in range(3):
            tags = {
                "mlflow.source.git.commit": f"{team[:2]}{i}c0ffee",
                "mlflow.source.git.repoURL": REPO if team == "fraud" else "git@github.com:acme/churn.git",
                "mlflow.source.name": "src/train.py",
                "mlflow.source.type": "JOB",
                "mlflow.user": f"{team}-ci",
                "mlflow.linkedPrompts": json.dumps([{"name": "support", "version": "2"}]) if i == 0 else "",
            }
            ids[f"{team}_run{i}"] = _run(client, exp, tags, inputs="main.fraud.transactions" if i == 0 else "")
    client.create_registered_model("fraud")
    for i in (1, 2):
        run_id = ids[f"fraud_run{i}"]
        client.create_model_version("fraud", f"runs:/{run_id}/model", run_id=run_id)
    client.set_registered_model_alias("fraud", "champion", "1")
    client.set_registered_model_alias("fraud", "challenger", "2")
    client.set_model_version_tag("fraud", "2", "validation_status", "approved")
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    for message in ("first draft", "optimized by GEPA"):
        mlflow.genai.register_prompt(name="support", template="Answer {{q}}", commit_message=message)
    mlflow.genai.set_prompt_alias("support", alias="production", version=2)
    mlflow.set_experiment("/Shared/support/bot")

    @mlflow.trace
    def answer(question: str) -> str:
        mlflow.update_current_trace(tags={"environment": "production"})
        return "ok"

    for question in ("a", "b"):
        answer(question)
    mlflow.flush_trace_async_logging()
    trace_id = mlflow.get_last_active_trace_id()
    assert trace_id
    mlflow.log_feedback(trace_id=trace_id, name="helpful", value=True, source=AssessmentSource("HUMAN", "agent"))
    ids["support"] = mlflow.get_experiment_by_name("/Shared/support/bot").experiment_id
    _run(client, ids["support"], {"mlflow.runType": "genai_evaluate", "mlflow.source.type": "JOB"})
    _sampling_scorer(ids["support"], db)
    return ids


def _sampling_scorer(experiment_id: str, db: Path) -> None:
    """Register a judge as a scorer and give it a sample rate. The OSS server starts only scorers backed
    by an AI-gateway endpoint (which needs a provider key), so the rate is written as `.start()` would."""
    import mlflow
    from mlflow.genai.scorers import Guidelines

    mlflow.set_experiment(experiment_id=experiment_id)
    Guidelines(name="polite", guidelines=["Be polite"]).register(name="polite")
    with sqlite3.connect(db) as conn:
        (scorer_id,) = conn.execute("select scorer_id from scorers where scorer_name = 'polite'").fetchone()
        conn.execute(
            "insert into online_scoring_configs values (?, ?, 0.25, ?, NULL)",
            (str(uuid.uuid4()), scorer_id, int(experiment_id)),
        )


def seed_notebooks(uri: str) -> None:
    """One person's notebook runs: tracked, but not linked to code, one team, no release process."""
    client = _client(uri)
    exp = client.create_experiment("scratch")
    for _ in range(3):
        _run(client, exp, {"mlflow.source.type": "NOTEBOOK", "mlflow.user": "ada"})
    client.create_registered_model("model-final")
    client.create_model_version("model-final", "/home/ada/model.pkl")


def quiet_mlflow() -> None:
    os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
