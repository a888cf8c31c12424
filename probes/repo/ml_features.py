"""Model inputs: I/O contracts shared by pipeline and app, catalog-qualified training data, feature stores."""

from __future__ import annotations

import re

from probes.repo._ml import (
    CODE,
    code_files,
    confidence_for,
    facts,
    loc,
    local_imports,
    repo_of,
    route_decorators,
    training_files,
    uses_ml,
)
from probes.repo.ml_manifests import yaml_docs
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe, verdict
from scanner.views import Views

THREE_PART = re.compile(r"^`?[A-Za-z_][\w-]*`?\.`?[A-Za-z_]\w*`?\.`?[A-Za-z_]\w*`?$")
FILE_SUFFIX = re.compile(r"\.(csv|tsv|parquet|json|jsonl|txt|gz|zip|pkl|xlsx|yaml|yml|py|db|sqlite|avro|orc)$", re.I)
TABLE_READS = ("table", "read_table", "forName", "read.table")
FEATURE_STORES = {
    "databricks.feature_engineering": "Databricks Feature Engineering",
    "databricks.feature_store": "Databricks Feature Store",
    "sagemaker.feature_store": "SageMaker Feature Store",
    "google.cloud.aiplatform.Featurestore": "Vertex Feature Store",
    "google.cloud.aiplatform.FeatureOnlineStore": "Vertex Feature Store",
    "google.cloud.aiplatform.featurestore": "Vertex Feature Store",
    "tecton": "Tecton",
    "hopsworks": "Hopsworks",
    "hsfs": "Hopsworks",
    "feast.FeatureStore": "Feast",
}
FEAST_SCAFFOLD = ("driver_hourly_stats", "driver_stats_fv", "driver_activity")


def _pydantic_contracts(index: RepoIndex) -> list[Location]:
    """Pydantic models imported by both ML code (training/scoring) and app code (web routes)."""
    files = code_files(index, notebooks=False)
    models = {
        p
        for p in files
        if any(b.endswith("BaseModel") and "pydantic" in b for _, bases, _ in facts(index, p).classes for b in bases)
    }
    training = {t.path for t in training_files(index)}
    out = []
    for model in sorted(models):
        users = [p for p in files if model in local_imports(index, facts(index, p))]
        ml = any(p in training or uses_ml(facts(index, p)) for p in users)
        app = any(route_decorators(facts(index, p)) for p in users)
        if ml and app:
            out.append(loc(index, model, min(line for _, _, line in facts(index, model).classes)))
    return out


