"""Shared helpers for the catalog probes. A feature the catalog could not read is reported through
`scanner.probekit.need(views, signals, cat, feature)`."""

from __future__ import annotations

from collections.abc import Iterable

from scanner.facts.catalogs import CatalogFacts, Column, Table
from scanner.model import Location
from scanner.views import Views


def facts(views: Views) -> CatalogFacts:
    """The catalog view, which the runner guarantees to the probes that need it (else they are blind)."""
    if views.catalog is None:
        raise LookupError(str(views.unreadable("catalog")))
    return views.catalog


def columns(cat: CatalogFacts) -> list[tuple[Table, Column]]:
    return [(t, c) for t in cat.tables for c in t.columns]


def col_loc(table: Table, column: Column) -> Location:
    return table.location(column.name)


def pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def names(items: Iterable[str], limit: int = 5) -> str:
    shown = list(dict.fromkeys(items))
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more
