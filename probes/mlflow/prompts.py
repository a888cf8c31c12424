"""The prompt registry: versioned prompts behind aliases, linked to runs and traces, and versions
created by automation (optimisers, service principals)."""

from __future__ import annotations

import json
import re
from collections import Counter

from probes.mlflow._common import NEEDS, guarded, version_loc
from scanner.facts.mlflow import LINKED_PROMPTS, MlflowFacts, ModelVersion
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, not_applicable, probe
from scanner.views import Views

_BOT_USER = re.compile(r"(bot|\bci\b|[-_.]ci\b|^ci[-_.]|svc|service|automation|pipeline|github-actions|\[bot\])", re.I)
_OPTIMISER = re.compile(r"optimi[sz]|gepa|metaprompt|meta-prompt|dspy|mipro|textgrad|auto-?generated", re.I)
OPTIMISER_TAGS = ("mlflow.prompt.optimizer", "optimizer", "mlflow.prompt.optimization_job_id")


def _no_prompts(views: Views, signal: str, facts: MlflowFacts) -> Finding | None:
    if facts.prompts:
        return None
    return not_applicable(views, signal, "no prompt in the MLflow prompt registry")


@probe(
    "mlflow.prompts.aliases",
    summary="Prompts with two or more versions whose versions carry aliases (e.g. production)",
    needs=NEEDS,
    remediation="Version prompts in the registry and resolve them by alias (prompts:/name@production).",
    evidence=("mlflow_object",),
)
def prompts_aliases(views: Views) -> list[Finding]:
    signal = "mlflow.prompts.aliases"

    def body(facts: MlflowFacts) -> list[Finding]:
        empty = _no_prompts(views, signal, facts)
        if empty:
            return [empty]
        counts = Counter(v.name for v in facts.prompt_versions)
        locs = [
            Location(object=f"mlflow prompt {p.name} v{v} alias @{a}", url=facts.prompt_url(p.name, v))
            for p in facts.prompts
            if p.aliases and counts[p.name] >= 2
            for a, v in sorted(p.aliases.items())
        ]
        values = {"prompts": len(facts.prompts), "prompt_versions": len(facts.prompt_versions)}
        if not locs:
            return [miss(views, signal, f"{len(facts.prompts)} prompt(s), none with 2+ versions and an alias")]
        message = f"{len(locs)} alias(es) on versioned prompts ({len(facts.prompts)} prompt(s) in the registry)"
        return [hit(views, signal, locs, message, confidence="high", values=values)]

    return guarded(views, ("prompts",), (signal,), body)


def _linked(raw: str) -> list[tuple[str, str]]:
    try:
        items = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    return [(str(i.get("name")), str(i.get("version"))) for i in items if isinstance(i, dict) and i.get("name")]


@probe(
    "mlflow.prompts.linked_to_runs",
    summary="Prompt versions linked to runs or traces (mlflow.linkedPrompts)",
    needs=NEEDS,
    remediation="Load prompts from the registry inside runs and traced apps so each result names its prompt.",
    evidence=("mlflow_object",),
)
def prompts_linked(views: Views) -> list[Finding]:
    signal = "mlflow.prompts.linked_to_runs"

    def body(facts: MlflowFacts) -> list[Finding]:
        empty = _no_prompts(views, signal, facts)
        if empty:
            return [empty]
        links: dict[tuple[str, str], str] = {}
        for run in facts.runs:
            for ref in _linked(run.tags.get(LINKED_PROMPTS, "")):
                links.setdefault(ref, f"run {run.id}")
        for trace in facts.traces:
            raw = trace.tags.get(LINKED_PROMPTS) or trace.metadata.get(LINKED_PROMPTS, "")
            for ref in _linked(raw):
                links.setdefault(ref, f"trace {trace.id}")
        if not links:
            return [miss(views, signal, "no run or recent trace names a prompt version it used")]
        locs = [
            Location(object=f"mlflow prompt {n} v{v} used by {where}", url=facts.prompt_url(n, v))
            for (n, v), where in sorted(links.items())
        ]
        return [hit(views, signal, locs, f"{len(links)} prompt version(s) linked to runs or traces", confidence="high")]

    return guarded(views, ("prompts", "runs"), (signal,), body)


def _automation(version: ModelVersion) -> str:
    if version.user_id and _BOT_USER.search(version.user_id):
        return f"created by {version.user_id}"
    tag = next((k for k in OPTIMISER_TAGS if version.tags.get(k)), "")
    if tag:
        return f"tag {tag}={version.tags[tag]}"
    if _OPTIMISER.search(version.description):
        return f"commit message {version.description[:80]!r}"
    return ""


@probe(
    "mlflow.prompts.versions_by_automation",
    summary="Prompt versions created by service principals or optimisers (commit messages, optimiser tags)",
    needs=NEEDS,
    remediation="Let an eval-gated optimisation pipeline (mlflow.genai.optimize_prompts) register prompt versions.",
    evidence=("mlflow_object",),
)
def prompts_by_automation(views: Views) -> list[Finding]:
    signal = "mlflow.prompts.versions_by_automation"

    def body(facts: MlflowFacts) -> list[Finding]:
        empty = _no_prompts(views, signal, facts)
        if empty:
            return [empty]
        automated = [(v, _automation(v)) for v in facts.prompt_versions]
        locs = [version_loc(facts, v, why, prompt=True) for v, why in automated if why]
        if not locs:
            return [miss(views, signal, f"all {len(facts.prompt_versions)} prompt version(s) look hand-made")]
        return [hit(views, signal, locs, f"{len(locs)} prompt version(s) created by automation", confidence="medium")]

    return guarded(views, ("prompts",), (signal,), body)
