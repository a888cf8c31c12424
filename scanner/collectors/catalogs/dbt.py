"""dbt artifacts as a catalog: manifest.json (required), catalog.json and run_results.json (optional).

Reads the artifact schema versions dbt has published (manifest v4-v12: `meta`/`tags` moved under
`config` over time; both places are read). Nothing from the project is executed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.facts.catalogs import CatalogFacts, Column, DataTest, Edge, Grant, Named, Table
from scanner.sources import SourceUnavailable

CLASSIFICATION_KEYS = ("pii", "contains_pii", "sensitive", "sensitivity", "data_classification", "classification")
NOT_CLASSIFIED = {"", "false", "none", "public", "no", "0"}
MASK_KEYS = ("masking_policy", "mask", "column_mask")
OWNER_KEYS = ("owner", "owners", "team")
RELATIONS = ("model", "seed", "snapshot")
NOT_IN_DBT = "dbt artifacts carry no {}"


def find_artifacts(path: Path) -> Path:
    """The folder holding manifest.json: PATH itself, PATH/target, or the folder of a manifest file."""
    if path.is_file() and path.name == "manifest.json":
        return path.parent
    for folder in (path, path / "target"):
        if (folder / "manifest.json").is_file():
            return folder
    raise SourceUnavailable(f"no dbt manifest.json in {path} (nor in {path / 'target'})")


def parse(name: str, text: str | bytes) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{name} is not a JSON object")
    return doc


def _load(path: Path) -> dict[str, Any]:
    return parse(path.name, path.read_bytes())


def _merged(node: dict[str, Any], key: str) -> Any:
    """A node's `meta`/`tags`, from `config` (newer manifests) and the node itself (older ones)."""
    config = node.get("config") or {}
    if key == "tags":
        return tuple(dict.fromkeys([*(node.get("tags") or []), *(config.get("tags") or [])]))
    return {**(node.get("meta") or {}), **(config.get("meta") or {})}


def _classification(meta: dict[str, Any], tags: tuple[str, ...]) -> tuple[str, ...]:
    marks = [f"meta.{k}={meta[k]}" for k in CLASSIFICATION_KEYS if str(meta.get(k, "")).lower() not in NOT_CLASSIFIED]
    return (*tags, *marks)


def _column(raw: dict[str, Any], typed: dict[str, Any]) -> Column:
    meta, tags = _merged(raw, "meta"), _merged(raw, "tags")
    return Column(
        name=str(raw.get("name", "")),
        data_type=str(raw.get("data_type") or typed.get("type") or ""),
        description=str(raw.get("description") or ""),
        tags=_classification(meta, tags),
        mask=next((str(meta[k]) for k in MASK_KEYS if meta.get(k)), ""),
    )


