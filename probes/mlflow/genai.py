"""GenAI operations on an MLflow server: recent traces from deployed apps, feedback on traces,
production scorers, evaluation datasets, and registry webhooks."""

from __future__ import annotations

from probes.mlflow._common import NEEDS, experiment_loc, guarded, run_loc, share, within
from scanner.facts.mlflow import MlflowFacts, Trace
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, not_applicable, probe, unavailable
from scanner.views import Views

RECENT_DAYS = 7
ENV_KEYS = ("environment", "env", "deployment", "stage", "mlflow.trace.environment", "app.environment")
LOCAL_SOURCES = {"LOCAL", "NOTEBOOK"}


def _recent(views: Views, facts: MlflowFacts) -> list[Trace]:
    return [t for t in facts.traces if within(views, facts, RECENT_DAYS, t.time)]


def _production(trace: Trace) -> bool:
    fields = {**trace.metadata, **trace.tags}
    return any("prod" in fields.get(k, "").lower() for k in ENV_KEYS)


def _deployed(trace: Trace) -> bool:
    return _production(trace) or trace.metadata.get("mlflow.source.type", "LOCAL").upper() not in LOCAL_SOURCES


def _trace_loc(facts: MlflowFacts, trace: Trace, what: str) -> Location:
    url = (
        f"{facts.experiment_url(trace.experiment_id)}/traces?selectedEvaluationId={trace.id}"
        if facts.base_url
        else None
    )
    return Location(object=f"mlflow trace {trace.id} in experiment {trace.experiment_id}: {what}", url=url)


@probe(
    "mlflow.traces.recent",
    summary="Traces in the last 7 days from deployed (production-tagged, non-notebook) apps",
    needs=NEEDS,
    remediation="Trace the deployed app to the tracking server and tag traces with their environment.",
    evidence=("mlflow_object",),
)
def traces_recent(views: Views) -> list[Finding]:
    signal = "mlflow.traces.recent"

    def body(facts: MlflowFacts) -> list[Finding]:
        recent = _recent(views, facts)
        deployed = [t for t in recent if _deployed(t)]
        prod = [t for t in deployed if _production(t)]
        values = {
            "traces_read": len(facts.traces),
            "recent": len(recent),
            "deployed": len(deployed),
            "production": len(prod),
        }
        if not deployed:
            why = "only from local runs and notebooks" if recent else "none"
            return [miss(views, signal, f"traces in the last {RECENT_DAYS} days: {why}", values=values)]
        locs = [_trace_loc(facts, t, "production" if _production(t) else "deployed app") for t in deployed]
        message = f"{len(deployed)} trace(s) from deployed apps in the last {RECENT_DAYS} days ({len(prod)} production)"
        confidence = "high" if prod else "medium"
        return [hit(views, signal, locs, message, confidence=confidence, values={**values, "count": len(deployed)})]

    return guarded(views, ("traces",), (signal,), body)


@probe(
    "mlflow.traces.assessments",
    summary="Share of recent traces with assessments (human feedback or judge results)",
    needs=NEEDS,
    remediation="Capture user feedback (mlflow.log_feedback) or run judges on production traces.",
    evidence=("mlflow_object",),
)
def traces_assessments(views: Views) -> list[Finding]:
    signal = "mlflow.traces.assessments"

    def body(facts: MlflowFacts) -> list[Finding]:
        recent = _recent(views, facts)
        if not recent:
            return [not_applicable(views, signal, f"no trace in the last {RECENT_DAYS} days")]
        assessed = [t for t in recent if t.assessments]
        values = {"recent": len(recent), "assessed": len(assessed), "share": share(len(assessed), len(recent))}
        if not assessed:
            return [miss(views, signal, f"none of {len(recent)} recent trace(s) carries an assessment", values=values)]
        locs = [_trace_loc(facts, t, f"{t.assessments} assessment(s)") for t in assessed]
        message = f"{len(assessed)} of {len(recent)} recent traces carry assessments"
        return [hit(views, signal, locs, message, confidence="high", values={**values, "count": len(assessed)})]

    return guarded(views, ("traces",), (signal,), body)


