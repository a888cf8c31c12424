"""Delivery pipelines: approval gates before deploys, CD pipelines (automatic deploys with an
environment or after build/test), and promotion across environments (dev -> staging -> prod)."""

from __future__ import annotations

from probes.ci._common import NEEDS, absent, any_hit, describe, location, steps_before, views_of
from probes.ci._deploy import Deploy, data_deploys, deploys, one_per_job, summary
from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import WORKFLOW_RUN, CIModel
from scanner.model import Finding, Location
from scanner.probekit import hit, probe
from scanner.views import Views

CHAIN = (("build", (cmd.BUILD,)), ("test", (cmd.TEST,)), ("eval", (cmd.EVALUATE, cmd.LLM_EVAL)))


@probe(
    "ci.approval_gated",
    needs=NEEDS,
    summary="A deploy waits for a manual approval (when: manual, approval job, input, ManualValidation) or "
    "runs in a named environment that may require reviewers.",
    evidence=("ci_job", "file"),
    remediation="Put production deploys behind a manual approval: a GitHub environment with required reviewers, "
    "when: manual, an approval job or ManualValidation.",
)
def approval_gated(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    found = deploys(repo, ci)
    gated = [d for d in found if ci.is_gated(d.site.pipeline, d.site.job, d.site.step)]
    if gated:
        return [
            hit(
                views,
                "ci.approval_gated",
                [location(repo, d.site) for d in gated],
                f"{len(one_per_job(gated))} deploy job(s) wait for a manual approval: "
                f"{describe(d.site for d in gated)}",
                values={**summary(gated), "explicit_gate": True},
            )
        ]
    in_env = [d for d in found if _environment(ci, d)]
    if in_env:
        return [
            hit(
                views,
                "ci.approval_gated",
                [location(repo, d.site) for d in in_env],
                f"{len(one_per_job(in_env))} deploy job(s) run in a named environment "
                f"({', '.join(sorted({_environment(ci, d) for d in in_env}))}); whether it requires reviewers is "
                "set in the CI platform, not visible in the YAML",
                confidence="low",
                values={**summary(in_env), "explicit_gate": False},
            )
        ]
    return [
        absent(
            views,
            "ci.approval_gated",
            "no deploy waits for an approval or runs in a named environment",
            values={"deploy_jobs": len(one_per_job(found))},
        )
    ]


def _environment(ci: CIModel, d: Deploy) -> str:
    envs = [d.site.job.environment, *(j.environment for j in ci.upstream(d.site.pipeline, d.site.job))]
    return next((e for e in envs if e), "")


@probe(
    "ci.cd_pipeline",
    needs=NEEDS,
    summary="An automatic deploy job with an environment, or after build/test jobs in one chain.",
    evidence=("ci_job", "file"),
    remediation="Add a deploy job that runs automatically after the build and test jobs, targeting a named "
    "environment.",
)
def cd_pipeline(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    found: list[tuple[Deploy, list[str]]] = []
    for d in deploys(repo, ci):
        if not ci.is_automatic(d.site.pipeline, d.site.job, d.site.step):
            continue
        before = steps_before(ci, d.site)
        chain = [name for name, cats in CHAIN if any_hit(before, *cats, gate=True)]
        if chain or _environment(ci, d):
            found.append((d, [*chain, "deploy"]))
    if not found:
        return [absent(views, "ci.cd_pipeline", "no automatic deploy job with an environment or after build/test")]
    longest = max((c for _, c in found), key=len)
    return [
        hit(
            views,
            "ci.cd_pipeline",
            [location(repo, d.site) for d, _ in found],
            f"{len(one_per_job([d for d, _ in found]))} automatic deploy job(s), longest chain "
            f"{' -> '.join(longest)}: {describe(d.site for d, _ in found)}",
            values={
                **summary([d for d, _ in found]),
                "chain": longest,
                "with_environment": any(_environment(ci, d) for d, _ in found),
            },
        )
    ]


@probe(
    "ci.promotion_pipeline",
    needs=NEEDS,
    summary="Deploys to two or more environments in sequence (dev -> staging -> prod) in one pipeline, or "
    "in pipelines chained by workflow_run.",
    evidence=("ci_job", "file"),
    remediation="Promote through environments in sequence in one pipeline (dev, then staging, then production), "
    "or chain pipelines with workflow_run.",
)
def promotion_pipeline(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    every = one_per_job(deploys(repo, ci) + data_deploys(ci))
    pairs: list[tuple[Deploy, Deploy]] = []
    for later in every:
        for earlier in every:
            if _stage_of(earlier) == _stage_of(later) or not _stage_of(earlier) or not _stage_of(later):
                continue
            if _runs_before(ci, earlier, later):
                pairs.append((earlier, later))
    if not pairs:
        stages = sorted({_stage_of(d) for d in every if _stage_of(d)})
        return [
            absent(
                views,
                "ci.promotion_pipeline",
                "no pipeline deploys to two environments in sequence",
                values={"environments_seen": stages},
            )
        ]
    order = {"dev": 0, "staging": 1, "prod": 2}
    envs = sorted({_stage_of(d) for pair in pairs for d in pair}, key=lambda s: order.get(s, 3))
    locs: list[Location] = [location(repo, d.site) for pair in pairs for d in pair]
    return [
        hit(
            views,
            "ci.promotion_pipeline",
            locs,
            f"deploys promote through {' -> '.join(envs)}: {describe(d.site for pair in pairs for d in pair)}",
            values={
                "count": len(pairs),
                "environments": envs,
                "gated": any(ci.is_gated(b.site.pipeline, b.site.job, b.site.step) for _, b in pairs),
            },
        )
    ]


def _stage_of(d: Deploy) -> str:
    """The environment class, or the raw environment name when it does not say dev/staging/prod."""
    return d.stage or d.env.lower()


def _runs_before(ci: CIModel, earlier: Deploy, later: Deploy) -> bool:
    a, b = earlier.site, later.site
    if a.pipeline.path == b.pipeline.path and a.pipeline.name == b.pipeline.name:
        return a.job in ci.upstream(b.pipeline, b.job)
    # across pipelines: the later one starts when the earlier one's pipeline completes
    return any(
        t.kind == WORKFLOW_RUN and any(p == a.pipeline for n in t.workflows for p in ci.pipelines_named(n))
        for t in (b.job.triggers if b.job.triggers is not None else b.pipeline.triggers)
    )
