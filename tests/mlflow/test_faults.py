"""Servers that fail: down, a 500 on one endpoint, older than the prompt registry; and credentials,
which reach the server but never an output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import EXIT_PARTIAL, main
from scanner.testing import make_repo
from tests.mlflow.conftest import Server, findings, scan_sources
from tests.mlflow.servers import forward, free_port, http_server, json_answer

CONTRACTS = Path(__file__).resolve().parents[2].parent / "shared" / "contracts" / "mlflow"
OLD_SERVER = json.loads((Path(__file__).with_name("old_server.json")).read_text())
TOKEN = "s3cr3t-token-value-42"
NOT_FOUND = (404, b"<!doctype html><title>404 Not Found</title>", "text/html")


def test_a_server_that_is_down_is_an_error_target_and_the_scan_completes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"train.py": "print('hi')\n"})
    out = tmp_path / "evidence.json"
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["scan", str(repo), "--mlflow", url, "--json", str(out), "--quiet"]) == EXIT_PARTIAL
    document = json.loads(out.read_text())
    target = next(t for t in document["targets"] if t["kind"] == "mlflow")
    assert target["id"] == f"mlflow:{url}" and target["status"] == "error" and "unreachable" in target["error"]
    outcomes = {f["outcome"] for f in findings(document).values()}
    assert outcomes == {"not_available"}
    assert any(a["scope"] == "repo" for a in document["assessments"])
    assert document["stats"]["api_calls"]["mlflow_requests"] == 2  # one try and one retry, then give up


def test_an_org_scan_of_a_down_server_leaves_mlflow_dimensions_unknown() -> None:
    document = scan_sources([f"http://127.0.0.1:{free_port()}"])
    (org,) = document["assessments"]
    tracking = org["areas"]["model_creation"]["dimensions"]["experiment_tracking"]
    assert tracking["status"] == "unknown"


@pytest.fixture()
def failing_proxy(mlflow_server: Server) -> Iterator[tuple[str, Any, list[str]]]:
    """The real server behind a proxy that answers 500 on the webhooks listing (configured webhooks
    whose secrets the server cannot decrypt) and records the Authorization headers it sees."""
    seen: list[str] = []

    def handle(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        seen.append(headers.get("Authorization", ""))
        if path.startswith("/api/2.0/mlflow/webhooks"):
            return json_answer(500, {"error_code": "INTERNAL_ERROR", "message": f"cannot decrypt ({TOKEN})"})
        return forward(mlflow_server.url, method, path, body, headers)

    with http_server(handle) as (url, hits):
        yield url, hits, seen


def test_a_500_on_one_endpoint_affects_only_its_signals(
    failing_proxy: tuple[str, Any, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, hits, seen = failing_proxy
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", TOKEN)
    document = scan_sources([url.replace("http://", f"http://ada:{TOKEN}@")])
    found = findings(document)
    webhooks = found["mlflow.registry.webhooks"]
    assert webhooks["outcome"] == "not_available" and "configured but unreadable" in webhooks["message"]
    assert found["mlflow.registry.aliases"]["outcome"] == "true"
    assert hits["/api/2.0/mlflow/webhooks"] == 2  # bounded: one retry on a 5xx
    target = next(t for t in document["targets"] if t["kind"] == "mlflow")
    assert target["status"] == "ok" and target["id"] == f"mlflow:{url}"
    assert f"Bearer {TOKEN}" in seen  # the credentials reached the server ...
    assert TOKEN not in json.dumps(document) and "ada" not in target["id"]  # ... and no output


def test_basic_auth_comes_from_the_environment(
    failing_proxy: tuple[str, Any, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _, seen = failing_proxy
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "ada")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", TOKEN)
    document = scan_sources([url])
    assert any(h.startswith("Basic ") for h in seen)
    assert TOKEN not in json.dumps(document)


def _pool() -> Any:
    from google.protobuf import descriptor_pb2, descriptor_pool

    binpb = CONTRACTS / "mlflow-3.17.2.descriptor_set.binpb"
    if not binpb.is_file():
        pytest.skip(f"{binpb} not present beside the checkout")
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_pb2.FileDescriptorSet.FromString(binpb.read_bytes()).file:
        pool.Add(file)
    return pool


def test_the_recorded_old_server_answers_match_the_mlflow_protos() -> None:
    from google.protobuf import json_format, message_factory

    pool = _pool()
    for answer in OLD_SERVER["answers"].values():
        message = message_factory.GetMessageClass(pool.FindMessageTypeByName(answer["message"]))()
        json_format.ParseDict(answer["body"], message)  # raises on an unknown field or a wrong type


def test_a_server_older_than_the_prompt_registry_reports_not_available() -> None:
    def handle(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        route = path.split("?")[0]
        if route == "/version":
            return 200, OLD_SERVER["version"].encode(), "text/plain"
        answer = OLD_SERVER["answers"].get(route)
        return json_answer(200, answer["body"]) if answer else NOT_FOUND

    with http_server(handle) as (url, hits):
        document = scan_sources([url])
    found = findings(document)
    for signal in ("mlflow.prompts.aliases", "mlflow.prompts.linked_to_runs", "mlflow.traces.recent"):
        assert found[signal]["outcome"] == "not_available", signal
    assert "predates the prompt registry" in found["mlflow.prompts.aliases"]["message"]
    assert found["mlflow.scorers.active"]["outcome"] == "not_available"
    assert found["mlflow.registry.aliases"]["outcome"] == "true"
    assert found["mlflow.runs.git_linked"]["outcome"] == "true"
    assert hits["/api/3.0/mlflow/traces/search"] == 1 and hits["/api/2.0/mlflow/traces"] == 1  # 404: no retry
    target = next(t for t in document["targets"] if t["kind"] == "mlflow")
    assert target["status"] == "ok" and target["version"] == "2.9.2"


def test_a_server_refusing_the_credentials_is_an_error_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", TOKEN)

    def handle(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        return json_answer(401, {"error_code": "UNAUTHENTICATED", "message": f"bad token {TOKEN}"})

    with http_server(handle) as (url, hits):
        document = scan_sources([url])
    (target,) = document["targets"]
    assert target["status"] == "error" and "no permission" in target["error"]
    assert sum(hits.values()) == 3  # server-info, version, experiments: a 401 is not retried
    assert TOKEN not in json.dumps(document)
