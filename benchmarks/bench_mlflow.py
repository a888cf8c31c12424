"""Benchmark: read an MLflow server holding 1,000 runs and 100 registered models.

Starts one real `mlflow server` on 127.0.0.1 (the full mlflow from the test extra), seeds it through
MlflowClient (10 experiments x 100 runs with params, metrics and git tags; 100 registered models with
2 versions each and champion/challenger aliases; 5 prompts), then times the MLflow source (collector
and probes) and counts its requests. Baseline, measured in the same run: one experiments/search round
trip. Run: `.venv/bin/python -m benchmarks.bench_mlflow` (about a minute, mostly seeding).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from scanner.registry import load_probes
from scanner.runner import scan_source
from scanner.sources import build_sources
from tests.mlflow.servers import start_mlflow_server


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def seed(url: str, runs: int, models: int) -> None:
    import mlflow
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    client = MlflowClient(url, url)
    now = int(time.time() * 1000)
    run_ids: list[str] = []
    experiments = [client.create_experiment(f"/Shared/team{i % 3}/exp{i}") for i in range(10)]
    for i in range(runs):
        tags = {"mlflow.source.git.commit": f"{i:040x}", "mlflow.source.type": "JOB", "mlflow.user": f"u{i % 7}"}
        run = client.create_run(experiments[i % 10], start_time=now - i * 60_000, tags=tags)
        client.log_batch(run.info.run_id, metrics=[Metric("auc", 0.9, now, 0)], params=[Param("lr", "0.1")])
        run_ids.append(run.info.run_id)
    for m in range(models):
        name = f"model-{m:03d}"
        client.create_registered_model(name)
        for v in (0, 1):
            run_id = run_ids[(2 * m + v) % len(run_ids)]
            client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
        client.set_registered_model_alias(name, "champion", "1")
        client.set_registered_model_alias(name, "challenger", "2")
    mlflow.set_tracking_uri(url)
    mlflow.set_registry_uri(url)
    for p in range(5):
        mlflow.genai.register_prompt(name=f"prompt-{p}", template="Answer {{q}}", commit_message="v1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--models", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_mlflow_server(Path(tmp))
        try:
            start = time.perf_counter()
            seed(url, args.runs, args.models)
            seeded = time.perf_counter() - start
            probes = [p for p in load_probes(plugins=False) if p.needs == {"mlflow"}]
            session = requests.Session()

            def baseline() -> int:
                session.post(f"{url}/api/2.0/mlflow/experiments/search", json={"max_results": 1000}).raise_for_status()
                return 1

            def read() -> tuple[int, int]:
                (source,) = build_sources({"mlflow": [url]})
                found = scan_source(source, probes, {})
                return source.stats["mlflow_requests"], len(found)

            base, _ = _best(baseline, args.repeat)
            took, (count, findings) = _best(read, args.repeat)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(
        f"server: {args.runs} runs, {args.models} registered models x 2 versions, 5 prompts (seeded in {seeded:.1f} s)"
    )
    print(f"baseline  one experiments/search round trip: {base * 1000:8.1f} ms")
    print(f"aiops-scan MLflow source (collect + {len(probes)} probes, {findings} findings): {took * 1000:8.1f} ms")
    print(f"requests: {count}; time ratio to one round trip: {took / base:.1f}x (best of {args.repeat})")
    print(
        f"mlflow: runs={args.runs} models={args.models} requests={count} read_ms={took * 1000:.1f} "
        f"baseline_ms={base * 1000:.1f} ratio={took / base:.1f}"
    )


if __name__ == "__main__":
    main()
