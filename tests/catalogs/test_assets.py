"""catalog.assets.present: a catalog that lists tables shows the organisation manages data."""

from __future__ import annotations

from scanner.facts.catalogs import CatalogFacts, Table
from scanner.model import Outcome
from tests.catalogs.conftest import run_catalog_probes

ASSETS = "catalog.assets.present"


def test_tables_are_assets() -> None:
    found = run_catalog_probes(CatalogFacts("openmetadata", "http://om", tables=[Table("db.sales.orders")]))
    assert found[ASSETS].outcome is Outcome.TRUE and "db.sales.orders" in found[ASSETS].message


def test_an_empty_catalog_is_no_assets() -> None:
    assert run_catalog_probes(CatalogFacts("datahub", "http://dh"))[ASSETS].outcome is Outcome.FALSE


def test_unreadable_tables_are_not_available_never_false() -> None:
    facts = CatalogFacts("unitycatalog", "http://uc", not_available={"tables": "no permission"})
    assert run_catalog_probes(facts)[ASSETS].outcome is Outcome.NOT_AVAILABLE
