"""dbt artifacts produced by dbt-core 1.11 + dbt-duckdb (fixtures/catalogs/dbt/regenerate.sh) read as a
catalog: the artifacts match dbt's published schemas, and the probes see classification without
enforcement as such."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scanner.collectors.catalogs.dbt import collect
from tests.catalogs.conftest import DBT_ARTIFACTS, contract, run_catalog_probes

SCHEMAS = {
    "manifest.json": ("manifest", "v12.json"),
    "catalog.json": ("catalog", "v1.json"),
    "run_results.json": ("run-results", "v6.json"),
}


@pytest.mark.parametrize("artifact", sorted(SCHEMAS))
def test_committed_artifacts_match_dbt_schemas(artifact: str) -> None:
    schema = json.loads(contract("dbt", *SCHEMAS[artifact]).read_text())
    doc = json.loads((DBT_ARTIFACTS / artifact).read_text())
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]
    assert errors == []
    assert doc["metadata"]["dbt_version"].startswith("1.11.")
    assert doc["metadata"]["dbt_schema_version"].endswith("/" + SCHEMAS[artifact][1])


def test_collector_reads_models_columns_grants_tests_and_lineage() -> None:
    facts = collect(str(DBT_ARTIFACTS))
    tables = {t.fqn: t for t in facts.tables}
    stg = tables["shop.main.stg_customers"]
    assert stg.owners == ("crm-team",) and stg.description
    assert [g.principal for g in stg.grants] == ["crm_analysts"]
    email = next(c for c in stg.columns if c.name == "email")
    assert email.sensitive and "pii" in email.tags and email.data_type.upper() == "VARCHAR"  # type from catalog.json
    assert tables["shop.main.customer_features"].contract_enforced
    assert stg.url.endswith("#!/model/model.shop.stg_customers") and stg.url.startswith("file://")
    rel = next(t for t in facts.tests if t.kind == "relationships")
    assert rel.severity == "warn" and rel.status == "pass"
    assert any(e.downstream == "churn_model" and e.downstream_kind == "ml_model" for e in facts.lineage)


def test_pii_tags_without_masks_are_specified_but_unenforced() -> None:
    found = run_catalog_probes(collect(str(DBT_ARTIFACTS)))
    assert found["catalog.classification.present"].outcome.value == "true"
    masks = found["catalog.masks.coverage"]
    assert masks.outcome.value == "false" and "unenforced" in masks.message
    assert "stg_customers.email" in masks.message
    untagged = found["catalog.pii.untagged_names"]
    assert untagged.outcome.value == "true" and "customer_contacts.email" in untagged.message
    assert found["catalog.dbt.grants.pii_differentiated"].outcome.value == "true"
    assert found["catalog.dbt.tests.relationships"].outcome.value == "true"
    assert found["catalog.lineage.table_to_model"].outcome.value == "true"
    # what dbt artifacts cannot show is not_available, never false
    for signal in ("catalog.policy.tag_based", "catalog.glossary.absent", "catalog.uc.row_filters"):
        assert found[signal].outcome.value == "not_available", signal
    assert all(loc.object for f in found.values() if f.outcome.value == "true" for loc in f.locations)


def test_pii_models_granted_like_the_rest_are_not_differentiated(tmp_path: Path) -> None:
    manifest = json.loads((DBT_ARTIFACTS / "manifest.json").read_text())
    manifest["nodes"]["model.shop.stg_customers"]["config"]["grants"] = {"select": ["analysts"]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    found = run_catalog_probes(collect(str(tmp_path)))
    assert found["catalog.dbt.grants.pii_differentiated"].outcome.value == "false"
    assert found["catalog.dbt.tests.executed"].outcome.value == "not_available"  # no run_results.json


def test_older_manifests_with_meta_on_the_node_are_read(tmp_path: Path) -> None:
    old = {
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v4.json"},
        "nodes": {
            "model.p.users": {
                "resource_type": "model",
                "name": "users",
                "database": "db",
                "schema": "s",
                "description": "Users.",
                "meta": {"owner": "team-a"},
                "config": {"grants": {}},
                "columns": {
                    "ssn": {"name": "ssn", "meta": {"contains_pii": True}, "tags": []},
                    "phone": {"name": "phone", "meta": {}, "tags": []},
                },
            }
        },
        "sources": {},
    }
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text(json.dumps(old))
    facts = collect(str(tmp_path))  # a project folder: target/manifest.json
    (table,) = facts.tables
    assert table.owners == ("team-a",)
    assert [c.name for c in table.columns if c.sensitive] == ["ssn"]