@probe(
    "mlflow.scorers.active",
    summary="Registered scorers monitoring production traces with a sample rate above 0",
    needs=NEEDS,
    remediation="Register judges as scorers and start them on production traces (ScorerSamplingConfig).",
    evidence=("mlflow_object",),
)
def scorers_active(views: Views) -> list[Finding]:
    signal = "mlflow.scorers.active"

    def body(facts: MlflowFacts) -> list[Finding]:
        active = [s for s in facts.scorers if s.sample_rate]
        values = {"scorers": len(facts.scorers), "active": len(active)}
        if active:
            locs = [
                Location(
                    object=f"mlflow scorer {s.name} in experiment {s.experiment_id}: sample rate {s.sample_rate}",
                    url=experiment_loc(facts, s.experiment_id).url,
                )
                for s in active
            ]
            return [
                hit(views, signal, locs, f"{len(active)} scorer(s) sample traces", confidence="high", values=values)
            ]
        if any(s.sample_rate is None for s in facts.scorers):
            status = facts.status("scorer_sampling")
            return [unavailable(views, signal, f"{len(facts.scorers)} scorer(s); sampling unreadable ({status})")]
        return [miss(views, signal, f"{len(facts.scorers)} registered scorer(s), none sampling traces", values=values)]

    return guarded(views, ("scorers",), (signal,), body)


@probe(
    "mlflow.genai.eval_datasets",
    summary="GenAI evaluation datasets kept on the tracking server",
    needs=NEEDS,
    remediation="Keep evaluation datasets on the server (mlflow.genai.datasets) and evaluate against them.",
    evidence=("mlflow_object",),
)
def eval_datasets(views: Views) -> list[Finding]:
    signal = "mlflow.genai.eval_datasets"

    def body(facts: MlflowFacts) -> list[Finding]:
        if not facts.datasets:
            return [miss(views, signal, "no evaluation dataset on the server")]
        loc = Location(object=f"mlflow evaluation datasets ({facts.datasets})", url=facts.base_url)
        return [hit(views, signal, [loc], f"{facts.datasets} evaluation dataset(s)", values={"count": facts.datasets})]

    return guarded(views, ("datasets",), (signal,), body)


@probe(
    "mlflow.genai.eval_runs",
    summary="GenAI evaluation runs (mlflow.genai.evaluate tags its runs mlflow.runType=genai_evaluate)",
    needs=NEEDS,
    remediation="Evaluate LLM apps with mlflow.genai.evaluate against a dataset, in CI or on a schedule.",
    evidence=("mlflow_object",),
)
def eval_runs(views: Views) -> list[Finding]:
    signal = "mlflow.genai.eval_runs"

    def body(facts: MlflowFacts) -> list[Finding]:
        runs = [r for r in facts.runs if r.tags.get("mlflow.runType") == "genai_evaluate"]
        if not runs:
            return [miss(views, signal, f"none of {len(facts.runs)} runs is a GenAI evaluation")]
        locs = [run_loc(facts, r, "genai_evaluate") for r in runs]
        return [hit(views, signal, locs, f"{len(runs)} GenAI evaluation run(s)", confidence="high")]

    return guarded(views, ("runs",), (signal,), body)


@probe(
    "mlflow.registry.webhooks",
    summary="Registry webhooks (model version or alias events) configured on the server",
    needs=NEEDS,
    remediation="Trigger deployment workflows from registry events (webhooks on alias or version changes).",
    evidence=("mlflow_object",),
)
def registry_webhooks(views: Views) -> list[Finding]:
    signal = "mlflow.registry.webhooks"

    def body(facts: MlflowFacts) -> list[Finding]:
        if not facts.webhooks:
            return [miss(views, signal, "no webhook configured")]
        loc = Location(object=f"mlflow webhooks ({facts.webhooks})", url=facts.base_url)
        return [hit(views, signal, [loc], f"{facts.webhooks} webhook(s) configured", values={"count": facts.webhooks})]

    gap = views.mlflow.unreadable("webhooks") if views.mlflow is not None else None
    if gap is not None and gap.failed:
        return [unavailable(views, signal, f"webhooks are configured but unreadable: {gap.reason}")]
    return guarded(views, ("webhooks",), (signal,), body)
