"""Unity Catalog (REST API 2.1, the open-source server or Databricks) as a catalog: catalogs, schemas,
tables with owners and comments, table permissions, registered models; on Databricks also the row
filters and column masks that tables carry.

Token: DATABRICKS_TOKEN or UC_TOKEN from the environment. Listings are paged by `page_token` up to
MAX_PAGES; permissions are asked for at most MAX_TABLES tables.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from scanner.collectors.catalogs.http import MAX_PAGES, CatalogClient, Forbidden, expect_dict
from scanner.facts.catalogs import CatalogFacts, Column, Grant, Named, Table

API = "/api/2.1/unity-catalog"
MAX_TABLES = 200
NOT_IN_UC = {
    "classification": "Unity Catalog tags are not exposed by this REST API (information_schema.column_tags)",
    "policies": "Unity Catalog has no tag-based policies in this API",
    "glossary": "Unity Catalog has no glossary",
    "domains": "Unity Catalog has no domains",
    "data_products": "Unity Catalog has no data products",
    "lineage": "lineage is not read from Unity Catalog",
    "ingestion_pipelines": "Unity Catalog has no ingestion pipelines",
    "audit": "system.access.audit needs a SQL warehouse; not read",
    "access_requests": "access request destinations are not read from Unity Catalog",
    "auto_classification": "Unity Catalog has no automated classification in this API",
}
OSS_ONLY = "the open-source Unity Catalog server has no {}; Databricks Unity Catalog has"


def pages(client: CatalogClient, path: str, key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = ""
    for _ in range(MAX_PAGES):
        query = {**params, "max_results": 100, **({"page_token": token} if token else {})}
        body = expect_dict(client.get(f"{API}{path}", query), path)
        found = body.get(key, [])
        if not isinstance(found, list):
            raise ValueError(f"{path}: malformed body (`{key}` is not a list)")
        items.extend(x for x in found if isinstance(x, dict))
        token = str(body.get("next_page_token") or "")
        if not token:
            break
    return items


def _column(raw: dict[str, Any]) -> Column:
    mask = raw.get("mask") or {}
    return Column(
        name=str(raw.get("name", "")),
        data_type=str(raw.get("type_name") or raw.get("type_text") or ""),
        description=str(raw.get("comment") or ""),
        mask=str(mask.get("function_name", "")) if isinstance(mask, dict) else "",
    )


def _table(raw: dict[str, Any], ui: str, grants: tuple[Grant, ...]) -> Table:
    parts = [str(raw.get(k, "")) for k in ("catalog_name", "schema_name", "name")]
    row_filter = raw.get("row_filter") or {}
    return Table(
        fqn=".".join(parts),
        url=f"{ui}/explore/data/{'/'.join(quote(p) for p in parts)}",
        kind=str(raw.get("table_type") or "table").lower(),
        description=str(raw.get("comment") or ""),
        owners=(str(raw["owner"]),) if raw.get("owner") else (),
        columns=tuple(_column(c) for c in raw.get("columns") or []),
        grants=grants,
        row_filter=str(row_filter.get("function_name", "")) if isinstance(row_filter, dict) else "",
    )


def _grants(client: CatalogClient, full_name: str) -> tuple[Grant, ...]:
    body = expect_dict(client.get(f"{API}/permissions/table/{quote(full_name)}"), "permissions")
    return tuple(
        Grant(str(a.get("principal")), tuple(str(p) for p in a.get("privileges") or []))
        for a in body.get("privilege_assignments") or []
        if isinstance(a, dict)
    )


def _is_databricks(client: CatalogClient) -> bool:
    """Databricks' metastore summary carries the cloud and region; the open-source server's does not."""
    try:
        summary = expect_dict(client.get(f"{API}/metastore_summary"), "metastore_summary")
    except Forbidden:
        return False
    return bool(summary.get("cloud") or summary.get("region"))


def collect(url: str, stats: dict[str, int]) -> CatalogFacts:
    base = url.rstrip("/").removesuffix(API)  # the API root pasted instead of the server
    client = CatalogClient(base, ("DATABRICKS_TOKEN", "UC_TOKEN"), stats, "unitycatalog_requests")
    facts = CatalogFacts(kind="unitycatalog", base_url=client.base, not_available=dict(NOT_IN_UC))
    if not _is_databricks(client):
        facts.not_available["row_filters"] = OSS_ONLY.format("row filters")
        facts.not_available["column_masks"] = OSS_ONLY.format("column masks")
    try:
        catalogs = pages(client, "/catalogs", "catalogs", {})
    except Forbidden as exc:
        raise RuntimeError(f"{client.base} does not answer the Unity Catalog API ({exc})") from None
    raw_tables: list[dict[str, Any]] = []
    for cat in catalogs:
        for schema in pages(client, "/schemas", "schemas", {"catalog_name": cat.get("name")}):
            where = {"catalog_name": cat.get("name"), "schema_name": schema.get("name")}
            raw_tables += pages(client, "/tables", "tables", where)
            try:
                models = pages(client, "/models", "registered_models", where)
            except Forbidden as exc:
                facts.not_available["ml_models"] = f"no permission or not offered ({exc})"
                models = []
            facts.ml_models += [
                Named(
                    str(m.get("full_name") or m.get("name")),
                    f"{client.base}/explore/data/models/{quote(str(m.get('full_name')))}",
                )
                for m in models
            ]
    for index, raw in enumerate(raw_tables):
        full = ".".join(str(raw.get(k, "")) for k in ("catalog_name", "schema_name", "name"))
        grants: tuple[Grant, ...] = ()
        if index < MAX_TABLES and "grants" not in facts.not_available:
            try:
                grants = _grants(client, full)
            except Forbidden as exc:
                facts.not_available["grants"] = f"no permission to read table permissions ({exc})"
        facts.tables.append(_table(raw, client.base, grants))
    return facts
