"""DataHub (GraphQL API) as a catalog: datasets with ownership, tags, glossary terms and schema field
tags, domains, data products, access policies, ML models and their upstream datasets.

Token: DATAHUB_TOKEN (a personal access token) from the environment. Every search is paged with
start/count up to MAX_PAGES; a query the server refuses (403, GraphQL authorisation error) makes
that feature not_available.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from scanner.collectors.catalogs import datahub_queries as q
from scanner.collectors.catalogs.http import MAX_PAGES, CatalogClient, Forbidden, expect_dict
from scanner.facts.catalogs import CatalogFacts, Column, Edge, Named, Policy, Table

ENDPOINTS = ("/api/graphql", "/api/v2/graphql")  # GMS, then the frontend (datahub-frontend proxies GraphQL)
PAGE = 100
MAX_MODELS = 20
NOT_IN_DATAHUB = {
    "grants": "DataHub holds no warehouse grants",
    "row_filters": "DataHub holds no row filters",
    "column_masks": "DataHub holds no column masks",
    "audit": "the audit of data access is not read from DataHub",
    "ingestion_pipelines": "ingestion sources are not read from DataHub",
    "auto_classification": "automated classification is not read from DataHub",
}


class DataHubClient(CatalogClient):
    endpoint = ENDPOINTS[0]


def run(client: DataHubClient, query: str, variables: dict[str, Any], field: str) -> dict[str, Any]:
    body = expect_dict(client.post(client.endpoint, {"query": query, "variables": variables}), field)
    errors = body.get("errors") or []
    data = body.get("data") or {}
    if errors and not data.get(field):
        message = str(errors[0].get("message", "")) if isinstance(errors[0], dict) else str(errors[0])
        if "unauthor" in message.lower() or "forbidden" in message.lower():
            raise Forbidden(f"{field}: {message}")
        raise RuntimeError(f"{client.base}{client.endpoint} {field}: GraphQL error: {message}")
    return expect_dict(data.get(field), field)


def paged(client: DataHubClient, query: str, field: str, items: str, **variables: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in range(MAX_PAGES):
        result = run(client, query, {**variables, "start": page * PAGE, "count": PAGE}, field)
        found = result.get(items)
        if not isinstance(found, list):
            raise ValueError(f"{field}: malformed body (`{items}` is not a list)")
        out.extend(x for x in found if isinstance(x, dict))
        if not found or len(out) >= int(result.get("total") or 0):
            break
    return out


def _names(assoc: Any, key: str, inner: str) -> tuple[str, ...]:
    return tuple(str((a.get(inner) or {}).get("name", "")) for a in (assoc or {}).get(key) or [])


def _columns(ds: dict[str, Any]) -> tuple[Column, ...]:
    edits = {
        e.get("fieldPath"): e for e in (ds.get("editableSchemaMetadata") or {}).get("editableSchemaFieldInfo") or []
    }
    cols = []
    for f in (ds.get("schemaMetadata") or {}).get("fields") or []:
        edit = edits.get(f.get("fieldPath"), {})
        cols.append(
            Column(
                name=str(f.get("fieldPath", "")).split(".")[-1],
                data_type=str(f.get("nativeDataType") or ""),
                description=str(edit.get("description") or f.get("description") or ""),
                tags=tuple(
                    dict.fromkeys([*_names(f.get("tags"), "tags", "tag"), *_names(edit.get("tags"), "tags", "tag")])
                ),
                glossary_terms=tuple(
                    dict.fromkeys(
                        [
                            *_names(f.get("glossaryTerms"), "terms", "term"),
                            *_names(edit.get("glossaryTerms"), "terms", "term"),
                        ]
                    )
                ),
            )
        )
    return tuple(cols)


def _table(ds: dict[str, Any], ui: str) -> Table:
    owners = [(o.get("owner") or {}) for o in (ds.get("ownership") or {}).get("owners") or []]
    props, edited = ds.get("properties") or {}, ds.get("editableProperties") or {}
    domain = ((ds.get("domain") or {}).get("domain") or {}).get("properties") or {}
    return Table(
        fqn=str(ds.get("name") or props.get("name") or ds.get("urn")),
        url=f"{ui}/dataset/{quote(str(ds.get('urn')), safe='')}",
        description=str(edited.get("description") or props.get("description") or ""),
        owners=tuple(str(o.get("username") or o.get("name")) for o in owners if o.get("username") or o.get("name")),
        tags=_names(ds.get("tags"), "tags", "tag"),
        glossary_terms=_names(ds.get("glossaryTerms"), "terms", "term"),
        domain=str(domain.get("name", "")),
        columns=_columns(ds),
    )


def _policy(raw: dict[str, Any], ui: str) -> Policy:
    criteria = ((raw.get("resources") or {}).get("filter") or {}).get("criteria") or []
    tags = [
        str(v.get("value", "")).removeprefix("urn:li:tag:")
        for c in criteria
        if c.get("field") == "TAG"
        for v in c.get("values") or []
    ]
    return Policy(
        name=str(raw.get("name")),
        url=f"{ui}/settings/permissions/policies",
        effects=("allow",),
        resources=tuple(raw.get("privileges") or []),
        tags=tuple(tags),
    )


def _optional(facts: CatalogFacts, feature: str, read: Any) -> list[dict[str, Any]]:
    try:
        return list(read())
    except Forbidden as exc:
        facts.not_available[feature] = f"no permission or not offered ({exc})"
        return []


def _entities(client: DataHubClient, facts: CatalogFacts, kind: str, feature: str) -> list[dict[str, Any]]:
    rows = _optional(
        facts, feature, lambda: paged(client, q.ENTITIES, "searchAcrossEntities", "searchResults", types=[kind])
    )
    return [r.get("entity") or {} for r in rows]


def _first_page(client: DataHubClient) -> list[dict[str, Any]]:
    """Datasets, from whichever GraphQL endpoint answers (feature detection)."""
    for endpoint in ENDPOINTS:
        client.endpoint = endpoint
        try:
            return paged(client, q.DATASETS, "searchAcrossEntities", "searchResults")
        except Forbidden:
            continue
    raise RuntimeError(f"{client.base} answers none of {', '.join(ENDPOINTS)}: is it DataHub?")


def collect(url: str, stats: dict[str, int]) -> CatalogFacts:
    client = DataHubClient(url, ("DATAHUB_TOKEN", "DATAHUB_GMS_TOKEN"), stats, "datahub_requests")
    ui = client.base
    facts = CatalogFacts(kind="datahub", base_url=ui, not_available=dict(NOT_IN_DATAHUB))
    rows = _first_page(client)
    datasets = [r.get("entity") or {} for r in rows]
    facts.tables = [_table(d, ui) for d in datasets]
    facts.access_requests = any((d.get("access") or {}).get("roles") for d in datasets)
    for term in _entities(client, facts, "GLOSSARY_TERM", "glossary"):
        name = str((term.get("properties") or {}).get("name") or term.get("name"))
        facts.glossary_terms.append(Named(name, f"{ui}/glossaryTerm/{quote(str(term.get('urn')), safe='')}"))
    for product in _entities(client, facts, "DATA_PRODUCT", "data_products"):
        domain = ((product.get("domain") or {}).get("domain") or {}).get("properties") or {}
        facts.data_products.append(
            Named(
                str((product.get("properties") or {}).get("name")),
                f"{ui}/dataProduct/{quote(str(product.get('urn')), safe='')}",
                str(domain.get("name", "")),
            )
        )
    for domain in _optional(facts, "domains", lambda: paged(client, q.DOMAINS, "listDomains", "domains")):
        facts.domains.append(
            Named(
                str((domain.get("properties") or {}).get("name")),
                f"{ui}/domain/{quote(str(domain.get('urn')), safe='')}",
                count=int((domain.get("entities") or {}).get("total") or 0),
            )
        )
    policies = _optional(facts, "policies", lambda: paged(client, q.POLICIES, "listPolicies", "policies"))
    facts.policies = [_policy(p, ui) for p in policies if p.get("state", "ACTIVE") == "ACTIVE"]
    for model in _entities(client, facts, "MLMODEL", "ml_models")[:MAX_MODELS]:
        name, urn = str(model.get("name") or model.get("urn")), str(model.get("urn"))
        link = f"{ui}/mlModels/{quote(urn, safe='')}"
        facts.ml_models.append(Named(name, link))
        ups = run(client, q.UPSTREAMS, {"urn": urn, "count": PAGE}, "searchAcrossLineage").get("searchResults") or []
        facts.lineage += [Edge(str((u.get("entity") or {}).get("name")), name, "ml_model", link) for u in ups]
    return facts
