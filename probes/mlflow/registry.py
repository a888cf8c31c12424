"""The model registry: versions traceable to runs, release aliases, several versions live at once.
Prompts are registered models too; the collector keeps them apart, so nothing here counts them."""

from __future__ import annotations

from collections import defaultdict

from probes.mlflow._common import NEEDS, guarded, version_loc
from scanner.facts.mlflow import MlflowFacts, ModelVersion, RegisteredModel
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, not_applicable, probe
from scanner.views import Views

VALIDATION_TAGS = ("validation_status", "approved", "approval", "validated", "approval_status")
LIVE_ALIASES = ("champion", "challenger", "shadow", "canary", "prod", "production", "live", "blue", "green")


def _none_registered(views: Views, signal: str, facts: MlflowFacts) -> Finding | None:
    if facts.models:
        return None
    return not_applicable(views, signal, "no registered model (prompts excluded) on the MLflow source")


@probe(
    "mlflow.registry.versions",
    summary="Registered model versions traceable to the run (run_id or runs:/ source) that produced them",
    needs=NEEDS,
    remediation="Register models from runs (mlflow.register_model('runs:/...')) so versions trace to code.",
    evidence=("mlflow_object",),
)
def registry_versions(views: Views) -> list[Finding]:
    signal = "mlflow.registry.versions"

    def body(facts: MlflowFacts) -> list[Finding]:
        traced = [v for v in facts.versions if v.run_id or v.source.startswith(("runs:/", "models:/"))]
        values = {
            "models": len(facts.models),
            "versions": len(facts.versions),
            "traced_versions": len(traced),
            "logged_models": facts.logged_models,
        }
        if not traced:
            if not facts.models:
                return [miss(views, signal, "no registered model (prompts excluded)", values=values)]
            return [miss(views, signal, f"{len(facts.versions)} version(s), none linked to a run", values=values)]
        locs = [version_loc(facts, v, f"run {v.run_id}" if v.run_id else v.source) for v in traced]
        message = f"{len(traced)} of {len(facts.versions)} versions of {len(facts.models)} model(s) trace to runs"
        return [hit(views, signal, locs, message, confidence="high", values={**values, "count": len(traced)})]

    return guarded(views, ("models",), (signal,), body)


def _alias_locs(facts: MlflowFacts, model: RegisteredModel) -> list[Location]:
    return [
        Location(object=f"mlflow registered model {model.name} v{v} alias @{a}", url=facts.model_url(model.name, v))
        for a, v in sorted(model.aliases.items())
    ]


def _validated(version: ModelVersion) -> str:
    return next((f"{k}={version.tags[k]}" for k in VALIDATION_TAGS if version.tags.get(k)), "")


@probe(
    "mlflow.registry.aliases",
    summary="Registered models released through aliases (champion/challenger), validation tags or stages",
    needs=NEEDS,
    remediation="Promote model versions with registry aliases (champion, challenger) and validation tags.",
    evidence=("mlflow_object",),
)
def registry_aliases(views: Views) -> list[Finding]:
    signal = "mlflow.registry.aliases"

    def body(facts: MlflowFacts) -> list[Finding]:
        empty = _none_registered(views, signal, facts)
        if empty:
            return [empty]
        locs = [loc for m in facts.models for loc in _alias_locs(facts, m)]
        locs += [version_loc(facts, v, _validated(v)) for v in facts.versions if _validated(v)]
        staged = [v for v in facts.versions if v.stage in ("Staging", "Production")]
        if locs:
            message = f"{len(locs)} alias(es) or validation tag(s) on {len(facts.models)} registered model(s)"
            return [hit(views, signal, locs, message, confidence="high")]
        if staged:
            locs = [version_loc(facts, v, f"stage {v.stage} (legacy stages)") for v in staged]
            return [hit(views, signal, locs, f"{len(staged)} version(s) in legacy stages", confidence="medium")]
        return [miss(views, signal, f"none of {len(facts.models)} registered model(s) uses aliases or stages")]

    return guarded(views, ("models",), (signal,), body)


@probe(
    "mlflow.registry.multi_alias_live",
    summary="Two or more versions of one model carry serving aliases at once (champion + challenger)",
    needs=NEEDS,
    remediation="Serve a challenger or shadow version beside the champion and compare them in production.",
    evidence=("mlflow_object",),
)
def registry_multi_alias_live(views: Views) -> list[Finding]:
    signal = "mlflow.registry.multi_alias_live"

    def body(facts: MlflowFacts) -> list[Finding]:
        empty = _none_registered(views, signal, facts)
        if empty:
            return [empty]
        live: dict[str, list[Location]] = defaultdict(list)
        for model in facts.models:
            serving = {a: v for a, v in model.aliases.items() if any(w in a.lower() for w in LIVE_ALIASES)}
            if len(set(serving.values())) >= 2:
                live[model.name] = _alias_locs(facts, RegisteredModel(model.name, model.tags, serving))
        if not live:
            return [miss(views, signal, "no model has two versions under serving aliases at once")]
        locs = [loc for name in sorted(live) for loc in live[name]]
        message = f"{len(live)} model(s) with several aliased versions live: {', '.join(sorted(live))}"
        return [hit(views, signal, locs, message, confidence="high", values={"count": len(live)})]

    return guarded(views, ("models",), (signal,), body)
