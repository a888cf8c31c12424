"""Where data transformations run: environment targets and analytical warehouses.

repo.env_targets: dbt `profiles.yml` outputs, Databricks bundle `targets:`, SQLMesh `gateways:` or
per-environment ADF/Synapse parameter files, with at least two environments one of which is a staging
replica (staging, uat, ci, preprod, qa, test, or a per-branch/PR one). dev + prod alone is not a staging replica.
repo.warehouse_target: dbt outputs or SQLMesh gateways of a warehouse type, or warehouse IaC.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from probes.repo._data import is_placeholder, unavailable_all, yaml_docs
from probes.repo.infra_iac import azure_resources, resources, tf_blocks
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

ENV, WAREHOUSE = "repo.env_targets", "repo.warehouse_target"
# a staging or CI replica; `branch`/`pr`/`preview`: the per-branch replica that branch deployments build
STAGING = re.compile(
    r"^(stag\w*|stg|uat|ci|pre-?prod\w*|qa|test\w*|acc\w*|int\w*|branch\w*|pr|preview)$", re.IGNORECASE
)
WAREHOUSES = frozenset({"snowflake", "bigquery", "databricks", "redshift", "synapse", "fabric", "postgres"})
WAREHOUSE_IAC = (
    "snowflake_database",
    "snowflake_warehouse",
    "google_bigquery_dataset",
    "databricks_sql_endpoint",
    "aws_redshift_cluster",
    "aws_redshiftserverless_workgroup",
    "azurerm_synapse_workspace",
    "azurerm_synapse_sql_pool",
)
WAREHOUSE_ARM = ("microsoft.synapse/workspaces", "microsoft.fabric/capacities")
PARAM_FILE = re.compile(r"(?:^|[._-])(dev|development|test|qa|uat|stag\w*|preprod|prod\w*)\.json$", re.IGNORECASE)


def env_sets(index: RepoIndex) -> list[tuple[str, str, int | None, list[str]]]:
    """(tool, path, line, environment names) for each place that lists environments."""
    out: list[tuple[str, str, int | None, list[str]]] = []
    for path, doc in yaml_docs(index, index.by_name("profiles.yml", "profiles.yaml")):
        for name, profile in doc.data.items():
            outputs = profile.get("outputs") if isinstance(profile, dict) else None
            if isinstance(outputs, dict) and outputs:
                out.append(("dbt", path, doc.line((name, "outputs")), list(outputs)))
    for path, doc in yaml_docs(index, index.by_name("databricks.yml", "databricks.yaml")):
        targets = doc.data.get("targets") or doc.data.get("environments")
        if isinstance(targets, dict) and targets:
            out.append(("databricks bundle", path, doc.line(("targets",)), list(targets)))
    for path, doc in yaml_docs(index, index.by_name("config.yaml", "config.yml")):
        gateways = doc.data.get("gateways")
        if isinstance(gateways, dict) and len(gateways) >= 2:
            out.append(("sqlmesh", path, doc.line(("gateways",)), list(gateways)))
    params: dict[str, list[str]] = {}
    for path in index.by_suffix(".json"):
        m = PARAM_FILE.search(PurePosixPath(path).name)
        if m and re.search(r'"(factoryName|workspaceName)"', index.text(path) or ""):
            params.setdefault(str(PurePosixPath(path).parent), []).append(m.group(1))
    for folder, names in sorted(params.items()):
        out.append(("adf/synapse parameters", folder, None, names))
    return out


def warehouses(index: RepoIndex) -> tuple[list[Location], set[str], set[str]]:
    """Locations of warehouse targets, their types, and non-warehouse (local) types seen."""
    locs: list[Location] = []
    types: set[str] = set()
    local: set[str] = set()

    def add_output(path: str, line: int | None, cfg: Any) -> None:
        kind = str(cfg.get("type", "")).lower() if isinstance(cfg, dict) else ""
        if not kind or is_placeholder(kind):
            return
        if kind in WAREHOUSES:
            types.add(kind)
            locs.append(index.location(path, line, f"type: {kind}"))
        else:
            local.add(kind)

    for path, doc in yaml_docs(index, index.by_name("profiles.yml", "profiles.yaml")):
        for name, profile in doc.data.items():
            outputs = profile.get("outputs") if isinstance(profile, dict) else None
            for target, cfg in (outputs or {}).items() if isinstance(outputs, dict) else ():
                add_output(path, doc.line((name, "outputs", target, "type")), cfg)
    for path, doc in yaml_docs(index, index.by_name("config.yaml", "config.yml")):
        gateways = doc.data.get("gateways")
        for gw, cfg in gateways.items() if isinstance(gateways, dict) else ():
            conn = cfg.get("connection") if isinstance(cfg, dict) else None
            add_output(path, doc.line(("gateways", gw, "connection", "type")), conn)
    for block in resources(tf_blocks(index), *WAREHOUSE_IAC):
        types.add(block.type)
        locs.append(index.location(block.path, block.line, f'resource "{block.type}" "{block.name}"'))
    for res in azure_resources(index):
        if res.type.lower() in WAREHOUSE_ARM:
            types.add(res.type)
            locs.append(index.location(res.path, res.line, res.type))
    return locs, types, local


@probe(
    "repo.data.targets",
    summary="Environment targets with a staging replica for data transformations, and analytical warehouse targets.",
    emits=(ENV, WAREHOUSE),
    remediation="Give transformations a staging/CI target next to prod, and run them against a shared warehouse.",
    evidence=("file",),
)
def targets(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (ENV, WAREHOUSE))
    sets = env_sets(index)
    staged = [
        (tool, p, ln, names) for tool, p, ln, names in sets if len(names) >= 2 and any(STAGING.match(n) for n in names)
    ]
    listed = {f"{tool} {p}": names for tool, p, _, names in sets}
    if staged:
        locs = [index.location(p, ln, f"{tool}: {', '.join(names)}") for tool, p, ln, names in staged]
        envs = sorted({n for *_, names in staged for n in names})
        out = [
            hit(
                views,
                ENV,
                locs,
                f"Environment targets with a staging replica: {', '.join(envs)}",
                values={"count": len(staged), "targets": listed},
            )
        ]
    else:
        why = "No environment targets with a staging/CI replica"
        if sets:
            why += " (found only: " + "; ".join(f"{t}: {', '.join(n)}" for t, _, _, n in sets) + ")"
        out = [miss(views, ENV, why, values={"targets": listed})]
    locs, types, local = warehouses(index)
    if locs:
        out.append(
            hit(
                views,
                WAREHOUSE,
                locs,
                f"Warehouse targets: {', '.join(sorted(types))}",
                values={"count": len(locs), "types": sorted(types)},
            )
        )
    else:
        why = "No warehouse target (dbt/SQLMesh connection or warehouse IaC)"
        why += f"; only local/other targets: {', '.join(sorted(local))}" if local else ""
        out.append(miss(views, WAREHOUSE, why, values={"other_types": sorted(local)}))
    return out
