"""Data access from a catalog: ownership and descriptions, audit, access requests, ingestion coverage
(Data Access in docs/model.md)."""

from __future__ import annotations

from scanner.model import Finding
from scanner.probekit import hit, miss, need, probe, verdict
from scanner.views import Views

from ._common import facts, names, pct

OWNERS = "catalog.coverage.owners"
AUDIT = "catalog.audit.enabled"
REQUESTS = "catalog.access_request_workflow"
INGESTION = "catalog.coverage.ingestion_all_sources"
OWNER_COVERAGE = 70.0


@probe(
    "catalog.coverage.owners",
    summary="share of catalogued tables with an owner and a description",
    needs=("catalog",),
    remediation="Give every shared table an owner and a description in the catalog.",
    evidence=("catalog_object",),
)
def owners(views: Views) -> list[Finding]:
    cat = facts(views)
    if not cat.tables:
        return [miss(views, OWNERS, f"the {cat.kind} catalog lists no table", locations=[cat.location()])]
    good = [t for t in cat.tables if t.owners and t.description.strip()]
    share = pct(len(good), len(cat.tables))
    vals = {"coverage_pct": share, "tables": len(cat.tables), "owned_and_described": len(good)}
    lacking = names(t.fqn for t in cat.tables if t not in good)
    if share >= OWNER_COVERAGE:
        return [
            hit(
                views,
                OWNERS,
                [t.location() for t in good],
                f"{share}% of {len(cat.tables)} tables have owners"
                f" and descriptions" + (f"; lacking: {lacking}" if lacking else ""),
                values=vals,
            )
        ]
    return [
        miss(
            views,
            OWNERS,
            f"only {share}% of tables have owners and descriptions; lacking: {lacking}",
            values=vals,
            locations=[cat.location()],
        )
    ]


def _flag(views: Views, signal: str, feature: str, value: bool | None, yes: str, no: str) -> Finding:
    cat = facts(views)
    if gaps := need(views, [signal], cat, feature):
        return gaps[0]
    return hit(views, signal, [cat.location()], yes) if value else miss(views, signal, no, locations=[cat.location()])


@probe(
    "catalog.audit.enabled",
    summary="catalog-side audit of data access is enabled",
    needs=("catalog",),
    evidence=("catalog_object",),
    remediation="Enable the catalog's audit of data access (system audit tables or audit logs), so that who "
    "read what can be reviewed.",
)
def audit(views: Views) -> list[Finding]:
    cat = facts(views)
    return [
        _flag(
            views,
            AUDIT,
            "audit",
            cat.audit,
            f"{cat.kind} records data access audit events",
            f"{cat.kind} audit of data access is not enabled",
        )
    ]


@probe(
    "catalog.access_request_workflow",
    summary="access requests are configured in the catalog",
    needs=("catalog",),
    evidence=("catalog_object",),
    remediation="Configure access requests in the catalog, so that people ask for data access through a "
    "tracked, approved workflow.",
)
def requests(views: Views) -> list[Finding]:
    cat = facts(views)
    return [
        _flag(
            views,
            REQUESTS,
            "access_requests",
            cat.access_requests,
            "access requests are configured",
            "no access request workflow is configured",
        )
    ]


@probe(
    "catalog.coverage.ingestion_all_sources",
    summary="every database service has an ingestion pipeline that recently succeeded",
    needs=("catalog",),
    evidence=("catalog_object",),
    remediation="Set up an ingestion pipeline for every database service in the catalog and keep it running "
    "successfully.",
)
def ingestion(views: Views) -> list[Finding]:
    cat = facts(views)
    if gaps := need(views, [INGESTION], cat, "ingestion_pipelines"):
        return gaps
    stale = [p for p in cat.pipelines if p.count < 1]
    if cat.pipelines and not stale:
        return [
            verdict(
                views,
                INGESTION,
                [p.location("pipeline") for p in cat.pipelines],
                f"{len(cat.pipelines)} ingestion pipeline(s), all recently successful",
                "",
            )
        ]
    return [
        miss(
            views,
            INGESTION,
            f"stale or failing pipelines: {names(p.name for p in stale)}" if stale else "no ingestion pipeline",
            locations=[cat.location()],
        )
    ]
