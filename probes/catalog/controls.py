"""Access controls read from a catalog: table privileges (UC permissions, grants dbt applies), row
filters and column masks (Data Store in docs/model.md)."""

from __future__ import annotations

from scanner.facts.catalogs import Table
from scanner.model import Finding
from scanner.probekit import need, probe, verdict
from scanner.views import Views

from ._common import col_loc, columns, facts, names

PRIVILEGES = "catalog.uc.table_privileges"
ROWS = "catalog.uc.row_filters"
MASKS = "catalog.uc.column_masks"


def _grants(table: Table) -> str:
    return "; ".join(f"{g.principal}: {', '.join(g.privileges)}" for g in table.grants)


@probe(
    "catalog.access_controls",
    summary="table privileges granted to principals, row filters and column masks in the catalog",
    emits=(PRIVILEGES, ROWS, MASKS),
    needs=("catalog",),
    remediation="Grant tables to groups, and add row filters and column masks on sensitive tables.",
    evidence=("catalog_object",),
)
def access_controls(views: Views) -> list[Finding]:
    cat = facts(views)
    out: list[Finding] = []
    if gaps := need(views, [PRIVILEGES], cat, "grants"):
        out += gaps
    else:
        granted = [t for t in cat.tables if t.grants]
        out.append(
            verdict(
                views,
                PRIVILEGES,
                [t.location() for t in granted],
                f"{len(granted)} table(s) with privileges: " + names(f"{t.fqn} ({_grants(t)})" for t in granted),
                f"no table privileges granted in {cat.kind}",
                values={"principals": len({g.principal for t in granted for g in t.grants})},
            )
        )
    if gaps := need(views, [ROWS], cat, "row_filters"):
        out += gaps
    else:
        filtered = [t for t in cat.tables if t.row_filter]
        out.append(
            verdict(
                views,
                ROWS,
                [t.location() for t in filtered],
                "row filters on " + names(f"{t.fqn} ({t.row_filter})" for t in filtered),
                "no table has a row filter",
            )
        )
    if gaps := need(views, [MASKS], cat, "column_masks"):
        out += gaps
    else:
        masked = [(t, c) for t, c in columns(cat) if c.mask]
        out.append(
            verdict(
                views,
                MASKS,
                [col_loc(t, c) for t, c in masked],
                "column masks on " + names(f"{t.fqn}.{c.name} ({c.mask})" for t, c in masked),
                "no column has a mask",
            )
        )
    return out
