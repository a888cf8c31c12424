"""Shared helpers for the MLflow probes: the facts, sections that could not be read, object locations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from scanner.facts.mlflow import MlflowFacts, ModelVersion, Run
from scanner.model import Finding, Location, Outcome
from scanner.probekit import need
from scanner.views import Views

NEEDS = ("mlflow",)
DAY_MS = 86_400_000


def guarded(
    views: Views, sections: Iterable[str], signals: Iterable[str], body: Callable[[MlflowFacts], list[Finding]]
) -> list[Finding]:
    """`body(facts)` when the `sections` it reads were read; else not_available (error when the read
    failed) for `signals` (probekit.need). A section read only in part turns absences into not_available."""
    facts, signals, sections = views.mlflow, tuple(signals), tuple(sections)
    if facts is None:
        return need(views, signals, views, "mlflow")
    found = need(views, signals, facts, *sections) or body(facts)
    cut = [s for s in sections if facts.partial(s)]
    if not cut:
        return found
    # a listing cut short by a bound proves what it holds, never an absence: no false, no not_applicable
    why = f"MLflow {cut[0]} was read only in part ({facts.status(cut[0])}); an absence is not concluded"
    absent = (Outcome.FALSE, Outcome.NOT_APPLICABLE)
    return [replace(f, outcome=Outcome.NOT_AVAILABLE, message=why) if f.outcome in absent else f for f in found]


def within(views: Views, facts: MlflowFacts, days: int, ms: int) -> bool:
    """Whether `ms` falls in the last `days` days, a window that ends at the scan's clock for a server (so
    that a pinned clock, `--now`, leaves out what came after it) and at the latest activity for a store."""
    end = facts.window_end_ms(views.now)
    return end - days * DAY_MS <= ms <= end


def recent_runs(views: Views, facts: MlflowFacts, days: int) -> list[Run]:
    return [r for r in facts.runs if within(views, facts, days, r.start_time)]


def experiment_loc(facts: MlflowFacts, experiment_id: str) -> Location:
    names = {e.id: e.name for e in facts.experiments}
    return Location(
        object=f"mlflow experiment {experiment_id} ({names.get(experiment_id, '?')})",
        url=facts.experiment_url(experiment_id),
    )


def run_loc(facts: MlflowFacts, run: Run, what: str = "") -> Location:
    text = f"mlflow run {run.id} in experiment {run.experiment_id}" + (f": {what}" if what else "")
    return Location(object=text, url=facts.run_url(run), commit=run.git_commit or None)


def version_loc(facts: MlflowFacts, version: ModelVersion, what: str = "", *, prompt: bool = False) -> Location:
    kind = "prompt" if prompt else "registered model"
    url = (facts.prompt_url if prompt else facts.model_url)(version.name, version.version)
    text = f"mlflow {kind} {version.name} v{version.version}" + (f": {what}" if what else "")
    return Location(object=text, url=url)


def share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0
