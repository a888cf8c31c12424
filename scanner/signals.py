"""Signals observed by sources other than the repository itself (signals-reference §7.6-7.8, §7.10).

Rules may cite them before any probe for their source is installed or selected. When no finding of
such a signal exists for a scope, the engine reports the criterion as unknown and names the source
that would settle it, never as unmet.
"""

from __future__ import annotations

SOURCE_HINTS: dict[str, str] = {
    "github": "needs the GitHub API: scan github:ORG or github:ORG/REPO",
    "mlflow": "needs an MLflow tracking server: --mlflow URI",
    "catalog": "needs a data catalog: --catalog KIND=URL",
}

EXTERNAL_SIGNALS: dict[str, str] = {
    "gh.branch_protection.none": "github",
    "gh.branch_protection.reviews_required": "github",
    "gh.check_runs.release_commits": "github",
    "gh.deploy_frequency": "github",
    "gh.deployments.bot_created": "github",
    "gh.deployments.count": "github",
    "gh.environments.required_reviewers": "github",
    "gh.environments.used": "github",
    "gh.gated_sme_merges": "github",
    "gh.prs.bot_model_bumps": "github",
    "gh.release_cadence_regular": "github",
    "gh.releases.bot_created": "github",
    "gh.releases.by_role": "github",
    "gh.releases.count": "github",
    "gh.releases.manual": "github",
    "gh.releases.present": "github",
    "gh.required_checks.ml": "github",
    "gh.se_access_ml_repos": "github",
    "gh.teams.no_de": "github",
    "mlflow.experiments.active": "mlflow",
    "mlflow.experiments.multi_team": "mlflow",
    "mlflow.prompts.aliases": "mlflow",
    "mlflow.prompts.linked_to_runs": "mlflow",
    "mlflow.prompts.versions_by_automation": "mlflow",
    "mlflow.registry.aliases": "mlflow",
    "mlflow.registry.multi_alias_live": "mlflow",
    "mlflow.registry.versions": "mlflow",
    "mlflow.runs.dataset_inputs": "mlflow",
    "mlflow.runs.git_linked": "mlflow",
    "mlflow.runs.job_sourced": "mlflow",
    "mlflow.scorers.active": "mlflow",
    "mlflow.traces.assessments": "mlflow",
    "mlflow.traces.recent": "mlflow",
    "catalog.access_request_workflow": "catalog",
    "catalog.assets.present": "catalog",
    "catalog.audit.enabled": "catalog",
    "catalog.classification.auto_confirmed": "catalog",
    "catalog.classification.present": "catalog",
    "catalog.coverage.ingestion_all_sources": "catalog",
    "catalog.dbt.contracts.enforced": "catalog",
    "catalog.dbt.grants.pii_differentiated": "catalog",
    "catalog.dbt.tests.executed": "catalog",
    "catalog.dbt.tests.relationships": "catalog",
    "catalog.coverage.owners": "catalog",
    "catalog.data_products": "catalog",
    "catalog.domains.defined": "catalog",
    "catalog.entity_key_inconsistency": "catalog",
    "catalog.glossary.absent": "catalog",
    "catalog.glossary.high_coverage": "catalog",
    "catalog.glossary.low_coverage": "catalog",
    "catalog.lineage.table_to_model": "catalog",
    "catalog.masks.coverage": "catalog",
    "catalog.mlflow_ingested": "catalog",
    "catalog.pii.untagged_names": "catalog",
    "catalog.policy.tag_based": "catalog",
    "catalog.uc.billing_by_tag": "catalog",
    "catalog.uc.column_masks": "catalog",
    "catalog.uc.row_filters": "catalog",
    "catalog.uc.table_privileges": "catalog",
    "people.cross_role_reviews": "github",
    "people.de_se.reviews": "github",
    "people.ds_se.reviews": "github",
    "people.handoff_artifacts": "github",
}


def missing_reason(signal: str) -> str:
    source = EXTERNAL_SIGNALS.get(signal)
    if source:
        return f"{signal} not observed: {SOURCE_HINTS[source]}"
    return f"{signal} not observed: no selected probe emits it"
