"""Data-access audit logging and column-level security in IaC.

iac.audit_logging: CloudTrail with data events (management-only trails do not show who read data),
Azure diagnostic settings on data stores, GCP audit configs with DATA_READ/DATA_WRITE, Databricks
audit-log delivery. iac.column_level_security: BigQuery policy tags and data policies, Lake Formation
LF-tags attached to resources, column-scoped Lake Formation permissions.
"""

from __future__ import annotations

import re

from probes.repo._data import grep_code, hit_locs, unavailable_all
from probes.repo.infra_iac import Block, azure_resources, resources, tf_blocks
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

AUDIT, COLUMNS = "iac.audit_logging", "iac.column_level_security"
DATA_STORE_REF = re.compile(
    r"(?m)^[ \t]*target_resource_id\s*=.*(storage|databricks|synapse|mssql|sql_server|data_factory|cosmosdb|"
    r"postgresql|mysql|data_lake|kusto|datalake)",
    re.IGNORECASE,
)
ARM_AUDIT = re.compile(r"StorageRead|StorageWrite|SQLSecurityAuditEvents|unityCatalog", re.IGNORECASE)
POLICY_TAGS = re.compile(r"[\"']?policy_?[Tt]ags[\"']?\s*[:=]")
COLUMN_RESOURCES = (
    "google_data_catalog_policy_tag",
    "google_bigquery_datapolicy_data_policy",
    "aws_lakeformation_resource_lf_tags",
)


def _audit_block(block: Block) -> str | None:
    """Why a Terraform block enables data-access audit logs, or None."""
    if block.type == "aws_cloudtrail":
        if re.search(r"data_resource\s*\{|eventCategory[\s\S]{0,80}Data", block.body):
            return "CloudTrail data events"
        return None
    if block.type == "azurerm_monitor_diagnostic_setting" and DATA_STORE_REF.search(block.body):
        return "diagnostic setting on a data store"
    if block.type.endswith("_iam_audit_config") and re.search(r"DATA_(READ|WRITE)", block.body):
        return "GCP data-access audit config"
    if block.type == "databricks_mws_log_delivery" and "AUDIT_LOGS" in block.body:
        return "Databricks audit-log delivery"
    return None


def audit_logging(index: RepoIndex) -> tuple[list[Location], int]:
    """Audit-log locations, and the number of management-only CloudTrail trails."""
    blocks = [b for b in tf_blocks(index) if b.kind == "resource" and b.enabled]
    locs = [index.location(b.path, b.line, why) for b in blocks if (why := _audit_block(b))]
    trails = sum(1 for b in blocks if b.type == "aws_cloudtrail" and not _audit_block(b))
    locs += [
        index.location(r.path, r.line, r.type)
        for r in azure_resources(index)
        if r.type.lower() == "microsoft.insights/diagnosticsettings" and ARM_AUDIT.search(r.body)
    ]
    return locs, trails


def column_security(index: RepoIndex) -> list[Location]:
    blocks = tf_blocks(index)
    locs = [
        index.location(b.path, b.line, f'resource "{b.type}" "{b.name}"') for b in resources(blocks, *COLUMN_RESOURCES)
    ]
    locs += [
        index.location(b.path, b.line, "Lake Formation column permissions")
        for b in resources(blocks, "aws_lakeformation_permissions")
        if "table_with_columns" in b.body
    ]
    locs += [
        index.location(b.path, b.line_at(m.start()), "BigQuery policy tags")
        for b in blocks
        if b.kind == "resource" and b.enabled and (m := POLICY_TAGS.search(b.body))
    ]
    schemas = [p for p in index.by_suffix(".json", ".yml", ".yaml") if "olicy" in (index.text(p) or "")]
    return locs + hit_locs(index, grep_code(index, POLICY_TAGS, schemas))


@probe(
    "repo.infra.data_security",
    summary="Data-access audit logging and column-level security (policy tags, LF-tags) in IaC.",
    emits=(AUDIT, COLUMNS),
    remediation="Enable data-access audit logs on data stores, and protect sensitive columns with policy tags.",
    evidence=("file",),
)
def data_security(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (AUDIT, COLUMNS))
    audit, trails = audit_logging(index)
    columns = column_security(index)
    no_audit = "No data-access audit logging in IaC"
    return [
        hit(views, AUDIT, audit, f"{len(audit)} data-access audit log configuration(s)", values={"count": len(audit)})
        if audit
        else miss(
            views,
            AUDIT,
            no_audit + (f" ({trails} CloudTrail trail(s) log management events only)" if trails else ""),
            values={"management_only_trails": trails},
        ),
        hit(views, COLUMNS, columns, f"{len(columns)} column-level security setting(s)")
        if columns
        else miss(views, COLUMNS, "No column-level security (policy tags, LF-tags) in IaC"),
    ]
