"""Default-branch protection and environment gates (Release Management in docs/model.md)."""

from __future__ import annotations

from typing import Any

from scanner.model import Finding
from scanner.probekit import hit, miss, need, probe
from scanner.views import Views

from ._common import real_target, recent, repo_loc

PROTECTION = ["gh.branch_protection.none", "gh.branch_protection.reviews_required"]


def _ruleset_reviews(rulesets: list[dict[str, Any]]) -> list[str]:
    names = []
    for rs in rulesets:
        if rs.get("enforcement") != "ACTIVE":
            continue
        for rule in (rs.get("rules") or {}).get("nodes") or []:
            params = rule.get("parameters") or {}
            if rule.get("type") == "PULL_REQUEST" and int(params.get("requiredApprovingReviewCount") or 0) >= 1:
                names.append(rs.get("name") or "ruleset")
    return names


@probe(
    "gh.branch_protection",
    summary="Default branch protected by classic protection or rulesets; pull request reviews required",
    emits=PROTECTION,
    needs=("github", "repo"),
    evidence=("api_object", "file"),
    remediation="Protect the default branch (classic protection or a ruleset) and require pull request reviews "
    "before merging.",
)
def branch_protection(views: Views) -> list[Finding]:
    f = views.github
    if f is None:
        return need(views, PROTECTION, views, "github")
    if gaps := need(views, PROTECTION, f, "defaultBranchRef", "rulesets"):
        return gaps
    active = [r for r in f.rulesets if r.get("enforcement") == "ACTIVE"]
    loc = repo_loc(f, f"branch {f.default_branch} protection", f"{f.url}/settings/branches")
    rule = f.protection or {}
    count = int(rule.get("requiredApprovingReviewCount") or 0) if rule.get("requiresApprovingReviews") else 0
    via_rulesets = _ruleset_reviews(f.rulesets)
    values = {"classic": bool(f.protection), "rulesets": len(active), "required_approvals": count}
    if not f.protection and not active:
        none = hit(views, PROTECTION[0], [loc], f"{f.default_branch}: no branch protection and no active ruleset")
    else:
        none = miss(views, PROTECTION[0], f"{f.default_branch} is protected", values=values, locations=[loc])
    if count >= 1 or via_rulesets:
        extra = {"code_owner_reviews": bool(rule.get("requiresCodeOwnerReviews")), "rulesets": via_rulesets}
        msg = f"{f.default_branch} requires approving reviews ({count or 'via ruleset ' + ', '.join(via_rulesets)})"
        reviews = hit(views, PROTECTION[1], [loc], msg, values={**values, **extra})
    else:
        reviews = miss(views, PROTECTION[1], "no required approving review", values=values, locations=[loc])
    return [none, reviews]


ENV_SIGNALS = ["gh.environments.required_reviewers", "gh.environments.used"]


@probe(
    "gh.environments",
    summary="Deployment environments gated by required reviewers; environments used by recent deployments",
    emits=ENV_SIGNALS,
    needs=("github", "repo"),
    evidence=("api_object", "file"),
    remediation="Deploy through GitHub environments and require reviewers on the production environment.",
)
def environments(views: Views) -> list[Finding]:
    f = views.github
    if f is None:
        return need(views, ENV_SIGNALS, views, "github")
    out = need(views, ENV_SIGNALS[:1], f, "environments")
    if not out:
        gated = [e for e in f.environments if e.required_reviewers]
        locs = [repo_loc(f, f"environment {e.name}", f"{f.url}/settings/environments") for e in gated]
        values = {"environments": len(f.environments), "gated": [e.name for e in gated]}
        if gated:
            out.append(hit(views, ENV_SIGNALS[0], locs, f"{len(gated)} environment(s) need a reviewer", values=values))
        else:
            out.append(miss(views, ENV_SIGNALS[0], "no environment requires reviewers", values=values))
    if gaps := need(views, ENV_SIGNALS[1:], f, "deployments"):
        return out + gaps
    used = sorted({d.environment for d in f.deployments if recent(views, d.created_at) and real_target(d.environment)})
    if used:
        locs = [repo_loc(f, f"environment {e}", f"{f.url}/deployments") for e in used]
        out.append(hit(views, ENV_SIGNALS[1], locs, f"deployments to {', '.join(used)} in the last 90 days"))
    else:
        out.append(miss(views, ENV_SIGNALS[1], "no deployment to an environment in the last 90 days"))
    return out
