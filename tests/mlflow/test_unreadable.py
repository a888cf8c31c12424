"""A partly unreadable MLflow source: the signals that read an unreadable section are not_available (error
when the read failed) with the reason; every other signal keeps the outcome it has on a readable source."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from scanner.facts.mlflow import Experiment, MlflowFacts, ModelVersion, RegisteredModel, Run, Trace
from scanner.model import Finding, Outcome
from scanner.registry import load_probes
from scanner.testing import run_probe
from scanner.views import Views

NOW = datetime(2026, 3, 1, tzinfo=UTC)
DAY = 86_400_000
MS = int(NOW.timestamp() * 1000)
SECTIONS = ("experiments", "runs", "models", "prompts", "traces", "scorers", "datasets", "webhooks", "logged_models")
# the signals that read each section
AFFECTED = {
    "experiments": {"mlflow.experiments.active", "mlflow.experiments.multi_team"},
    "runs": {
        "mlflow.experiments.active",
        "mlflow.experiments.multi_team",
        "mlflow.runs.git_linked",
        "mlflow.runs.job_sourced",
        "mlflow.runs.dataset_inputs",
        "mlflow.runs.repo_linked",
        "mlflow.genai.eval_runs",
        "mlflow.prompts.linked_to_runs",
    },
    "models": {"mlflow.registry.versions", "mlflow.registry.aliases", "mlflow.registry.multi_alias_live"},
    "prompts": {"mlflow.prompts.aliases", "mlflow.prompts.linked_to_runs", "mlflow.prompts.versions_by_automation"},
    "traces": {"mlflow.traces.recent", "mlflow.traces.assessments"},
    "scorers": {"mlflow.scorers.active"},
    "datasets": {"mlflow.genai.eval_datasets"},
}


def _facts() -> MlflowFacts:
    tags = {"mlflow.source.git.commit": "abc123", "mlflow.source.git.repoURL": "https://github.com/acme/churn"}
    runs = tuple(Run(f"r{i}", "1", f"run{i}", MS - i * DAY, 3, 2, tags, ()) for i in range(3))
    return MlflowFacts(
        uri="http://mlflow.acme",
        base_url="http://mlflow.acme",
        version="3.1.0",
        window_end=None,  # a server: its windows end at the scan's clock
        experiments=(Experiment("1", "/Shared/churn/train", {}, MS),),
        runs=runs,
        models=(RegisteredModel("churn", {}, {"champion": "1"}),),
        versions=(ModelVersion("churn", "1", "r0", "runs:/r0/model", "", "None", "ci-bot", {}, MS),),
        traces=(Trace("t1", "1", MS - DAY, {"environment": "production"}, {}, 1),),
        sections=dict.fromkeys(SECTIONS, "ok"),
    )


def _scan(facts: MlflowFacts) -> dict[str, Finding]:
    views = Views(subject="mlflow:http://mlflow.acme", mlflow=facts, now=NOW)
    specs = [p for p in load_probes(plugins=False) if p.needs == {"mlflow"}]
    return {f.signal: f for spec in specs for f in run_probe(spec, views).findings}


@pytest.fixture(scope="module")
def baseline() -> dict[str, Finding]:
    found = _scan(_facts())
    assert set().union(*AFFECTED.values()) <= set(found)
    return found


@pytest.mark.parametrize("section", sorted(AFFECTED))
@pytest.mark.parametrize(
    ("status", "outcome"),
    [("denied: 403 (no permission)", Outcome.NOT_AVAILABLE), ("server: 500 (server error)", Outcome.ERROR)],
)
def test_an_unreadable_section_blinds_only_the_signals_that_read_it(
    baseline: dict[str, Finding], section: str, status: str, outcome: Outcome
) -> None:
    facts = _facts()
    found = _scan(replace(facts, sections={**facts.sections, section: status}))
    assert set(found) == set(baseline)
    for signal, finding in found.items():
        if signal in AFFECTED[section]:
            assert finding.outcome is outcome, (signal, finding.message)
            assert f"MLflow {section} could not be read: {status}" in finding.message
        else:
            assert finding.outcome is baseline[signal].outcome, (signal, finding.message)


def test_the_readable_source_settles_the_signals_the_sections_decide(baseline: dict[str, Finding]) -> None:
    """So that the comparison above is between settled outcomes, not between two not_available."""
    settled = (Outcome.TRUE, Outcome.FALSE, Outcome.NOT_APPLICABLE)
    unsettled = {s: f.message for s, f in baseline.items() if f.outcome not in settled}
    assert not unsettled
    assert baseline["mlflow.experiments.active"].outcome is Outcome.TRUE
    assert baseline["mlflow.traces.recent"].outcome is Outcome.TRUE
