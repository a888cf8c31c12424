"""Deploy triggers: does CI deploy a model, and does a deploy run on merge, on release, or only by hand?

A deploy is a command that ships a model or an app (az ml online-deployment, kubectl/helm, SageMaker,
Cloud Run, terraform apply, ...); documentation sites are not deploys. "Automatic" means reachable by
push/PR/schedule/tag/release/external events with no manual gate on the way (GitLab `when: manual`,
CircleCI approval, Jenkins `input`, Azure ManualValidation). Environments' required reviewers live in
the platform, not the YAML, so they cannot be seen here.
"""

from __future__ import annotations

from probes.ci._common import NEEDS, absent, describe, location, sites, trigger_kinds, views_of
from probes.ci._deploy import Deploy, data_deploys, deploys, one_per_job, summary
from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import RELEASE, TAG
from scanner.model import Finding
from scanner.probekit import hit, probe
from scanner.views import Views


@probe(
    "ci.model_deploy_job",
    needs=NEEDS,
    summary="A CI job deploys a model (Azure ML, SageMaker, MLflow, Vertex AI, KServe/Seldon, SDK scripts).",
    evidence=("ci_job", "file"),
    remediation="Deploy models from a CI job (Azure ML, SageMaker, MLflow, Vertex AI, KServe or Seldon) rather "
    "than from a workstation.",
)
def model_deploy_job(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    found = [d for d in deploys(repo, ci) if d.model]
    if not found:
        return [
            absent(
                views,
                "ci.model_deploy_job",
                "no CI job deploys a model",
                values={"app_deploys": len(one_per_job(deploys(repo, ci)))},
            )
        ]
    auto = [d for d in found if ci.is_automatic(d.site.pipeline, d.site.job, d.site.step)]
    how = "automatically" if auto else "only when started by hand"
    return [
        hit(
            views,
            "ci.model_deploy_job",
            [location(repo, d.site) for d in found],
            f"{len(one_per_job(found))} CI job(s) deploy a model {how}: {describe(d.site for d in found)}",
            confidence="medium" if auto else "low",
            values={**summary(found), "automatic": bool(auto), "triggers": trigger_kinds(ci, [d.site for d in found])},
        )
    ]


@probe(
    "ci.deploy_on_merge",
    needs=NEEDS,
    summary="A production (or unnamed) deploy runs on push to the default branch with no manual gate.",
    evidence=("ci_job", "file"),
    remediation="Deploy automatically when changes merge to the default branch, after the tests pass.",
)
def deploy_on_merge(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    all_deploys = deploys(repo, ci)
    on_merge = [d for d in all_deploys if _on_default_branch(views, d)]
    chained = _release_chain(views, [d for d in all_deploys if d not in on_merge])
    on_merge += chained
    found = [d for d in on_merge if d.prod_or_unnamed]
    if not found:
        staged = len(one_per_job(on_merge))
        why = f"; {staged} deploy job(s) on merge target non-production environments only" if staged else ""
        return [
            absent(
                views,
                "ci.deploy_on_merge",
                f"no deploy runs automatically on merge to the default branch{why}",
                values={"deploy_jobs": len(one_per_job(all_deploys)), "non_prod_on_merge": staged},
            )
        ]
    return [
        hit(
            views,
            "ci.deploy_on_merge",
            [location(repo, d.site) for d in found],
            f"{len(one_per_job(found))} deploy job(s) run on push to the default branch: "
            f"{describe(d.site for d in found)}",
            values={**summary(found), "via_release": len(one_per_job([d for d in found if d in chained]))},
        )
    ]


def _on_default_branch(views: Views, d: Deploy) -> bool:
    _, ci = views_of(views)
    if ci.is_gated(d.site.pipeline, d.site.job, d.site.step):
        return False
    triggers = ci.effective_triggers(d.site.pipeline, d.site.job, d.site.step)
    return any(t.automatic and t.covers_default_branch() for t in triggers)


def _release_chain(views: Views, candidates: list[Deploy]) -> list[Deploy]:
    """Deploys started by a release or a tag that CI itself cuts on every merge: release tooling
    (semantic-release, a release workflow, ...) runs automatically on the default branch (directly or
    after the CI workflow succeeds there), and the release/tag it creates starts the deploy."""
    _, ci = views_of(views)
    on_release = [
        d
        for d in candidates
        if not ci.is_gated(d.site.pipeline, d.site.job, d.site.step)
        and any(
            t.kind in (TAG, RELEASE) and t.automatic
            for t in ci.effective_triggers(d.site.pipeline, d.site.job, d.site.step)
        )
    ]
    if not on_release:
        return []
    cuts = [
        s
        for s in sites(ci, cmd.RELEASE)
        if s.gate
        and not ci.is_gated(s.pipeline, s.job, s.step)
        and any(t.automatic and t.covers_default_branch() for t in ci.effective_triggers(s.pipeline, s.job, s.step))
    ]
    return on_release if cuts else []


@probe(
    "ci.deploy_on_release",
    needs=NEEDS,
    summary="A deploy runs on a release or a version tag (on: release, push tags, $CI_COMMIT_TAG, ...).",
    evidence=("ci_job", "file"),
    remediation="Deploy from CI when a release is published or a version tag is pushed.",
)
def deploy_on_release(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    found = []
    for d in deploys(repo, ci):
        if ci.is_gated(d.site.pipeline, d.site.job, d.site.step):
            continue
        if any(
            t.kind in (TAG, RELEASE) and t.automatic
            for t in ci.effective_triggers(d.site.pipeline, d.site.job, d.site.step)
        ):
            found.append(d)
    if not found:
        return [absent(views, "ci.deploy_on_release", "no deploy is triggered by a release or a tag")]
    return [
        hit(
            views,
            "ci.deploy_on_release",
            [location(repo, d.site) for d in found],
            f"{len(one_per_job(found))} deploy job(s) run on release/tag: {describe(d.site for d in found)}",
            values=summary(found),
        )
    ]


@probe(
    "ci.deploy_manual_only",
    needs=NEEDS,
    summary="Production deploys can only be started by a person (workflow_dispatch, when: manual, input, "
    "approval), with no automatic path.",
    evidence=("ci_job", "file"),
    remediation="Add an automatic path to production (deploy on merge or on release, with tests and gates), "
    "keeping manual approval as a gate rather than the only trigger.",
)
def deploy_manual_only(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    all_deploys = deploys(repo, ci) + [d for d in data_deploys(ci) if d.stage == "prod"]
    if not all_deploys:
        return [absent(views, "ci.deploy_manual_only", "no deploy job in CI, manual or automatic")]
    prod = [d for d in all_deploys if d.stage == "prod"] or all_deploys
    auto = [d for d in prod if ci.is_automatic(d.site.pipeline, d.site.job, d.site.step)]
    manual = [d for d in prod if ci.is_manual_only(d.site.pipeline, d.site.job, d.site.step)]
    scope = "production " if prod is not all_deploys else ""
    if auto or not manual:
        reason = (
            f"{len(one_per_job(auto))} {scope}deploy job(s) run automatically: {describe(d.site for d in auto)}"
            if auto
            else "deploy triggers are neither manual nor automatic"
        )
        return [absent(views, "ci.deploy_manual_only", reason, values={"automatic": len(one_per_job(auto))})]
    return [
        hit(
            views,
            "ci.deploy_manual_only",
            [location(repo, d.site) for d in manual],
            f"{len(one_per_job(manual))} {scope}deploy job(s) run only when started or approved by a person: "
            f"{describe(d.site for d in manual)}",
            values=summary(manual),
        )
    ]
