"""Data pipelines in CI: dbt/Databricks bundle/SQLMesh/ADF deploys to staging and to production,
slim CI (state-based dbt selection) and data quality gates (dbt tests, GX checkpoints, soda scan)."""

from __future__ import annotations

from probes.ci._code import scripts_matching
from probes.ci._common import NEEDS, absent, confidence, describe, job_ids, jobs_hit, location, sites, views_of
from probes.ci._deploy import data_deploys
from scanner.facts.ci import commands as cmd
from scanner.model import Finding
from scanner.probekit import hit, probe
from scanner.views import Views


@probe(
    "ci.data.deploy_staging",
    needs=NEEDS,
    summary="CI builds data transformations into a non-production target (dbt --target ci/staging, "
    "databricks bundle deploy -t staging, sqlmesh plan <env>).",
    evidence=("ci_job", "file"),
    remediation="Build data transformations into a CI or staging target on pull requests (dbt --target ci, "
    "databricks bundle deploy -t staging) before they reach production.",
)
def data_deploy_staging(views: Views) -> list[Finding]:
    _, ci = views_of(views)
    found = [d.site for d in data_deploys(ci) if d.stage == "staging"]
    if not found:
        return [absent(views, "ci.data.deploy_staging", "no CI job builds data into a staging or CI target")]
    return [
        jobs_hit(
            views,
            "ci.data.deploy_staging",
            found,
            "build data into a non-production target",
            confidence=confidence(ci, found),
            values={"jobs": job_ids(found)},
        )
    ]


@probe(
    "ci.data.cd_prod",
    needs=NEEDS,
    summary="On push to the default branch CI builds data into production (dbt --target prod, databricks bundle "
    "deploy -t prod, sqlmesh plan prod --auto-apply, ADF publish).",
    evidence=("ci_job", "file"),
    remediation="Deploy data transformations to production from CI on merge to the default branch (dbt build "
    "--target prod, databricks bundle deploy -t prod, sqlmesh plan prod --auto-apply).",
)
def data_cd_prod(views: Views) -> list[Finding]:
    _, ci = views_of(views)
    prod = [d.site for d in data_deploys(ci) if d.stage == "prod"]
    found = [
        s
        for s in prod
        if not ci.is_gated(s.pipeline, s.job, s.step)
        and any(t.automatic and t.covers_default_branch() for t in ci.effective_triggers(s.pipeline, s.job, s.step))
    ]
    if not found:
        why = f"; {len(job_ids(prod))} production data job(s) run only by hand or on other events" if prod else ""
        return [absent(views, "ci.data.cd_prod", f"no CI job builds data into production on merge{why}")]
    return [
        jobs_hit(
            views, "ci.data.cd_prod", found, "build data into production on merge", values={"jobs": job_ids(found)}
        )
    ]


@probe(
    "ci.data.slim_ci",
    needs=NEEDS,
    summary="dbt CI selects only modified models (--defer, --state, state:modified+).",
    evidence=("ci_job", "file"),
    remediation="Build only modified dbt models and their children in CI (state:modified+ with --defer "
    "--state), comparing against production artifacts.",
)
def data_slim_ci(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    found = sites(ci, cmd.SLIM_CI)
    if not found:
        return [absent(views, "ci.data.slim_ci", "no state-based (slim) dbt CI")]
    return [
        hit(
            views,
            "ci.data.slim_ci",
            [location(repo, s) for s in found],
            f"dbt CI runs only modified models: {describe(found)}",
            confidence=confidence(ci, found),
            values={"count": len(job_ids(found))},
        )
    ]


@probe(
    "ci.data.quality_gate",
    needs=NEEDS,
    summary="CI runs data quality checks that can fail the build (dbt test/build, GX checkpoints, soda scan).",
    evidence=("ci_job", "file"),
    remediation="Run data quality checks in CI that can fail the build (dbt test or build, Great Expectations "
    "checkpoints, soda scan).",
)
def data_quality_gate(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    found = [s for s in sites(ci, cmd.DATA_QUALITY) + scripts_matching(ci, repo, "checkpoint") if s.gate]
    if not found:
        return [absent(views, "ci.data.quality_gate", "no data quality gate in CI")]
    return [
        jobs_hit(
            views,
            "ci.data.quality_gate",
            found,
            "run data quality checks",
            confidence=confidence(ci, found),
            values={"jobs": job_ids(found)},
        )
    ]
