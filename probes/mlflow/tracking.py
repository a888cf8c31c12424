"""Experiment tracking on an MLflow server: active experiments, teams, runs linked to code and data."""

from __future__ import annotations

import re
from collections import Counter

from probes.mlflow._common import NEEDS, experiment_loc, guarded, recent_runs, run_loc, share
from scanner.facts.mlflow import MlflowFacts, Run
from scanner.model import Finding
from scanner.probekit import hit, miss, not_applicable, probe
from scanner.views import Views

ACTIVE_DAYS = 90
GIT_LINKED_SHARE = 0.7
JOB_SOURCED_SHARE = 0.5
JOB_TYPES = {"JOB", "PROJECT"}
TEAM_TAGS = ("team", "mlflow.team", "owner_team", "group")
_TEAM_PATH = re.compile(r"^/(?:Shared|Teams|Workspace/Shared)/([^/]+)/|^/(?!Users/|Repos/)([^/]+)/")
_CATALOG_TYPES = {"delta_table", "delta", "unity_catalog", "uc_volume", "databricks", "spark", "hive"}
_THREE_PART = re.compile(r"^[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*$")


def _no_runs(views: Views, signal: str, facts: MlflowFacts) -> Finding | None:
    if facts.runs:
        return None
    return not_applicable(views, signal, "the MLflow source holds no runs")


@probe(
    "mlflow.experiments.active",
    summary="Experiments with runs in the last 90 days that log params and metrics",
    needs=NEEDS,
    remediation="Log params and metrics of every training run to the shared tracking server.",
    evidence=("mlflow_object",),
)
def experiments_active(views: Views) -> list[Finding]:
    signal = "mlflow.experiments.active"

    def body(facts: MlflowFacts) -> list[Finding]:
        runs = [r for r in recent_runs(views, facts, ACTIVE_DAYS) if r.params and r.metrics]
        active = Counter(r.experiment_id for r in runs)
        values = {"experiments": len(facts.experiments), "active_experiments": len(active), "recent_runs": len(runs)}
        if not active:
            return [
                miss(views, signal, f"no run with params and metrics in the last {ACTIVE_DAYS} days", values=values)
            ]
        locs = [experiment_loc(facts, e) for e, _ in active.most_common()]
        message = f"{len(active)} experiment(s) with {len(runs)} tracked run(s) in the last {ACTIVE_DAYS} days"
        return [hit(views, signal, locs, message, confidence="high", values={**values, "count": len(active)})]

    return guarded(views, ("experiments", "runs"), (signal,), body)


def _team_of_experiment(name: str, tags: dict[str, str]) -> str:
    for key in TEAM_TAGS:
        if tags.get(key):
            return tags[key].strip().lower()
    match = _TEAM_PATH.match(name)
    return (match.group(1) or match.group(2)).lower() if match else ""


@probe(
    "mlflow.experiments.multi_team",
    summary="One server holds experiments or registered models of two or more teams",
    needs=NEEDS,
    remediation="Share one tracking server and registry across teams (experiment paths or tags per team).",
    evidence=("mlflow_object",),
)
def experiments_multi_team(views: Views) -> list[Finding]:
    signal = "mlflow.experiments.multi_team"

    def body(facts: MlflowFacts) -> list[Finding]:
        with_runs = {r.experiment_id for r in facts.runs}
        teams: dict[str, str] = {}
        for exp in facts.experiments:
            team = _team_of_experiment(exp.name, dict(exp.tags))
            if team and exp.id in with_runs:
                teams.setdefault(team, exp.id)
        for model in facts.models:
            team = next((model.tags[k].strip().lower() for k in TEAM_TAGS if model.tags.get(k)), "")
            if team:
                teams.setdefault(team, f"model:{model.name}")
        users = len({r.user for r in facts.runs if r.user})
        values = {"teams": sorted(teams), "users": users}
        if len(teams) < 2:
            return [
                miss(views, signal, f"experiments of {len(teams)} team(s) found ({users} run user(s))", values=values)
            ]
        locs = [experiment_loc(facts, ref) for team, ref in sorted(teams.items()) if not ref.startswith("model:")]
        message = f"experiments of {len(teams)} teams on one server: {', '.join(sorted(teams))}"
        return [hit(views, signal, locs, message, confidence="high", values={**values, "count": len(teams)})]

    return guarded(views, ("experiments", "runs"), (signal,), body)


