"""Scheduled LLM evaluations that alert: a GitHub Actions workflow on a cron schedule whose jobs run LLM
evaluations or chat tests against live models (directly or through a local reusable workflow) and notify
people when they fail (Slack/Teams/PagerDuty/Opsgenie/e-mail step or job under `if: failure()`).

Read from the workflow files through the repo index; the CI model (probes/ci) decides gates and deploys,
this probe only asks whether a failing scheduled LLM run reaches a person."""

from __future__ import annotations

import re
from typing import Any

from probes.repo._llm import Ev, index_of, weigh, where
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import probe
from scanner.views import Views

WORKFLOWS = (".github/workflows/*.yml", ".github/workflows/*.yaml")
LLM_WORDS = re.compile(r"(?i)\bllms?\b|llm[_-]|promptfoo|openai|anthropic|bedrock|vertex|ollama|\bgpt|claude|gemini")
NOTIFY = re.compile(r"(?i)slack|teams|pagerduty|opsgenie|discord|sendgrid|send-?mail|notify|hooks\.slack\.com")


@probe(
    "repo.llm.eval_alerts",
    summary="Scheduled LLM evaluations or live-model chat tests whose failures notify people (Slack, Teams, "
    "PagerDuty, e-mail): automated alerts on LLM quality.",
    remediation="Run the LLM evaluations on a schedule against the live models and alert the team when they fail.",
    evidence=("file",),
)
def eval_alerts(views: Views) -> list[Finding]:
    index = index_of(views)
    evs: list[Ev] = []
    for path in index.paths(*WORKFLOWS, kinds=None):
        data = index.yaml_data(path)
        if not isinstance(data, dict) or not _scheduled(data):
            continue
        jobs = data.get("jobs")
        if not isinstance(jobs, dict) or not _runs_llm(index, path, jobs):
            continue
        step = _failure_notice(jobs)
        if step:
            evs.append(Ev(path, 1, f"scheduled LLM run alerts on failure: {step}", where(index, path)))
    return [
        weigh(
            views,
            "repo.llm.eval_alerts",
            evs,
            "Scheduled LLM evaluations alert on failure",
            "No scheduled LLM evaluation notifies anyone when it fails",
        )
    ]


def _scheduled(data: dict[Any, Any]) -> bool:
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on:` key as True
    return isinstance(on, dict) and "schedule" in on


def _runs_llm(index: RepoIndex, path: str, jobs: dict[Any, Any]) -> bool:
    """The workflow (or a local reusable workflow it calls) names LLMs or LLM providers."""
    texts = [index.text(path) or ""]
    for job in jobs.values():
        uses = job.get("uses") if isinstance(job, dict) else None
        if isinstance(uses, str) and uses.startswith("./"):
            texts.append(index.text(uses.removeprefix("./")) or "")
    return any(LLM_WORDS.search(t) for t in texts)


def _failure_notice(jobs: dict[Any, Any]) -> str | None:
    """The first notification that runs when the workflow fails (a job or a step under `if: failure()`)."""
    for name, job in jobs.items():
        if not isinstance(job, dict):
            continue
        job_on_failure = "failure()" in str(job.get("if", ""))
        for step in job.get("steps") or []:
            if not isinstance(step, dict):
                continue
            on_failure = job_on_failure or "failure()" in str(step.get("if", ""))
            label = " ".join(str(step.get(k, "")) for k in ("name", "uses", "run"))
            if on_failure and NOTIFY.search(label):
                return f"{name}: {str(step.get('name') or step.get('uses'))[:60]}"
    return None
