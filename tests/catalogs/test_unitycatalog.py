"""Unity Catalog through a fake server on 127.0.0.1 serving recorded responses at three maturity levels;
every body is validated against the Unity Catalog OpenAPI document (../shared/contracts)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import pytest
import yaml

from scanner.collectors.catalogs.unitycatalog import API, collect
from tests.catalogs.conftest import ROOT, contract, run_catalog_probes
from tests.catalogs.fake_http import Route, fake_server

RESPONSES = ROOT / "fixtures" / "catalogs" / "unitycatalog"
COMPONENT = {
    "metastore_summary": "GetMetastoreSummaryResponse",
    "catalogs": "ListCatalogsResponse",
    "schemas": "ListSchemasResponse",
    "tables": "ListTablesResponse",
    "models": "ListRegisteredModelsResponse",
    "permissions": "PermissionsList",
}
TOKEN = "dapi-secret-token-0000"


def recorded(level: str, fault: str = "") -> Route:
    folder = RESPONSES / level

    def route(method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        rest = path.removeprefix(API + "/")
        if fault == "500" and query.get("page_token") == "p2":
            return 500, {"error_code": "INTERNAL_ERROR", "message": "boom"}
        if fault == "403" and rest.startswith("permissions/"):
            return 403, {"error_code": "PERMISSION_DENIED", "message": "no MANAGE"}
        keys = [query[k] for k in ("catalog_name", "schema_name", "page_token") if k in query]
        name = ".".join([rest.replace("/", "."), *keys]) + ".json"
        file = folder / name
        return (200, json.loads(file.read_text())) if file.is_file() else (404, {"error_code": "NOT_FOUND"})

    return route


@cache
def _spec() -> dict[str, Any]:
    return dict(yaml.safe_load(contract("unitycatalog", "all.yaml").read_text()))


def validate_uc(path: str, body: Any) -> None:
    name = COMPONENT[path.removeprefix(API + "/").split("/")[0]]
    schema = {"$ref": f"#/components/schemas/{name}", "components": _spec()["components"]}
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(body)]
    assert errors == [], f"{path}: {errors[:3]}"


@pytest.mark.parametrize("level", ["low", "mid", "high"])
def test_every_recorded_body_matches_the_unity_catalog_openapi(level: str) -> None:
    with fake_server(recorded(level)) as fake:
        collect(fake.url, {})
    assert len(fake.served) >= 8
    for path, body in fake.served:
        validate_uc(path, body)
    with pytest.raises(AssertionError):  # the check can fail
        validate_uc(f"{API}/permissions/table/x", {"privilege_assignments": [{"principal": "a"}]})


def _signals(level: str, monkeypatch: pytest.MonkeyPatch, fault: str = "") -> dict[str, Any]:
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    stats: dict[str, int] = {}
    with fake_server(recorded(level, fault)) as fake:
        found = run_catalog_probes(collect(fake.url, stats), "catalog:unitycatalog:fake")
    assert stats["unitycatalog_requests"] == len(fake.requests)
    assert all(r["headers"].get("Authorization") == f"Bearer {TOKEN}" for r in fake.requests)
    return found


def test_levels_of_maturity_read_from_unity_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    low, mid, high = (_signals(level, monkeypatch) for level in ("low", "mid", "high"))
    out = {
        name: {s: f.outcome.value for s, f in found.items()}
        for name, found in (("low", low), ("mid", mid), ("high", high))
    }
    # the open-source server has no row filters or masks: not_available, never false
    assert out["low"]["catalog.uc.row_filters"] == "not_available"
    assert out["low"]["catalog.uc.table_privileges"] == "false"
    assert out["mid"]["catalog.uc.table_privileges"] == "true" and out["mid"]["catalog.uc.row_filters"] == "false"
    assert out["mid"]["catalog.mlflow_ingested"] == "true" and out["low"]["catalog.mlflow_ingested"] == "false"
    assert out["high"]["catalog.uc.row_filters"] == "true" and out["high"]["catalog.uc.column_masks"] == "true"
    masks = high["catalog.uc.column_masks"]
    assert "main.shop.customers.email" in masks.message and "mask_pii" in masks.message
    assert masks.locations[0].url and "/explore/data/main/shop/customers" in masks.locations[0].url
    assert "crm-analysts" in high["catalog.uc.table_privileges"].message
    assert out["high"]["catalog.classification.present"] == "not_available"


def test_a_403_on_permissions_is_not_available_and_the_rest_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    found = _signals("high", monkeypatch, fault="403")
    assert found["catalog.uc.table_privileges"].outcome.value == "not_available"
    assert found["catalog.uc.row_filters"].outcome.value == "true"


def test_a_500_mid_pagination_fails_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_server(recorded("high", "500")) as fake, pytest.raises(RuntimeError, match="HTTP 500"):
        collect(fake.url, {})


def test_the_api_root_may_be_given_instead_of_the_server() -> None:
    with fake_server(recorded("mid")) as fake:
        facts = collect(fake.url + API + "/", {})
    assert len(facts.tables) == 3 and facts.base_url == fake.url
