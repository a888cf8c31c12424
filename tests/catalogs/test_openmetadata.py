"""OpenMetadata through a fake server on 127.0.0.1 serving recorded responses at three maturity levels.
Every body served is validated against the OpenMetadata 1.13 JSON Schemas (../shared/contracts)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from scanner.cli import EXIT_PARTIAL, main
from scanner.collectors.catalogs.openmetadata import collect
from tests.catalogs.conftest import ROOT, contract, run_catalog_probes, validate_evidence
from tests.catalogs.fake_http import Fake, Route, fake_server

RESPONSES = ROOT / "fixtures" / "catalogs" / "openmetadata"
SCHEMA_OF = {
    "/api/v1/tables": "entity/data/table.json",
    "/api/v1/policies": "entity/policies/policy.json",
    "/api/v1/glossaryTerms": "entity/data/glossaryTerm.json",
}
TOKEN = "om-secret-token-123456"


def recorded(level: str) -> Route:
    folder = RESPONSES / level

    def route(method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if path.startswith("/api/v1/lineage/table/name/"):
            name = f"lineage.{path.rsplit('/', 1)[1]}.json"
        else:
            name = path.removeprefix("/api/v1/") + (f".{query['after']}" if "after" in query else "") + ".json"
        file = folder / name
        return (200, json.loads(file.read_text())) if file.is_file() else (404, {"code": 404, "message": "not found"})

    return route


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    root = contract("openmetadata")
    resources = []
    for path in root.rglob("*.json"):
        doc = json.loads(path.read_text())
        resource = Resource.from_contents(doc, default_specification=DRAFT7)
        uri = f"https://open-metadata.org/schema/{path.relative_to(root).as_posix()}"
        resources.append((uri, resource))
        if doc.get("$id") and doc["$id"] != uri:  # 7 upstream files carry a mismatched $id (PROVENANCE.md)
            resources.append((doc["$id"], resource))
    return Registry().with_resources(resources)


def validate_om(path: str, body: dict[str, Any]) -> None:
    root = contract("openmetadata")

    def check(schema_file: str, doc: Any) -> None:
        schema = json.loads((root / schema_file).read_text())
        errors = [e.message for e in jsonschema.Draft7Validator(schema, registry=_registry()).iter_errors(doc)]
        assert errors == [], f"{path}: {errors[:3]}"

    if path.startswith("/api/v1/lineage/"):
        check("type/entityLineage.json", body)
        return
    check("type/paging.json", body["paging"])
    for item in body["data"]:
        check(SCHEMA_OF[path], item)


@pytest.fixture(params=["low", "mid", "high"])
def level(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_every_recorded_body_matches_the_openmetadata_schemas(level: str) -> None:
    with fake_server(recorded(level)) as fake:
        collect(fake.url, {})
    assert fake.served
    for path, body in fake.served:
        validate_om(path, body)


def test_the_schema_check_can_fail() -> None:
    body = json.loads((RESPONSES / "high" / "tables.json").read_text())
    del body["data"][0]["columns"][0]["dataType"]
    with pytest.raises(AssertionError):
        validate_om("/api/v1/tables", body)


def _scan(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("OPENMETADATA_TOKEN", TOKEN)
    stats: dict[str, int] = {}
    found = run_catalog_probes(collect(fake.url, stats), "catalog:openmetadata:fake")
    assert stats["openmetadata_requests"] == len(fake.requests)
    assert all(r["headers"].get("Authorization") == f"Bearer {TOKEN}" for r in fake.requests)
    return {s: f.outcome.value for s, f in found.items()} | {"_findings": found}


def test_levels_of_maturity_read_from_openmetadata(monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_server(recorded("low")) as fake:
        low = _scan(fake, monkeypatch)
    with fake_server(recorded("mid")) as fake:
        mid = _scan(fake, monkeypatch)
    with fake_server(recorded("high")) as fake:
        high = _scan(fake, monkeypatch)
        assert any(r["query"].get("after") == "cursor-2" for r in fake.requests)  # the second page was read
    assert low["catalog.classification.present"] == "false" and low["catalog.pii.untagged_names"] == "true"
    assert low["catalog.glossary.absent"] == "true" and low["catalog.coverage.owners"] == "false"
    # mid: PII tags but no policy uses them: specified, not enforced
    assert mid["catalog.classification.present"] == "true" and mid["catalog.policy.tag_based"] == "false"
    assert mid["catalog.glossary.low_coverage"] == "true" and mid["catalog.classification.auto_confirmed"] == "false"
    assert high["catalog.policy.tag_based"] == "true" and high["catalog.glossary.high_coverage"] == "true"
    assert high["catalog.domains.defined"] == "true" and high["catalog.data_products"] == "true"
    assert high["catalog.lineage.table_to_model"] == "true" and high["catalog.coverage.owners"] == "true"
    assert high["catalog.classification.auto_confirmed"] == "true"
    assert high["catalog.masks.coverage"] == "not_available"  # OpenMetadata holds no masks: not "false"
    policy = high["_findings"]["catalog.policy.tag_based"]
    assert "PIIAccessPolicy" in policy.message
    assert policy.locations[0].url.endswith("/settings/access/policies/PIIAccessPolicy")


def _faulty(kind: str) -> Route:
    good = recorded("high")

    def route(method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if kind == "401":
            return 401, {"code": 401, "message": "Not authorized"}
        if kind == "500" and query.get("after") == "cursor-2":
            return 500, {"code": 500, "message": "boom"}
        if kind == "malformed" and path == "/api/v1/policies":
            return 200, '{"data": [{"name": '  # truncated JSON (an HTML page is tests/catalogs/test_hostile.py)
        return good(method, path, query, body)

    return route


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("401", "refused the credentials (401)"),
        ("500", "answered HTTP 500"),
        ("malformed", "malformed body"),
        ("unreachable", "is unreachable"),
    ],
)
def test_faults_are_an_error_on_the_catalog_and_the_scan_completes(
    kind: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENMETADATA_TOKEN", TOKEN)
    repo = ROOT / "fixtures" / "repos"
    out = tmp_path / "e.json"
    with fake_server(_faulty(kind)) as fake:
        url = "http://127.0.0.1:9" if kind == "unreachable" else fake.url
        spec = f"openmetadata=http://user:pw@{url.removeprefix('http://')}"
        code = main(["scan", str(tmp_path), "--catalog", spec, "--json", str(out), "--quiet"])
    assert code == EXIT_PARTIAL and repo.is_dir()
    validate_evidence(out)
    text = out.read_text()
    assert TOKEN not in text and "pw@" not in text
    document = json.loads(text)
    target = next(t for t in document["targets"] if t["kind"] == "catalog")
    assert target["status"] == "error" and message in target["error"], target
    assert target["id"] == f"catalog:openmetadata:{url}"
    catalog = [f for f in document["findings"] if f["subject"] == target["id"]]
    assert catalog and all(f["outcome"] in ("not_available", "error") for f in catalog)
