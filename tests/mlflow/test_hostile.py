"""Servers and stores that misbehave: a server dripping one byte a second, an endless answer, pages far
larger than asked, a login page answering for MLflow, a local store with a malformed meta.yaml.
Each ends in a bounded time with a clear reason, and the rest of the scan completes."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import EXIT_PARTIAL, main
from scanner.testing import make_repo
from tests.hostile_http import dripping_server, huge_server
from tests.mlflow.conftest import findings, scan_sources
from tests.mlflow.servers import http_server, json_answer
from tests.mlflow.test_faults import _pool

STORE = Path(__file__).resolve().parents[2] / "fixtures" / "mlflow" / "mlruns"
TOKEN = "sso-secret-token-0042"
HARNESS_S = 60.0  # the test harness's own bound: the code as it was hangs past it


def run_bounded(call: Callable[[], Any], seconds: float = HARNESS_S) -> tuple[Any, float]:
    """Run `call` in a thread; fail the test (instead of hanging) when it has not returned in `seconds`."""
    out: dict[str, Any] = {}
    start = time.monotonic()
    thread = threading.Thread(target=lambda: out.update(value=call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds:.0f} s: the scan hangs"
    return out["value"], time.monotonic() - start


def scan_cli(tmp_path: Path, url: str) -> tuple[int, dict[str, Any], float]:
    repo = make_repo(tmp_path, {"train.py": "import mlflow\n"})
    out = tmp_path / "evidence.json"
    code, seconds = run_bounded(lambda: main(["scan", str(repo), "--mlflow", url, "--json", str(out), "--quiet"]))
    return int(code), json.loads(out.read_text()), seconds


def mlflow_target(document: dict[str, Any]) -> dict[str, Any]:
    return dict(next(t for t in document["targets"] if t["kind"] == "mlflow"))


# case 2 -------------------------------------------------------------------------------------------
def test_a_server_dripping_one_byte_a_second_is_an_error_target_within_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIOPS_SCAN_HTTP_DEADLINE_S", "3")
    with dripping_server(pace_s=1.0) as url:
        code, document, seconds = scan_cli(tmp_path, url)
    target = mlflow_target(document)
    assert code == EXIT_PARTIAL and target["status"] == "error"
    assert "did not answer within 3 s" in target["error"]
    assert seconds < 20  # one request, stopped at its deadline, not retried
    assert {f["outcome"] for f in findings(document).values()} == {"not_available"}
    repo = next(t for t in document["targets"] if t["kind"] == "repo")
    assert repo["status"] == "ok" and any(a["scope"] == "repo" for a in document["assessments"])


def test_an_endless_answer_is_cut_at_the_size_cap_and_is_an_error_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIOPS_SCAN_HTTP_MAX_MB", "2")
    with huge_server(200 * 1024 * 1024) as url:
        code, document, seconds = scan_cli(tmp_path, url)
    target = mlflow_target(document)
    assert code == EXIT_PARTIAL and target["status"] == "error"
    assert "exceeds 2 MB" in target["error"] and "experiments" in target["error"]
    assert seconds < 20
    assert document["stats"]["api_calls"]["mlflow_requests"] <= 3  # server-info, version, experiments


# case 11 ------------------------------------------------------------------------------------------
def _experiment(i: int) -> dict[str, Any]:
    return {
        "experiment_id": str(i),
        "name": f"/Shared/team-{i}/" + "x" * 400,
        "artifact_location": f"mlflow-artifacts:/{i}",
        "lifecycle_stage": "active",
        "last_update_time": 1795724340263,
        "creation_time": 1795724340263,
        "tags": [{"key": "team", "value": f"team-{i % 7}"}],
    }


def _run(i: int, experiment_id: str) -> dict[str, Any]:
    return {
        "info": {
            "run_id": f"{i:032x}",
            "run_uuid": f"{i:032x}",
            "experiment_id": experiment_id,
            "run_name": f"run-{i}",
            "status": "FINISHED",
            "start_time": 1795724340263 - i,
            "end_time": 1795724340263,
            "lifecycle_stage": "active",
            "artifact_uri": f"mlflow-artifacts:/{experiment_id}/{i:032x}/artifacts",
        },
        "data": {
            "params": [{"key": f"p{k}", "value": "v" * 200} for k in range(20)],
            "tags": [{"key": "mlflow.source.git.commit", "value": f"{i:040x}"}],
        },
    }


def oversized_pages(items: int) -> Callable[[str, str, bytes, dict[str, str]], tuple[int, bytes, str]]:
    """An MLflow-like server that ignores max_results: every page holds `items` entries and names a
    next page, for ever. Other endpoints answer 404 as an old server would."""

    def handle(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        route = path.split("?")[0]
        if route == "/api/2.0/mlflow/experiments/search":
            return json_answer(200, {"experiments": [_experiment(i) for i in range(items)], "next_page_token": "n"})
        if route == "/api/2.0/mlflow/runs/search":
            ids = json.loads(body or b"{}").get("experiment_ids") or ["0"]
            runs = [_run(i, ids[i % len(ids)]) for i in range(items)]
            return json_answer(200, {"runs": runs, "next_page_token": "n"})
        return json_answer(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": "not found"})

    return handle


def test_the_oversized_pages_match_the_mlflow_protos() -> None:
    from google.protobuf import json_format, message_factory

    pool = _pool()
    handle = oversized_pages(3)
    for path, message in (
        ("/api/2.0/mlflow/experiments/search", "mlflow.SearchExperiments.Response"),
        ("/api/2.0/mlflow/runs/search", "mlflow.SearchRuns.Response"),
    ):
        _, body, _ = handle("POST", path, b'{"experiment_ids": ["1"]}', {})
        cls = message_factory.GetMessageClass(pool.FindMessageTypeByName(message))
        json_format.ParseDict(json.loads(body), cls())


def test_oversized_pages_stop_at_the_budget_and_prove_presence_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIOPS_SCAN_MLFLOW_MAX_MB", "6")
    with http_server(oversized_pages(3000)) as (url, hits):  # about 1.4 MB of experiments, 14 MB of runs a page
        document, seconds = run_bounded(lambda: scan_sources([url]))
    target = mlflow_target(document)
    sections = target["sections"]
    assert target["status"] == "ok"
    assert sections["experiments"].startswith("partial") and "3000 items for 1000 asked" in sections["experiments"]
    assert sections["runs"].startswith("partial")
    assert "the budget of 6 MB read for this source is spent" in sections["models"]  # not even asked
    assert sum(hits.values()) <= 8 and seconds < 30
    found = findings(document)
    assert found["mlflow.runs.git_linked"]["outcome"] == "true"  # what was read proves presence ...
    for signal in ("mlflow.runs.dataset_inputs", "mlflow.runs.job_sourced"):  # ... never an absence
        assert found[signal]["outcome"] == "not_available", signal
        assert "read only in part" in found[signal]["message"]
    assert "false" not in {f["outcome"] for f in found.values()}


# case 24 ------------------------------------------------------------------------------------------
LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>...</form></body></html>"


@pytest.mark.parametrize("answer", ["redirect", "html"])
def test_a_login_page_answering_for_mlflow_is_one_clear_error(
    answer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", TOKEN)

    def handle(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        if answer == "redirect":
            return 302, f"https://sso.example.com/login?next={path}&token={TOKEN}".encode(), "text/plain"
        return 200, LOGIN_PAGE, "text/html"

    with http_server(handle) as (url, hits):
        code, document, _ = scan_cli(tmp_path, url.replace("http://", f"http://ada:{TOKEN}@"))
    target = mlflow_target(document)
    assert code == EXIT_PARTIAL and target["status"] == "error"
    what = {
        "redirect": "redirected to sso.example.com (HTTP 302; a login/SSO page?)",
        "html": "answered with an HTML page (a login/SSO page?)",
    }[answer]
    assert target["error"] == f"{url} {what}, not the MLflow REST API"
    assert sum(hits.values()) == 1  # said once: nothing else is asked of a server that is not MLflow
    messages = [f["message"] for f in findings(document).values()]
    assert not any("not JSON" in m for m in messages)
    assert TOKEN not in json.dumps(document)


# case 23 ------------------------------------------------------------------------------------------
def test_a_malformed_meta_yaml_skips_only_its_experiment_or_run(tmp_path: Path) -> None:
    store = tmp_path / "mlruns"
    shutil.copytree(STORE, store)
    experiments = sorted(p for p in store.iterdir() if (p / "meta.yaml").is_file())
    bad_experiment, other = experiments[0], experiments[-1]
    bad_run = next(p for p in sorted(other.iterdir()) if (p / "meta.yaml").is_file())
    (bad_experiment / "meta.yaml").write_text("name: [unclosed\n  : :\n")
    (bad_run / "meta.yaml").write_text("run_id: [unclosed\n")
    clean = scan_sources([str(STORE)])
    document = scan_sources([str(store)])
    target = mlflow_target(document)
    assert target["status"] == "ok", target.get("error")
    assert target["skipped"] == [
        f"{bad_experiment.name}/meta.yaml: malformed YAML (expected ',' or ']', but got ':', line 2); skipped",
        f"{other.name}/{bad_run.name}/meta.yaml: malformed YAML (expected ',' or ']', but got '<stream end>', "
        "line 2); skipped",
    ]
    assert all(s == "ok" or s.startswith("missing") for s in target["sections"].values()), target["sections"]
    text = json.dumps(document)
    assert "aiops-scan-mlflow-" not in text  # no temporary path in any message
    found, before = findings(document), findings(clean)
    assert "error" not in {f["outcome"] for f in found.values()}
    assert found.keys() == before.keys()
