"""Data gathering from a catalog: lineage into ML models, data products, ML models in the catalog
(Data Gathering, Experiment Tracking in docs/model.md)."""

from __future__ import annotations

from scanner.model import Finding, Location
from scanner.probekit import need, probe, verdict
from scanner.views import Views

from ._common import facts, names

LINEAGE = "catalog.lineage.table_to_model"
PRODUCTS = "catalog.data_products"
MLFLOW = "catalog.mlflow_ingested"


@probe(
    "catalog.ml_lineage",
    summary="catalog lineage from tables into ML models, data products across domains, ML models catalogued",
    emits=(LINEAGE, PRODUCTS, MLFLOW),
    needs=("catalog",),
    evidence=("catalog_object",),
    remediation="Ingest ML models into the catalog with lineage from their training tables, and publish data "
    "products across domains.",
)
def ml_lineage(views: Views) -> list[Finding]:
    cat = facts(views)
    out: list[Finding] = []
    if gaps := need(views, [LINEAGE], cat, "lineage"):
        out += gaps
    else:
        edges = [e for e in cat.lineage if e.downstream_kind == "ml_model"]
        out.append(
            verdict(
                views,
                LINEAGE,
                [Location(object=f"{e.upstream} -> {e.downstream}", url=e.url or None) for e in edges],
                f"{len(edges)} lineage edge(s) into ML models: "
                + names(f"{e.upstream} -> {e.downstream}" for e in edges),
                "no lineage edge reaches an ML model",
            )
        )
    if gaps := need(views, [PRODUCTS], cat, "data_products"):
        out += gaps
    else:
        domains = {p.parent for p in cat.data_products if p.parent}
        out.append(
            verdict(
                views,
                PRODUCTS,
                [p.location("data product") for p in cat.data_products] if len(domains) >= 2 else [],
                f"{len(cat.data_products)} data product(s) in {len(domains)} domains: "
                + names(p.name for p in cat.data_products),
                f"{len(cat.data_products)} data product(s) in {len(domains)} domain(s) (needs 2 or more)",
            )
        )
    if gaps := need(views, [MLFLOW], cat, "ml_models"):
        out += gaps
    else:
        out.append(
            verdict(
                views,
                MLFLOW,
                [m.location("ML model") for m in cat.ml_models],
                f"{len(cat.ml_models)} ML model(s) catalogued: {names(m.name for m in cat.ml_models)}",
                "no ML model is catalogued",
            )
        )
    return out
