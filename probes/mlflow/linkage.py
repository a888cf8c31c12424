"""Which repositories MLflow runs came from, so that MLflow evidence can be joined to scanned repos.

One finding per repository, keyed by its normalised URL (`host/owner/name`, from the run tag
`mlflow.source.git.repoURL`). The join key for a scanned repo is the same normalisation of its web
URL (target `url`) or, for a local clone without a remote, its target id, which equals `values.name`.
"""

from __future__ import annotations

from collections import defaultdict

from probes.mlflow._common import NEEDS, guarded, run_loc
from scanner.facts.mlflow import MlflowFacts, Run
from scanner.facts.urls import repo_key
from scanner.model import Finding
from scanner.probekit import hit, miss, not_applicable, probe
from scanner.views import Views

SIGNAL = "mlflow.runs.repo_linked"
MAX_COMMITS = 20


@probe(
    SIGNAL,
    summary="Runs linked to a repository (mlflow.source.git.repoURL): one finding per repository",
    needs=NEEDS,
    remediation="Run training from a git checkout so that MLflow records the repository and commit.",
    evidence=("mlflow_object",),
)
def runs_repo_linked(views: Views) -> list[Finding]:
    def body(facts: MlflowFacts) -> list[Finding]:
        if not facts.runs:
            return [not_applicable(views, SIGNAL, "the MLflow source holds no runs")]
        by_repo: dict[str, list[Run]] = defaultdict(list)
        for run in facts.runs:
            if run.repo_url:
                by_repo[repo_key(run.repo_url)].append(run)
        if not by_repo:
            return [miss(views, SIGNAL, f"none of {len(facts.runs)} runs names its repository")]
        return [_repo_finding(views, facts, key, runs) for key, runs in sorted(by_repo.items())]

    return guarded(views, ("runs",), (SIGNAL,), body)


def _repo_finding(views: Views, facts: MlflowFacts, key: str, runs: list[Run]) -> Finding:
    commits = list(dict.fromkeys(r.git_commit for r in runs if r.git_commit))
    sources = sorted({r.source_name for r in runs if r.source_name})
    values = {
        "repo": key,
        "name": key.rsplit("/", 1)[-1],
        "runs": len(runs),
        "commits": commits[:MAX_COMMITS],
        "sources": sources[:MAX_COMMITS],
        "experiments": sorted({r.experiment_id for r in runs}),
        "count": len(runs),
    }
    locs = [run_loc(facts, r, r.source_name) for r in runs[:MAX_COMMITS]]
    message = f"{len(runs)} run(s) from {key} at {len(commits)} commit(s)"
    return hit(views, SIGNAL, locs, message, confidence="high", values=values, key=key, keep_order=True)
