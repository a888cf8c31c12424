"""DataHub through a fake GraphQL server on 127.0.0.1 serving recorded responses at three maturity
levels. Every query the scanner sends is validated against DataHub's GraphQL schema, and every
recorded answer is type-checked by executing that query over it (../shared/contracts/datahub)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import graphql
import pytest

from scanner.collectors.catalogs.datahub import collect
from scanner.collectors.catalogs.datahub_queries import ALL
from tests.catalogs.conftest import ROOT, contract, run_catalog_probes
from tests.catalogs.fake_http import Route, fake_server

RESPONSES = ROOT / "fixtures" / "catalogs" / "datahub"
TOKEN = "datahub-secret-pat-0000"


@cache
def schema() -> graphql.GraphQLSchema:
    folder = contract("datahub")
    return graphql.build_schema("\n".join(p.read_text() for p in sorted(folder.glob("*.graphql"))))


def recorded(level: str, fault: str = "") -> Route:
    folder = RESPONSES / level

    def route(method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if method != "POST" or path != "/api/graphql":
            return 404, {"message": "not found"}
        document = graphql.parse(body["query"])
        operation = next(d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode))
        name = operation.name.value if operation.name else ""
        variables = body.get("variables") or {}
        if fault == "policies" and name == "policies":
            return 200, {"data": {"listPolicies": None}, "errors": [{"message": "Unauthorized to list policies"}]}
        key = {
            "entities": f"entities.{(variables.get('types') or [''])[0]}",
            "upstreams": "upstreams." + ([*str(variables.get("urn", "")).split(","), ""])[1],
        }.get(name, name)
        file = folder / f"{key}.json"
        return (200, json.loads(file.read_text())) if file.is_file() else (404, {"message": "no recording"})

    return route


def check_answer(request: dict[str, Any], answer: dict[str, Any]) -> None:
    """The query is valid for DataHub's schema, and executing it over the recorded data reproduces the
    data without errors: the recording has the types and non-null fields that the schema demands."""
    document = graphql.parse(request["query"])
    assert graphql.validate(schema(), document) == []
    result = graphql.execute_sync(
        schema(), document, root_value=answer["data"], variable_values=request.get("variables")
    )
    assert result.errors is None, result.errors
    assert json.loads(json.dumps(result.data)) == json.loads(json.dumps(answer["data"], default=str))


def test_every_query_sent_is_valid_for_the_datahub_schema() -> None:
    for name, text in ALL.items():
        assert graphql.validate(schema(), graphql.parse(text)) == [], name
    bad = ALL["domains"].replace("properties { name }", "properties { nom }")
    assert graphql.validate(schema(), graphql.parse(bad)) != []  # the check can fail


@pytest.mark.parametrize("level", ["low", "mid", "high"])
def test_every_recorded_answer_matches_the_schema(level: str) -> None:
    with fake_server(recorded(level)) as fake:
        collect(fake.url, {})
    assert len(fake.requests) >= 6 and len(fake.served) == len(fake.requests)
    for request, (_, answer) in zip(fake.requests, fake.served, strict=True):
        check_answer(request["body"], answer)


def _signals(level: str, monkeypatch: pytest.MonkeyPatch, fault: str = "") -> dict[str, Any]:
    monkeypatch.setenv("DATAHUB_TOKEN", TOKEN)
    stats: dict[str, int] = {}
    with fake_server(recorded(level, fault)) as fake:
        found = run_catalog_probes(collect(fake.url, stats), "catalog:datahub:fake")
    assert stats["datahub_requests"] == len(fake.requests)
    assert all(r["headers"].get("Authorization") == f"Bearer {TOKEN}" for r in fake.requests)
    return found


def test_levels_of_maturity_read_from_datahub(monkeypatch: pytest.MonkeyPatch) -> None:
    low, mid, high = (
        {s: f.outcome.value for s, f in _signals(level, monkeypatch).items()} for level in ("low", "mid", "high")
    )
    assert low["catalog.classification.present"] == "false" and low["catalog.glossary.absent"] == "true"
    assert mid["catalog.classification.present"] == "true" and mid["catalog.policy.tag_based"] == "false"
    assert mid["catalog.pii.untagged_names"] == "true"  # phone carries no tag at mid
    assert mid["catalog.glossary.low_coverage"] == "true"
    assert high["catalog.policy.tag_based"] == "true" and high["catalog.glossary.high_coverage"] == "true"
    assert high["catalog.domains.defined"] == "true" and high["catalog.data_products"] == "true"
    assert high["catalog.lineage.table_to_model"] == "true" and high["catalog.access_request_workflow"] == "true"
    assert mid["catalog.mlflow_ingested"] == "true" and mid["catalog.lineage.table_to_model"] == "false"


def test_a_refused_policies_query_is_not_available(monkeypatch: pytest.MonkeyPatch) -> None:
    found = _signals("high", monkeypatch, fault="policies")
    assert found["catalog.policy.tag_based"].outcome.value == "not_available"
    assert "Unauthorized" in found["catalog.policy.tag_based"].message
    assert found["catalog.classification.present"].outcome.value == "true"


def test_the_frontend_graphql_endpoint_is_detected() -> None:
    gms = recorded("mid")

    def frontend(method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if path == "/api/v2/graphql":
            return gms(method, "/api/graphql", query, body)
        return 404, {"message": "not found"}

    with fake_server(frontend) as fake:
        facts = collect(fake.url, {})
    assert [t.fqn for t in facts.tables][:1] == ["shop.public.customers"]
    assert fake.requests[0]["path"] == "/api/graphql" and fake.requests[-1]["path"] == "/api/v2/graphql"
