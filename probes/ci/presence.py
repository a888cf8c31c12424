"""Is there CI at all, does anything run on a schedule, and does CI build artefacts?"""

from __future__ import annotations

import re

from probes.ci._common import NEEDS, absent, confidence, describe, job_ids, job_steps, location, sites, views_of
from probes.ci._deploy import is_docs_job
from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import SCHEDULE
from scanner.model import Finding
from scanner.probekit import hit, probe
from scanner.views import Views

# Categories that are real work (a schedule that only renders a report does none of these).
WORK = (
    cmd.TEST,
    cmd.TRAIN,
    cmd.EVALUATE,
    cmd.LLM_EVAL,
    cmd.DEPLOY,
    cmd.DATA_DEPLOY,
    cmd.DATA_QUALITY,
    cmd.BUILD,
    cmd.RELEASE,
    cmd.IAC_APPLY,
    cmd.MONITOR,
    cmd.SECURITY,
    cmd.REGISTER,
)
UPLOAD_ONLY = re.compile(r"upload-artifact|publishpipelineartifact|publishbuildartifacts|^publish$", re.IGNORECASE)


@probe(
    "ci.present",
    needs=NEEDS,
    summary="Some CI pipeline is defined (GitHub Actions, GitLab CI, Azure Pipelines, CircleCI, Jenkins).",
    evidence=("ci_job", "file"),
    remediation="Define a CI pipeline (GitHub Actions, GitLab CI, Azure Pipelines, CircleCI or Jenkins) that "
    "runs on every change.",
)
def present(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    pipelines = [p for p in ci.pipelines if not p.inlined_only]
    if not pipelines:
        return [absent(views, "ci.present", "")]
    jobs = sum(1 for _ in ci.jobs())
    systems = ci.systems
    files = sorted({p.path for p in pipelines})
    return [
        hit(
            views,
            "ci.present",
            [repo.location(f, 1) for f in files],
            f"{len(pipelines)} pipeline(s) with {jobs} job(s) in {len(files)} file(s) ({', '.join(systems)})",
            values={
                "count": len(pipelines),
                "files": len(files),
                "jobs": jobs,
                "systems": list(systems),
                "parse_errors": len(ci.errors),
                "ignored_non_practice": len(ci.ignored),
            },
        )
    ]


@probe(
    "ci.scheduled",
    needs=NEEDS,
    summary="Some CI pipeline runs on a schedule (cron).",
    evidence=("ci_job", "file"),
    remediation="Schedule recurring work in CI (on: schedule cron): retraining, evaluation, monitoring or data "
    "refresh.",
)
def scheduled(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    jobs: dict[str, list[str]] = {}
    working: set[str] = set()
    locs = []
    for pipeline, job in ci.jobs():
        if ci.is_gated(pipeline, job) or not job.steps:
            continue
        for trig in ci.effective_triggers(pipeline, job):
            if trig.kind == SCHEDULE:
                key = f"{pipeline.path}:{job.id}"
                jobs.setdefault(key, []).append(trig.detail)
                locs.append(repo.location(trig.path or pipeline.path, trig.line, trig.detail or trig.event))
                if not job.can_fail and any(cmd.gate_hits(s, *WORK) for s in job_steps(job)):
                    working.add(key)
    if not jobs:
        return [absent(views, "ci.scheduled", "no CI pipeline runs on a schedule")]
    crons = sorted({c for cs in jobs.values() for c in cs if c})
    note = "" if working else " (none does classified work that can fail: report-only or allowed to fail)"
    return [
        hit(
            views,
            "ci.scheduled",
            locs,
            f"{len(jobs)} job(s) run on a schedule ({', '.join(crons) or 'cron'}): {', '.join(sorted(jobs)[:5])}{note}",
            confidence="medium" if working else "low",
            values={"count": len(jobs), "jobs": sorted(jobs), "crons": crons, "working_jobs": sorted(working)},
        )
    ]


@probe(
    "ci.builds_artifacts",
    needs=NEEDS,
    summary="CI builds or publishes artefacts: container images, packages, release assets, uploaded artifacts.",
    evidence=("ci_job", "file"),
    remediation="Have CI build and publish the deployable artefacts (container images, packages, release "
    "assets) instead of building them on a laptop.",
)
def builds_artifacts(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    found = [s for s in sites(ci, cmd.BUILD) if not is_docs_job(s.job)]
    if not found:
        return [absent(views, "ci.builds_artifacts", "no CI step builds or publishes an artefact")]
    packages = [s for s in found if not UPLOAD_ONLY.search(s.hit.text)]
    what = "build or publish artefacts" if packages else "only upload workflow artifacts (reports, build output)"
    return [
        hit(
            views,
            "ci.builds_artifacts",
            [location(repo, s) for s in packages or found],
            f"{len(job_ids(packages or found))} job(s) {what}: {describe(packages or found)}",
            confidence=confidence(ci, packages) if packages else "low",
            values={
                "count": len(job_ids(packages or found)),
                "jobs": job_ids(packages or found),
                "upload_only": not packages,
            },
        )
    ]
