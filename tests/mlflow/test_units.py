"""The pure parts: URIs without credentials, scrubbing, REST shapes, repo keys, catalog sources."""

from __future__ import annotations

import pytest

from probes.mlflow.linkage import repo_key
from probes.mlflow.tracking import catalog_source
from scanner.collectors.mlflow.client import RestClient, public_uri
from scanner.collectors.mlflow.gather import _predates_prompts
from scanner.collectors.mlflow.source import normalise
from scanner.facts.mlflow import Run, Trace, iso_ms, tag_map
from scanner.targets import UsageError


def test_public_uri_drops_credentials_query_and_fragment() -> None:
    assert (
        public_uri("https://ada:pw@mlflow.example.org:8443/base/?token=x#f") == "https://mlflow.example.org:8443/base"
    )


def test_secrets_from_the_environment_are_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "ada")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "not-a-token-shape")
    client = RestClient("http://127.0.0.1:1")
    assert client.scrub("failed with not-a-token-shape at https://u:p@host/x") == "failed with *** at https://host/x"


def test_normalise_accepts_servers_and_stores_and_rejects_other_schemes(tmp_path: object) -> None:
    assert normalise("https://m.example.org") == "https://m.example.org"
    assert normalise("sqlite:///x.db") == "sqlite:///x.db"
    assert normalise("/data/mlruns") == "file:/data/mlruns"
    with pytest.raises(UsageError, match="ftp://host/x") as err:
        normalise("ftp://ada:pw@host/x")
    assert "pw" not in str(err.value)


def test_tags_and_times_in_both_rest_shapes() -> None:
    assert tag_map([{"key": "a", "value": "1"}]) == tag_map({"a": "1"}) == {"a": "1"}
    assert iso_ms("1970-01-01T00:00:01.500Z") == 1500 == iso_ms("1500")
    v2 = Trace.parse(
        {"request_id": "tr-1", "experiment_id": "3", "timestamp_ms": "9", "tags": [{"key": "k", "value": "v"}]}
    )
    assert (v2.id, v2.experiment_id, v2.time, dict(v2.tags)) == ("tr-1", "3", 9, {"k": "v"})


def test_run_dataset_sources_name_the_table() -> None:
    raw = {
        "info": {"run_uuid": "r1", "experiment_id": "1"},
        "inputs": {
            "dataset_inputs": [{"dataset": {"source_type": "delta_table", "source": '{"delta_table_name": "c.s.t"}'}}]
        },
    }
    assert Run.parse(raw).dataset_sources == ("delta_table:c.s.t",)


@pytest.mark.parametrize(
    ("source", "catalog"),
    [("delta_table:c.s.t", True), ("local:/tmp/x.csv", False), ("main.sales.orders", True), ("http:a.b.c", False)],
)
def test_catalog_sources(source: str, catalog: bool) -> None:
    assert catalog_source(source) is catalog


def test_repo_keys_join_https_and_ssh_urls() -> None:
    assert (
        repo_key("https://github.com/Acme/churn.git")
        == repo_key("git@github.com:acme/churn")
        == "github.com/acme/churn"
    )


@pytest.mark.parametrize(
    ("info", "old"),
    [({"version": "2.9.2"}, True), ({"version": "2.21.0"}, False), ({"server_info": "missing"}, True), ({}, False)],
)
def test_servers_older_than_the_prompt_registry(info: dict[str, str], old: bool) -> None:
    assert _predates_prompts(info) is old
