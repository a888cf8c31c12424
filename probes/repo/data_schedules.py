"""Scheduled data jobs outside data orchestrators: Celery beat entries, APScheduler jobs, Kubernetes
CronJobs and Taskcluster cron jobs that ingest, index, sync, refresh, export or expire data, and
scheduled GitHub Actions workflows that run a repo script doing data I/O.

repo.scheduled_data_jobs: a schedule in the repo's own code or manifests (not tests, examples or docs)
runs a job whose task name or command names data work. A scheduler that sends e-mails or warms a cache
does not count; neither does a schedule defined only in a dependency.
"""

from __future__ import annotations

import re

from probes.repo._data import grep_code, hit_locs, unavailable_all, yaml_docs
from probes.repo.data_reads import data_io_files
from scanner.facts.paths import CODE
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

JOBS = "repo.scheduled_data_jobs"
DATA_WORK = re.compile(
    r"(?i)(index|ingest|sync|import|load|refresh|etl|export|retention|expire|expired|crawl|scrape|backfill|"
    r"dump|update[_-]?db|rebuild|reindex|harvest)"
)
# a schedule entry: the task of a Celery beat entry, an APScheduler job, a cron-decorated function
PY_SCHEDULE = re.compile(
    r"""["']task["']\s*:\s*[^,\n}]{1,160}|\badd_periodic_task\s*\([^\n]{0,200}|"""
    r"""\b(?:add_job|scheduled_job)\s*\([^\n]{0,200}"""
)
PY_WORDS = ("task", "add_periodic_task", "add_job", "scheduled_job")
SCHEDULER_MODULES = ("celery", "apscheduler")


def python_schedules(index: RepoIndex) -> list[Location]:
    paths = []
    for path in index.python_files(notebooks=False, kinds={CODE}):
        text = index.text(path) or ""
        facts = index.python(path)
        uses_scheduler = "beat_schedule" in text or (facts is not None and facts.imported(*SCHEDULER_MODULES))
        if uses_scheduler:
            paths.append(path)
    hits = [h for h in grep_code(index, PY_SCHEDULE, paths, words=PY_WORDS) if DATA_WORK.search(h.match)]
    return hit_locs(index, hits)


def cron_jobs(index: RepoIndex) -> list[Location]:
    out: list[Location] = []
    for path in index.by_suffix(".yaml", ".yml", kinds={CODE}):
        text = index.text(path) or ""
        if not re.search(r"(?m)^kind:\s*CronJob\s*$", text):
            continue
        body = re.split(r"(?m)^kind:\s*CronJob\s*$", text, maxsplit=1)[1]
        commands = re.findall(r"(?m)^[ \t]*(?:-\s|command:|args:|name:)[^\n]{0,300}", body)
        if any(DATA_WORK.search(c) for c in commands):
            line = text[: text.find("kind: CronJob")].count("\n") + 1
            out.append(index.location(path, line, "Kubernetes CronJob"))
    return out


def taskcluster_cron(index: RepoIndex) -> list[Location]:
    """Taskcluster `.cron.yml` jobs (a name and a `when:` schedule) that name data work."""
    out: list[Location] = []
    for path in index.by_name(".cron.yml", kinds={CODE}):
        for doc in index.yaml(path).docs:
            jobs = doc.data.get("jobs") if isinstance(doc.data, dict) else None
            for job in jobs if isinstance(jobs, list) else []:
                name = job.get("name") if isinstance(job, dict) else None
                if isinstance(name, str) and job.get("when") and DATA_WORK.search(name):
                    out.append(index.location(path, None, f"cron job {name}"))
    return out


SCRIPT = re.compile(r"[\w./-]{1,200}\.py\b")


def scheduled_workflows(index: RepoIndex) -> list[Location]:
    """GitHub Actions workflows triggered on a schedule whose steps run a repo script that does data I/O
    (reads datasets, or writes to object storage or a warehouse)."""
    io_files: set[str] | None = None
    out: list[Location] = []
    for path, doc in yaml_docs(index, index.paths(".github/workflows/*.yml", ".github/workflows/*.yaml", kinds=None)):
        triggers = doc.data.get("on", doc.data.get(True))
        if not (isinstance(triggers, dict) and triggers.get("schedule")):
            continue
        runs = [
            step.get("run", "")
            for job in (doc.data.get("jobs") or {}).values()
            if isinstance(job, dict)
            for step in job.get("steps") or []
            if isinstance(step, dict) and isinstance(step.get("run"), str)
        ]
        scripts = {m.removeprefix("./") for run in runs for m in SCRIPT.findall(run)}
        io_files = data_io_files(index) if io_files is None else io_files
        if scripts & io_files:
            out.append(index.location(path, None, f"scheduled workflow runs {', '.join(sorted(scripts & io_files))}"))
    return out


@probe(
    "repo.data.schedules",
    summary="Scheduled data jobs outside data orchestrators (Celery beat, APScheduler, Kubernetes CronJobs that "
    "ingest, index, sync or expire data).",
    emits=(JOBS,),
    remediation="Run data refreshes from a scheduler defined in version control, and release them like code.",
    evidence=("file",),
)
def data_schedules(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (JOBS,))
    found = python_schedules(index) + cron_jobs(index) + taskcluster_cron(index) + scheduled_workflows(index)
    if found:
        return [hit(views, JOBS, found, f"{len(found)} scheduled data job(s)", values={"count": len(found)})]
    return [miss(views, JOBS, "No scheduled ingestion, sync or refresh jobs in the repo's own code or manifests")]
