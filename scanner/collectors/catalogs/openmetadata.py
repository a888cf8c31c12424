"""OpenMetadata (REST API v1) as a catalog: tables with owners, tags and glossary terms at table and
column level, domains and data products, access policies, glossary terms, lineage into ML models.

Token: OPENMETADATA_TOKEN (a bot JWT) from the environment. Listings are paged by cursor (`after`)
up to MAX_PAGES; an endpoint answering 403/404 makes that feature not_available.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from scanner.collectors.catalogs.http import MAX_PAGES, CatalogClient, Forbidden, expect_dict
from scanner.facts.catalogs import CatalogFacts, Column, Edge, Named, Policy, Table

PAGE = 100
LINEAGE_TABLES = 50  # lineage is asked per table: bound the requests
TABLE_FIELDS = "owners,tags,columns,domains,dataProducts"
NOT_IN_OPENMETADATA = {
    "grants": "OpenMetadata holds no warehouse grants",
    "row_filters": "OpenMetadata holds no row filters",
    "column_masks": "OpenMetadata holds no column masks",
    "audit": "the audit of data access is not read from OpenMetadata",
    "access_requests": "access requests are not read from OpenMetadata",
    "ingestion_pipelines": "ingestion pipelines are not read from OpenMetadata",
}


def listing(client: CatalogClient, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a cursor-paged listing, up to MAX_PAGES pages."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    for _ in range(MAX_PAGES):
        body = expect_dict(client.get(path, {**params, "limit": PAGE, **({"after": after} if after else {})}), path)
        data = body.get("data")
        if not isinstance(data, list):
            raise ValueError(f"{path}: malformed body (no `data` list)")
        items.extend(d for d in data if isinstance(d, dict))
        after = (body.get("paging") or {}).get("after")
        if not after:
            break
    return items


def _labels(tags: Any, source: str) -> tuple[str, ...]:
    return tuple(str(t.get("tagFQN", "")) for t in tags or [] if t.get("source") == source)


def _confirmed_auto(tags: Any) -> bool:
    return any(t.get("labelType") == "Automated" and t.get("state") == "Confirmed" for t in tags or [])


def _column(raw: dict[str, Any]) -> Column:
    tags = raw.get("tags") or []
    classified = [t for t in tags if t.get("source") == "Classification" and t.get("state") != "Suggested"]
    return Column(
        name=str(raw.get("name", "")),
        data_type=str(raw.get("dataType", "")),
        description=str(raw.get("description") or ""),
        tags=_labels(classified, "Classification"),
        glossary_terms=_labels(tags, "Glossary"),
        auto_confirmed=_confirmed_auto(tags),
    )


def _owners(raw: dict[str, Any]) -> tuple[str, ...]:
    refs = raw.get("owners") or ([raw["owner"]] if raw.get("owner") else [])  # `owner` before 1.5
    return tuple(str(r.get("name") or r.get("id")) for r in refs if not r.get("inherited"))


def _table(raw: dict[str, Any], ui: str) -> Table:
    fqn = str(raw.get("fullyQualifiedName") or raw.get("name"))
    domains = raw.get("domains") or ([raw["domain"]] if raw.get("domain") else [])
    tags = [t for t in raw.get("tags") or [] if t.get("state") != "Suggested"]
    return Table(
        fqn=fqn,
        url=f"{ui}/table/{quote(fqn)}",
        kind=str(raw.get("tableType") or "table").lower(),
        description=str(raw.get("description") or ""),
        owners=_owners(raw),
        tags=_labels(tags, "Classification"),
        glossary_terms=_labels(tags, "Glossary"),
        domain=str(domains[0].get("name", "")) if domains else "",
        columns=tuple(_column(c) for c in raw.get("columns") or []),
        contract_enforced=bool(raw.get("dataContract")),
    )


def _policy(raw: dict[str, Any], ui: str) -> Policy:
    rules = [r for r in raw.get("rules") or [] if isinstance(r, dict)]
    return Policy(
        name=str(raw.get("name")),
        url=f"{ui}/settings/access/policies/{quote(str(raw.get('name')))}",
        conditions=tuple(str(r["condition"]) for r in rules if r.get("condition")),
        effects=tuple(str(r.get("effect")) for r in rules),
        resources=tuple(str(x) for r in rules for x in r.get("resources") or []),
    )


def _read(facts: CatalogFacts, feature: str, read: Any) -> Any:
    try:
        return read()
    except Forbidden as exc:
        facts.not_available[feature] = f"no permission or not offered ({exc})"
        return None


def _lineage(client: CatalogClient, facts: CatalogFacts, ui: str) -> None:
    for table in facts.tables[:LINEAGE_TABLES]:
        try:
            body = expect_dict(
                client.get(
                    f"/api/v1/lineage/table/name/{quote(table.fqn)}", {"upstreamDepth": 0, "downstreamDepth": 1}
                ),
                "lineage",
            )
        except Forbidden:
            continue  # no lineage recorded for this table
        nodes = {n.get("id"): n for n in body.get("nodes") or [] if isinstance(n, dict)}
        for edge in body.get("downstreamEdges") or []:
            node = nodes.get(edge.get("toEntity"))
            if node is None:
                continue
            kind = "ml_model" if node.get("type") == "mlmodel" else "table"
            name = str(node.get("fullyQualifiedName") or node.get("name"))
            url = f"{ui}/mlmodel/{quote(name)}" if kind == "ml_model" else f"{ui}/table/{quote(name)}"
            facts.lineage.append(Edge(table.fqn, name, kind, url))
            if kind == "ml_model" and all(m.name != name for m in facts.ml_models):
                facts.ml_models.append(Named(name, url))


def collect(url: str, stats: dict[str, int]) -> CatalogFacts:
    base = url.rstrip("/").removesuffix("/api/v1").removesuffix("/api")  # the API root pasted instead
    client = CatalogClient(base, ("OPENMETADATA_TOKEN", "OM_TOKEN"), stats, "openmetadata_requests")
    ui = client.base
    facts = CatalogFacts(kind="openmetadata", base_url=ui, not_available=dict(NOT_IN_OPENMETADATA))
    try:
        raw_tables = listing(client, "/api/v1/tables", {"fields": TABLE_FIELDS, "include": "non-deleted"})
    except Forbidden as exc:
        raise RuntimeError(f"{ui} does not answer the OpenMetadata tables API ({exc}): is it OpenMetadata?") from None
    facts.tables = [_table(t, ui) for t in raw_tables]
    policies = _read(facts, "policies", lambda: listing(client, "/api/v1/policies", {"fields": "rules"}))
    facts.policies = [_policy(p, ui) for p in policies or []]
    terms = _read(facts, "glossary", lambda: listing(client, "/api/v1/glossaryTerms", {}))
    facts.glossary_terms = [
        Named(
            str(t.get("fullyQualifiedName") or t.get("name")),
            f"{ui}/glossary/{quote(str(t.get('fullyQualifiedName') or t.get('name')))}",
            str((t.get("glossary") or {}).get("name", "")),
        )
        for t in terms or []
    ]
    domains: dict[str, int] = {}
    products: dict[str, str] = {}
    for raw, table in zip(raw_tables, facts.tables, strict=True):
        if table.domain:
            domains[table.domain] = domains.get(table.domain, 0) + 1
        for product in raw.get("dataProducts") or []:
            products.setdefault(str(product.get("name")), table.domain)
    facts.domains = [Named(d, f"{ui}/domain/{quote(d)}", count=n) for d, n in sorted(domains.items())]
    facts.data_products = [Named(p, f"{ui}/dataProduct/{quote(p)}", d) for p, d in sorted(products.items())]
    _lineage(client, facts, ui)
    return facts
