"""Required status checks that are ML tests or evaluations (`gh.required_checks.ml`):
the default branch's required contexts, classic or from active rulesets, matched to the CI jobs that run
tests or model/LLM evaluations and can fail."""

from __future__ import annotations

from typing import Any

from probes.ci._common import job_location, job_steps
from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import CIModel, Job
from scanner.model import Finding
from scanner.probekit import hit, miss, need, probe
from scanner.views import Views

from ._common import repo_loc

SIGNAL = "gh.required_checks.ml"
GATE_CATEGORIES = (cmd.TEST, cmd.INTEGRATION, cmd.EVALUATE, cmd.LLM_EVAL)


def required_contexts(protection: dict[str, Any] | None, rulesets: list[dict[str, Any]]) -> list[str]:
    contexts = list((protection or {}).get("requiredStatusCheckContexts") or [])
    for ruleset in rulesets:
        if ruleset.get("enforcement") != "ACTIVE":
            continue
        for rule in (ruleset.get("rules") or {}).get("nodes") or []:
            for check in (rule.get("parameters") or {}).get("requiredStatusChecks") or []:
                contexts.append(str(check.get("context") or ""))
    return sorted({c for c in contexts if c})


def _gate_jobs(ci: CIModel) -> list[Job]:
    """Jobs with a test or evaluation step that fails the job when it fails."""
    return [
        job
        for _, job in ci.jobs()
        if not job.can_fail and any(cmd.gate_hits(step, *GATE_CATEGORIES) for step in job_steps(job))
    ]


def _matches(context: str, job: Job) -> bool:
    """A context is the job's name or id, or `name (matrix values)` / `workflow / name`."""
    names = {n for n in (job.name, job.id) if n}
    return any(context == n or context.startswith(n + " (") or context.endswith("/ " + n) for n in names)


@probe(
    SIGNAL,
    summary="Required status checks on the default branch include CI jobs that run ML tests or evaluations",
    needs=("github", "repo", "ci"),
    evidence=("api_object", "ci_job", "file"),
    remediation="Make the CI jobs that run ML tests or evaluations required status checks on the default branch.",
)
def required_checks_ml(views: Views) -> list[Finding]:
    f = views.github
    if f is None or views.ci is None or views.repo is None:
        return need(views, [SIGNAL], views, "github", "ci", "repo")
    if gaps := need(views, [SIGNAL], f, "defaultBranchRef", "rulesets"):
        return gaps
    contexts = required_contexts(f.protection, f.rulesets)
    settings = repo_loc(f, f"branch {f.default_branch} required checks", f"{f.url}/settings/branches")
    gated = [(c, j) for c in contexts for j in _gate_jobs(views.ci) if _matches(c, j)]
    values = {"required_contexts": contexts, "count": len(gated)}
    if not gated:
        why = "no required status checks" if not contexts else "no required check runs ML tests or evaluations"
        return [miss(views, SIGNAL, f"{f.default_branch}: {why}", values=values, locations=[settings])]
    locations = [settings] + [job_location(views.repo, job) for _, job in gated]
    names = ", ".join(sorted({c for c, _ in gated}))
    return [hit(views, SIGNAL, locations, f"required checks run ML tests or evaluations: {names}", values=values)]