def _share_finding(
    views: Views, signal: str, facts: MlflowFacts, linked: list[Run], threshold: float, what: str
) -> Finding:
    ratio = share(len(linked), len(facts.runs))
    values = {"share": ratio, "runs": len(facts.runs), "linked_runs": len(linked), "threshold": threshold}
    message = f"{len(linked)} of {len(facts.runs)} runs ({ratio:.0%}) {what}"
    if ratio < threshold:
        return miss(views, signal, message + f" (needs {threshold:.0%})", values=values)
    locs = [run_loc(facts, r) for r in linked[:20]]
    return hit(
        views, signal, locs, message, confidence="high", values={**values, "count": len(linked)}, keep_order=True
    )


@probe(
    "mlflow.runs.git_linked",
    summary="Share of runs tagged with the git commit they ran (mlflow.source.git.commit)",
    needs=NEEDS,
    remediation="Run training from a git checkout (MLflow tags the commit) or set mlflow.source.git.commit.",
    evidence=("mlflow_object",),
)
def runs_git_linked(views: Views) -> list[Finding]:
    signal = "mlflow.runs.git_linked"

    def body(facts: MlflowFacts) -> list[Finding]:
        empty = _no_runs(views, signal, facts)
        if empty:
            return [empty]
        linked = [r for r in facts.runs if r.git_commit]
        return [_share_finding(views, signal, facts, linked, GIT_LINKED_SHARE, "carry a git commit")]

    return guarded(views, ("runs",), (signal,), body)


@probe(
    "mlflow.runs.job_sourced",
    summary="Share of runs started by jobs or projects (mlflow.source.type JOB/PROJECT), not notebooks",
    needs=NEEDS,
    remediation="Train in scheduled or triggered jobs rather than interactive notebooks.",
    evidence=("mlflow_object",),
)
def runs_job_sourced(views: Views) -> list[Finding]:
    signal = "mlflow.runs.job_sourced"

    def body(facts: MlflowFacts) -> list[Finding]:
        empty = _no_runs(views, signal, facts)
        if empty:
            return [empty]
        linked = [r for r in facts.runs if r.source_type.upper() in JOB_TYPES or "mlflow.databricks.jobID" in r.tags]
        return [_share_finding(views, signal, facts, linked, JOB_SOURCED_SHARE, "started by a job or project")]

    return guarded(views, ("runs",), (signal,), body)


def catalog_source(source: str) -> bool:
    kind, _, where = source.partition(":") if ":" in source else ("", "", source)
    if kind.lower() in _CATALOG_TYPES:
        return True
    return bool(_THREE_PART.match(where)) and kind.lower() not in ("local", "code", "http", "huggingface")


@probe(
    "mlflow.runs.dataset_inputs",
    summary="Runs whose dataset inputs come from a catalog (Unity Catalog tables, Delta), not local files",
    needs=NEEDS,
    remediation="Log training data as run inputs by catalog name (mlflow.data.from_* + mlflow.log_input).",
    evidence=("mlflow_object",),
)
def runs_dataset_inputs(views: Views) -> list[Finding]:
    signal = "mlflow.runs.dataset_inputs"

    def body(facts: MlflowFacts) -> list[Finding]:
        runs = [(r, s) for r in facts.runs for s in r.dataset_sources if catalog_source(s)]
        logged = sum(1 for r in facts.runs if r.dataset_sources)
        values = {"runs_with_inputs": logged, "catalog_inputs": len(runs)}
        if not runs:
            return [miss(views, signal, f"{logged} run(s) log dataset inputs, none from a catalog", values=values)]
        locs = [run_loc(facts, r, f"input {s}") for r, s in runs]
        return [
            hit(views, signal, locs, f"{len(runs)} catalog dataset input(s) on runs", confidence="high", values=values)
        ]

    return guarded(views, ("runs",), (signal,), body)
