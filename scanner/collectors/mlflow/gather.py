"""Read one MLflow source into MlflowFacts with a bounded number of requests.

Bounds: at most MAX_PAGES pages per listing (1,000 items a page), the MAX_RUNS most recent runs, one
page of recent traces across all experiments, scorers of the (at most MAX_SCORER_EXPERIMENTS) experiments with traces.
Each kind of object is read on its own: a 404 marks it `missing` (older server), a 401/403 `denied`,
a 5xx `error`; the other kinds are still read. Only an unreachable source fails as a whole.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from scanner.collectors.mlflow.backends import Backend
from scanner.collectors.mlflow.client import FATAL, MlflowError, Partial
from scanner.facts.mlflow import (
    PROMPT_TAG,
    Experiment,
    MlflowFacts,
    ModelVersion,
    RegisteredModel,
    Run,
    Scorer,
    Trace,
)

MAX_PAGES = 10
MAX_RUNS = 5000
MAX_TRACES = 200
MAX_SCORER_EXPERIMENTS = 10
ID_CHUNK = 100
PROMPT_FILTER = f"tags.`{PROMPT_TAG}` = 'true'"


class Gatherer:
    def __init__(self, backend: Backend, sections: dict[str, str]) -> None:
        self.backend = backend
        self.sections = sections

    def note(self, section: str, status: str) -> None:
        """Record a section's status; a worse one (ok < truncated < partial < not read) is kept."""
        old = self.sections.get(section)
        if old is None or _rank(old) < _rank(status):
            self.sections[section] = status

    def listing(self, op: str, args: dict[str, Any], *, section: str, limit: int = 0) -> list[dict[str, Any]]:
        """Every page of `op` up to the caps; on failure the section says why and the list is what was read.
        A bound of the source (kind `limit`) makes the section `partial`: its items are evidence of
        presence, but an absence is not concluded from it."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        try:
            for _ in range(MAX_PAGES):
                page, token = self.backend.page(op, args, token)
                items.extend(page)
                if not token or (limit and len(items) >= limit):
                    break
        except MlflowError as exc:
            if exc.kind in FATAL:
                raise
            if exc.kind == "limit":
                items.extend(exc.items if isinstance(exc, Partial) else [])
                self.note(section, f"partial: {exc}; read the first {len(items)}")
                return items[:limit] if limit else items
            self.note(section, f"{exc.kind}: {exc}")
            return items
        if token:
            self.note(section, f"truncated: read the first {len(items)}")
        self.note(section, "ok")
        return items[:limit] if limit else items

    def readable(self, section: str) -> bool:
        return self.sections.get(section, "ok").split(":")[0] in READABLE

    def chunked(self, op: str, ids: list[str], *, section: str, limit: int = 0) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), ID_CHUNK):
            out.extend(self.listing(op, {"experiment_ids": ids[start : start + ID_CHUNK]}, section=section))
            if limit and len(out) >= limit:
                self.note(section, f"truncated: read the {limit} most recent")
                return out[:limit]
        self.note(section, "ok")
        return out


READABLE = ("ok", "truncated", "partial")


def _rank(status: str) -> int:
    kind = status.split(":")[0]
    return READABLE.index(kind) if kind in READABLE else len(READABLE)


def _traces(g: Gatherer, ids: list[str]) -> list[Trace]:
    if not ids:
        g.sections["traces"] = "ok"
        return []
    args = {"experiment_ids": ids[:ID_CHUNK], "max_results": 100}
    raw = g.listing("traces", args, section="traces", limit=MAX_TRACES)
    if g.sections["traces"].startswith("missing"):  # an MLflow 2 server: the v2 listing
        del g.sections["traces"]
        raw = g.listing("traces_v2", args, section="traces", limit=MAX_TRACES)
    return [Trace.parse(t) for t in raw]


def _scorers(g: Gatherer, ids: list[str]) -> list[Scorer]:
    """Registered scorers of (at most MAX_SCORER_EXPERIMENTS) experiments, with their sampling rates."""
    found: list[Scorer] = []
    if g.sections.get("traces", "ok").split(":")[0] in ("missing", "denied", "error", "server"):
        g.sections["scorers"] = f"missing: no traces to monitor were readable ({g.sections['traces']})"
        return found
    for experiment_id in ids[:MAX_SCORER_EXPERIMENTS]:
        raw = g.listing("scorers", {"experiment_id": experiment_id}, section="scorers")
        found.extend(Scorer.parse({"experiment_id": experiment_id, **s}) for s in raw)
        if not g.readable("scorers"):
            return found
    if g.sections.get("traces", "").startswith("partial"):  # scorers of experiments whose traces went unread
        g.note("scorers", f"partial: the traces were read only in part ({g.sections['traces']})")
    g.note("scorers", "ok")
    scorer_ids = [s.id for s in found if s.id]
    rates: dict[str, float] = {}
    for start in range(0, len(scorer_ids), ID_CHUNK):
        chunk = {"scorer_ids": scorer_ids[start : start + ID_CHUNK]}
        for config in g.listing("scorer_configs", chunk, section="scorer_sampling"):
            rates[str(config.get("scorer_id"))] = float(config.get("sample_rate") or 0.0)
    return [replace(s, sample_rate=rates.get(s.id, 0.0 if g.readable("scorer_sampling") else None)) for s in found]


PROMPTS_SINCE = (2, 21)  # mlflow.register_prompt; MLflow 3 moved it to mlflow.genai


def _predates_prompts(info: dict[str, Any]) -> bool:
    """A server too old for prompts: its version says so, or it has neither a version nor server-info."""
    match = re.match(r"^(\d+)\.(\d+)", str(info.get("version") or ""))
    if match:
        return (int(match.group(1)), int(match.group(2))) < PROMPTS_SINCE
    return info.get("server_info") == "missing"


def gather(backend: Backend, uri: str, base_url: str | None) -> MlflowFacts:
    sections: dict[str, str] = {}
    info = backend.info()
    g = Gatherer(backend, sections)
    experiments = [Experiment.parse(e) for e in g.listing("experiments", {}, section="experiments")]
    if sections["experiments"].startswith("denied"):  # nothing else will be readable either
        raise MlflowError("denied", f"no permission to read experiments: {sections['experiments']}")
    if sections["experiments"].startswith("partial") and not experiments:  # an oversized first answer
        raise MlflowError("limit", f"the experiments could not be read: {sections['experiments']}")
    ids = [e.id for e in experiments]
    runs = [Run.parse(r) for r in g.chunked("runs", ids, section="runs", limit=MAX_RUNS)]
    all_models = [RegisteredModel.parse(m) for m in g.listing("models", {}, section="models")]
    versions = [ModelVersion.parse(v) for v in g.listing("versions", {}, section="models")]
    prompts = [RegisteredModel.parse(m) for m in g.listing("models", {"filter": PROMPT_FILTER}, section="prompts")]
    prompt_names = {p.name for p in prompts if p.is_prompt}
    prompt_versions = [
        v
        for v in (ModelVersion.parse(x) for x in g.listing("versions", {"filter": PROMPT_FILTER}, section="prompts"))
        if v.name in prompt_names
    ]
    if not prompt_names and _predates_prompts(info):
        sections["prompts"] = (
            f"missing: MLflow {info.get('version') or '(version unknown)'} predates the prompt registry"
        )
    logged = g.chunked("logged_models", ids, section="logged_models")
    traces = _traces(g, ids)
    traced = list(dict.fromkeys(t.experiment_id for t in traces))
    scorers = _scorers(g, traced)  # scorers monitor traces: only experiments with recent traces
    datasets = g.listing("datasets", {"max_results": 100}, section="datasets")
    webhooks = g.listing("webhooks", {"max_results": 100}, section="webhooks")
    activity = [r.start_time for r in runs] + [t.time for t in traces] + [e.last_update for e in experiments]
    # a local store is a snapshot: its windows end at its latest activity; a server's at the scan's clock
    window_end = max(activity, default=0) if base_url is None else None
    return MlflowFacts(
        uri=uri,
        base_url=base_url,
        version=info.get("version"),
        window_end=window_end,
        experiments=tuple(experiments),
        runs=tuple(runs),
        models=tuple(m for m in all_models if not m.is_prompt and m.name not in prompt_names),
        versions=tuple(v for v in versions if v.name not in prompt_names and v.tags.get(PROMPT_TAG) != "true"),
        prompts=tuple(p for p in prompts if p.is_prompt),
        prompt_versions=tuple(prompt_versions),
        logged_models=len(logged),
        traces=tuple(traces),
        scorers=tuple(scorers),
        datasets=len(datasets),
        webhooks=len(webhooks),
        sections=dict(sorted(sections.items())),
        skipped=tuple(str(s) for s in info.get("skipped") or ()),
    )
