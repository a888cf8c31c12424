"""Infrastructure as code in CI: plan on pull requests and apply on merge, cost estimates, and access
grants applied from version control."""

from __future__ import annotations

import posixpath
import re

from probes.ci._common import NEEDS, Site, absent, confidence, describe, job_ids, jobs_hit, location, sites, views_of
from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import PULL_REQUEST, CIModel
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import hit, probe
from scanner.views import Views

ACCESS_WORDS = re.compile(
    r"(?<![a-z])(access|grants?|iam|rbac|permissions?|roles?|acls?|entitlements?|identity)"
    r"(?![a-z])",
    re.IGNORECASE,
)
GRANT_RESOURCE = re.compile(
    r'resource\s+"\w*(grant|role_assignment|iam_member|iam_binding|iam_policy|permissions'
    r'|access_policy|role_binding)\w*"'
)
_CHDIR = re.compile(r"-chdir=(\S+)|--working-dir(?:ectory)?[= ](\S+)|\bcd\s+(\S+)")


@probe(
    "ci.iac.plan_apply",
    needs=NEEDS,
    summary="IaC is planned on pull requests and applied on merge (terraform/tofu/pulumi/ARM what-if/helm diff), "
    "or run by Atlantis.",
    evidence=("ci_job", "file"),
    remediation="Plan infrastructure changes on pull requests and apply them on merge (terraform or tofu "
    "plan/apply, pulumi preview/up, Atlantis).",
)
def iac_plan_apply(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    plans = [s for s in sites(ci, cmd.IAC_PLAN) if _on_pr(ci, s)]
    applies = [s for s in sites(ci, cmd.IAC_APPLY) if _on_merge(ci, s)]
    paired = {s.hit.target for s in plans} & {s.hit.target for s in applies}
    if paired:
        found = [s for s in plans + applies if s.hit.target in paired]
        return [
            hit(
                views,
                "ci.iac.plan_apply",
                [location(repo, s) for s in found],
                f"IaC planned on pull requests and applied on merge ({', '.join(sorted(paired))}): {describe(found)}",
                values={"count": len(job_ids(found)), "tools": sorted(paired)},
            )
        ]
    atlantis = repo.paths("atlantis.yaml", "atlantis.yml")
    if atlantis:
        return [
            hit(
                views,
                "ci.iac.plan_apply",
                [repo.location(p, 1) for p in atlantis],
                "Atlantis plans pull requests and applies on merge",
                values={"tools": ["atlantis"]},
            )
        ]
    other = [s for s in sites(ci, cmd.IAC_APPLY) if s.hit.target != "helm"]
    if other:
        return [
            hit(
                views,
                "ci.iac.plan_apply",
                [location(repo, s) for s in other],
                f"IaC is applied from CI, without a plan on pull requests plus apply on merge: {describe(other)}",
                confidence="low",
                values={"count": len(job_ids(other)), "paired": False},
            )
        ]
    return [absent(views, "ci.iac.plan_apply", "no IaC plan/apply in CI")]


def _on_pr(ci: CIModel, site: Site) -> bool:
    triggers = ci.effective_triggers(site.pipeline, site.job, site.step)
    return any(t.kind == PULL_REQUEST and t.automatic for t in triggers)


def _on_merge(ci: CIModel, site: Site) -> bool:
    if ci.is_gated(site.pipeline, site.job, site.step):
        return False
    return any(
        t.automatic and t.covers_default_branch() for t in ci.effective_triggers(site.pipeline, site.job, site.step)
    )


@probe(
    "ci.cost_estimation",
    needs=NEEDS,
    summary="CI estimates infrastructure cost changes (infracost).",
    evidence=("ci_job", "file"),
    remediation="Run a cost estimate (infracost) on infrastructure pull requests, so that reviewers see the "
    "cost change.",
)
def cost_estimation(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    found = sites(ci, cmd.COST)
    if not found:
        return [absent(views, "ci.cost_estimation", "no cost estimation (infracost) in CI")]
    return [
        hit(
            views,
            "ci.cost_estimation",
            [location(repo, s) for s in found],
            f"CI estimates infrastructure cost: {describe(found)}",
            confidence=confidence(ci, found),
            values={"count": len(job_ids(found))},
        )
    ]


@probe(
    "ci.access_provisioning_automated",
    needs=NEEDS,
    summary="Access-as-code (grants, role assignments) is applied by CI on merge.",
    evidence=("ci_job", "file"),
    remediation="Keep grants and role assignments as code and let CI apply them on merge (terraform apply, dbt "
    "grants, a provisioning job).",
)
def access_provisioning_automated(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    named, inferred = [], []
    for site in sites(ci, cmd.IAC_APPLY):
        if site.hit.target == "helm" or not _on_merge(ci, site):
            continue
        if _names_access(ci, site):
            named.append(site)
        elif _applies_grants(repo, site):
            inferred.append(site)
    found = named or inferred
    if not found:
        return [absent(views, "ci.access_provisioning_automated", "no CI job applies access grants on merge")]
    how = "access paths" if named else "a folder whose IaC declares grants/role assignments"
    return [
        jobs_hit(
            views,
            "ci.access_provisioning_automated",
            found,
            f"apply {how} on merge",
            confidence="medium" if named else "low",
        )
    ]


def _names_access(ci: CIModel, site: Site) -> bool:
    texts = [site.hit.text, site.step.working_directory, site.job.id, site.job.name, site.step.name]
    texts += [p for t in ci.effective_triggers(site.pipeline, site.job, site.step) for p in t.paths]
    return any(ACCESS_WORDS.search(t) for t in texts if t)


def _applies_grants(repo: RepoIndex, site: Site) -> bool:
    m = _CHDIR.search(site.hit.text)
    folder = next((g for g in m.groups() if g), "") if m else ""
    folder = (
        posixpath.normpath(posixpath.join(site.step.working_directory, folder))
        if folder
        else site.step.working_directory
    )
    pattern = f"{folder.strip('./')}/*.tf" if folder.strip("./") else "*.tf"
    return any(GRANT_RESOURCE.search(repo.text(p) or "") for p in repo.paths(pattern))