@probe(
    "repo.io_contracts",
    summary="Model input/output contracts: data contracts (datacontract.yaml, ODCS), MLflow "
    "signatures, request schemas shared by pipeline and app, Feast online features at serving",
    evidence=("file",),
    remediation="Declare the model's input and output contract once (MLflow signature, a data contract, a "
    "request schema shared by pipeline and app) and validate against it.",
)
def io_contracts(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites: list[Location] = []
    kinds: set[str] = set()
    for d in yaml_docs(index):
        if "dataContractSpecification" in d.data or (d.kind == "DataContract" and d.api.startswith("v3")):
            sites.append(loc(index, d.path, 1))
            kinds.add("data contract")
    for path in code_files(index):
        f = facts(index, path)
        calls = f.calls_to("mlflow.models.infer_signature", "mlflow.models.ModelSignature")
        calls += [c for c in f.calls_under("mlflow") if c.name.endswith("log_model") and "signature" in c.kwargs]
        if calls:
            sites.append(loc(index, path, calls[0].line))
            kinds.add("MLflow model signature")
        online = f.calls_to("get_online_features")
        if online and f.imported("feast") is not None:
            sites.append(loc(index, path, online[0].line))
            kinds.add("Feast online features")
    shared = _pydantic_contracts(index)
    sites += shared
    kinds |= {"schema shared by ML and app code"} if shared else set()
    if not sites:
        return [miss(views, "repo.io_contracts", "no model I/O contract (data contract, signature, shared schema)")]
    return [
        hit(
            views,
            "repo.io_contracts",
            sites,
            f"model I/O contracts: {', '.join(sorted(kinds))}",
            confidence=confidence_for(s.path or "" for s in sites),
            values={"kinds": sorted(kinds)},
        )
    ]


@probe(
    "code.catalog_dataset_refs",
    summary="Training reads catalog-qualified tables (catalog.schema.table) or logs "
    "dataset inputs with mlflow.data + log_input",
    evidence=("file",),
    remediation="Read training data through catalog-qualified tables (catalog.schema.table) or log the datasets "
    "a run used with mlflow.data and mlflow.log_input.",
)
def catalog_dataset_refs(views: Views) -> list[Finding]:
    index = repo_of(views)
    training = {t.path for t in training_files(index)}
    training |= {m for p in training for m in local_imports(index, facts(index, p))}  # data loaders they import
    sites: list[Location] = []
    for path in code_files(index):
        f = facts(index, path)
        logged = f.calls_to("mlflow.log_input")
        datasets = f.calls_under("mlflow.data")
        if logged and datasets:
            sites.append(loc(index, path, logged[0].line))
        if path not in training:
            continue
        reads = [
            c
            for c in f.calls
            if c.name.rsplit(".", 1)[-1] in TABLE_READS
            and "." in c.name
            and any(THREE_PART.match(s) and not FILE_SUFFIX.search(s) for s in c.str_args)
        ]
        sites += [loc(index, path, c.line) for c in reads[:1]]
        sites += [loc(index, path, line) for line, s in f.strings if s.startswith("urn:li:dataset:")][:1]
    return [
        verdict(
            views,
            "code.catalog_dataset_refs",
            sites,
            f"training in {len({s.path for s in sites})} files reads catalog tables or logs dataset inputs",
            "training reads no catalog-qualified dataset",
            confidence=confidence_for(s.path or "" for s in sites),
        )
    ]


@probe(
    "repo.feast",
    summary="Feast feature repo: feature_store.yaml plus FeatureView/Entity definitions "
    "(and get_historical_features for training)",
    evidence=("file",),
    remediation="Define features in a Feast feature repo (feature_store.yaml with Entities and FeatureViews) "
    "and build training sets with get_historical_features.",
)
def feast(views: Views) -> list[Finding]:
    index = repo_of(views)
    configs = []
    for path in index.paths("feature_store.yaml", "**/feature_store.yaml", kinds=CODE):
        data = index.yaml_data(path)
        if (
            isinstance(data, dict)
            and "project" in data
            and "registry" in data
            and ("provider" in data or "online_store" in data)
        ):
            configs.append(path)
    definitions, historical, scaffold = [], [], 0
    for path in code_files(index):
        f = facts(index, path)
        defs = f.calls_to("feast.FeatureView", "feast.Entity", "feast.FeatureService", "feast.BatchFeatureView")
        if defs and any(s in FEAST_SCAFFOLD for c in defs for s in c.str_args):
            scaffold += 1
        elif defs:
            definitions.append(loc(index, path, defs[0].line))
        historical += [loc(index, path, c.line) for c in f.calls_to("get_historical_features")][:1]
    values = {
        "configs": len(configs),
        "definitions": len(definitions),
        "training_reads": len(historical),
        "scaffold_files": scaffold,
    }
    if configs and definitions:
        conf = "medium" if historical else "low"
        msg = f"Feast repo: {len(definitions)} definition files" + (
            ", training reads historical features" if historical else ", no training read"
        )
        locs = [loc(index, p) for p in configs] + definitions + historical
        return [hit(views, "repo.feast", locs, msg, confidence=conf, values=values)]
    why = " (only the `feast init` scaffold)" if scaffold else ""
    return [miss(views, "repo.feast", f"no Feast feature repo with own definitions{why}", values=values)]


@probe(
    "code.feature_store_client",
    summary="Feature store clients in use (Databricks, SageMaker, Vertex, Tecton, Hopsworks, Feast FeatureStore)",
    evidence=("file",),
    remediation="Serve training and inference features from a feature store (Feast, Databricks, SageMaker, "
    "Vertex AI) through its client rather than ad-hoc queries.",
)
def feature_store_client(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites: list[Location] = []
    stores: set[str] = set()
    for path in code_files(index):
        calls = facts(index, path).calls_under(*FEATURE_STORES)
        if calls:
            sites.append(loc(index, path, calls[0].line))
            stores |= {v for k, v in FEATURE_STORES.items() for c in calls if c.name.startswith(k)}
    return [
        verdict(
            views,
            "code.feature_store_client",
            sites,
            f"feature store clients: {', '.join(sorted(stores))}",
            "no feature store client calls",
            confidence=confidence_for(s.path or "" for s in sites),
            values={"stores": sorted(stores)},
        )
    ]
