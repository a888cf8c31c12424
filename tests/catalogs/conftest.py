"""Shared fixtures for the catalog tests: contract locations and a probe runner over CatalogFacts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scanner.facts.catalogs import CatalogFacts
from scanner.model import Finding
from scanner.registry import load_probes
from scanner.testing import run_probe
from scanner.views import Views
from tests.e2e.conftest import check_with_contract_tool

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT.parent / "shared" / "contracts"
DBT_ARTIFACTS = ROOT / "fixtures" / "catalogs" / "dbt" / "artifacts"


def contract(*parts: str) -> Path:
    path = CONTRACTS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present beside the checkout (needs ../shared/contracts)")
    return path


def validate_evidence(path: Path) -> None:
    """The evidence contract: our JSON Schema, then ../shared/tools/check_evidence.py."""
    schema = json.loads((ROOT / "scanner" / "schemas" / "evidence.schema.json").read_text())
    jsonschema.validate(json.loads(path.read_text()), schema)
    check_with_contract_tool(path)


def run_catalog_probes(facts: CatalogFacts, subject: str = "catalog:test") -> dict[str, Finding]:
    views = Views(subject=subject, catalog=facts)
    specs = [p for p in load_probes(plugins=False) if p.needs == frozenset({"catalog"})]
    return {f.signal: f for spec in specs for f in run_probe(spec, views).findings}  # each held to its contract