def _owners(meta: dict[str, Any], node: dict[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for key in OWNER_KEYS:
        value = meta.get(key)
        found.extend(str(v) for v in (value if isinstance(value, list) else [value]) if v)
    if node.get("group"):
        found.append(f"group:{node['group']}")
    return tuple(dict.fromkeys(found))


def _grants(config: dict[str, Any]) -> tuple[Grant, ...]:
    by_principal: dict[str, list[str]] = {}
    for privilege, principals in (config.get("grants") or {}).items():
        for principal in principals if isinstance(principals, list) else [principals]:
            by_principal.setdefault(str(principal), []).append(str(privilege))
    return tuple(Grant(p, tuple(privs)) for p, privs in sorted(by_principal.items()))


def _table(uid: str, node: dict[str, Any], typed: dict[str, Any], url: str) -> Table:
    config = node.get("config") or {}
    meta, tags = _merged(node, "meta"), _merged(node, "tags")
    types = {str(k).lower(): v for k, v in (typed.get("columns") or {}).items()}
    columns = {str(k).lower(): v for k, v in (node.get("columns") or {}).items()}
    for name in types:  # columns the warehouse has but the YAML does not document
        columns.setdefault(name, {"name": types[name].get("name", name)})
    contract = config.get("contract") or node.get("contract") or {}
    return Table(
        fqn=".".join(
            str(p) for p in (node.get("database"), node.get("schema"), node.get("alias") or node.get("name")) if p
        ),
        url=f"{url}#!/{node.get('resource_type', 'model')}/{uid}",
        kind=str(node.get("resource_type", "model")),
        description=str(node.get("description") or ""),
        owners=_owners(meta, node),
        tags=_classification(meta, tags),
        columns=tuple(_column({"name": k, **v}, types.get(k, {})) for k, v in sorted(columns.items())),
        grants=_grants(config),
        contract_enforced=bool(isinstance(contract, dict) and contract.get("enforced")),
    )


def _tests(manifest: dict[str, Any], results: dict[str, str], url: str) -> list[DataTest]:
    tests = []
    for uid, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") != "test":
            continue
        kind = (node.get("test_metadata") or {}).get("name") or "singular"
        attached = (node.get("attached_node") or "") or ",".join((node.get("depends_on") or {}).get("nodes") or [])
        severity = str((node.get("config") or {}).get("severity") or "").lower()
        name = str(node.get("name", uid))
        tests.append(DataTest(name, str(kind), attached, severity, results.get(uid, ""), f"{url}#!/test/{uid}"))
    return tests


def collect(path: str) -> CatalogFacts:
    """The artifacts in a folder (PATH, PATH/target, or the folder of PATH=manifest.json)."""
    folder = find_artifacts(Path(path).expanduser())
    docs = {
        n: _load(folder / n) for n in ("manifest.json", "catalog.json", "run_results.json") if (folder / n).is_file()
    }
    return from_documents(docs, folder.resolve().as_uri() + "/")


def from_documents(docs: dict[str, dict[str, Any]], url: str) -> CatalogFacts:
    """Facts from parsed artifacts keyed by file name; `url` is where they can be seen."""
    manifest = docs["manifest.json"]
    if not isinstance(manifest.get("nodes"), dict):
        raise ValueError("manifest.json has no `nodes`: not a dbt manifest")
    typed, runs = docs.get("catalog.json", {}), docs.get("run_results.json", {})
    results = {str(r.get("unique_id")): str(r.get("status")) for r in runs.get("results") or []}
    entities = {**manifest.get("nodes", {}), **manifest.get("sources", {})}
    typed_nodes = {**(typed.get("nodes") or {}), **(typed.get("sources") or {})}
    facts = CatalogFacts(kind="dbt", base_url=url)
    names: dict[str, str] = {}
    for uid, node in sorted(entities.items()):
        if node.get("resource_type") in (*RELATIONS, "source"):
            table = _table(uid, node, typed_nodes.get(uid, {}), url)
            facts.tables.append(table)
            names[uid] = table.fqn
    for uid, node in sorted(entities.items()):
        for parent in (node.get("depends_on") or {}).get("nodes") or []:
            if uid in names and parent in names:
                facts.lineage.append(Edge(names[parent], names[uid]))
    for uid, exposure in sorted((manifest.get("exposures") or {}).items()):
        kind = "ml_model" if exposure.get("type") == "ml" else "exposure"
        target = str(exposure.get("name", uid))
        for parent in (exposure.get("depends_on") or {}).get("nodes") or []:
            if parent in names:
                facts.lineage.append(Edge(names[parent], target, kind, f"{url}#!/exposure/{uid}"))
    facts.tests = _tests(manifest, results, url)
    facts.domains = [
        Named(str(g.get("name", k)), f"{url}#!/group/{k}") for k, g in (manifest.get("groups") or {}).items()
    ]
    for feature in (
        "policies",
        "glossary",
        "data_products",
        "ingestion_pipelines",
        "audit",
        "access_requests",
        "row_filters",
        "auto_classification",
        "ml_models",
    ):
        facts.not_available[feature] = NOT_IN_DBT.format(feature.replace("_", " "))
    if not runs:
        facts.not_available["test_results"] = "no run_results.json beside the manifest"
    return facts
