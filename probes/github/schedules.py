"""Do scheduled workflows (retraining, evaluation, monitoring) actually run and succeed? A cron in YAML
is not a running schedule: GitHub disables schedules of inactive public repos (docs/model.md, "Presence is not use")."""

from __future__ import annotations

from datetime import timedelta

from scanner.facts.github import WorkflowRun
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, need, not_applicable, probe
from scanner.views import Views

from ._common import recent

SIGNAL = "gh.schedules.running"
RECENT = timedelta(days=30)


@probe(
    SIGNAL,
    summary="Scheduled GitHub Actions workflows ran successfully in the last 30 days (Actions runs API)",
    needs=("github", "repo"),
    evidence=("api_object", "file"),
    remediation="Keep the scheduled workflows healthy: fix failing scheduled runs, and re-enable workflows "
    "GitHub disabled for inactivity.",
)
def schedules(views: Views) -> list[Finding]:
    f = views.github
    if f is None:
        return need(views, [SIGNAL], views, "github")
    if not f.scheduled_workflows:
        return [not_applicable(views, SIGNAL, "no workflow with a schedule trigger")]
    if gaps := need(views, [SIGNAL], f, "workflow_runs"):
        return gaps
    runs = [r for r in f.schedule_runs if recent(views, r.created_at, RECENT)]
    ok = {r.path for r in runs if r.conclusion == "success"}
    running = [p for p in f.scheduled_workflows if p in ok]
    silent = [p for p in f.scheduled_workflows if p not in ok]
    values = {"scheduled": list(f.scheduled_workflows), "succeeded_recently": running, "not_succeeding": silent}
    if running:
        locs = [Location(object=f"{f.full_name} scheduled runs of {p}", url=_url(f.url, p, runs)) for p in running]
        return [hit(views, SIGNAL, locs, f"{len(running)} scheduled workflow(s) succeeded in 30 days", values=values)]
    loc = Location(object=f"{f.full_name} Actions runs (event schedule)", url=f"{f.url}/actions")
    msg = f"{len(silent)} scheduled workflow(s), none succeeded in the last 30 days: {', '.join(silent)}"
    return [miss(views, SIGNAL, msg, values=values, locations=[loc])]


def _url(repo_url: str, path: str, runs: list[WorkflowRun]) -> str:
    return next((r.url for r in runs if r.path == path and r.url), f"{repo_url}/actions")
