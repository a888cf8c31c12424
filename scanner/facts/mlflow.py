"""The MLflow view: typed, read-only facts about one tracking server or local store.

Built from REST-shaped answers (a local store's entities are converted to the same shape), so one
parser serves servers of every version and local stores. `sections` says, per kind of object, whether
it was read (`ok`), read only in part (`truncated: ...`: the most recent, by design), cut short by a
bound of the source (`partial: ...`: what was read proves presence, never absence), not offered by the
server (`missing: ...`), not readable (`denied: ...`, `error: ...`). `unreadable(section)` turns
anything but ok/truncated/partial into an `Unreadable` (scanner/facts/sections.py), which probes report
as not_available (error when the read failed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from scanner.facts.sections import Unreadable

PROMPT_TAG = "mlflow.prompt.is_prompt"
LINKED_PROMPTS = "mlflow.linkedPrompts"


def tag_map(raw: Any) -> dict[str, str]:
    """Tags come as [{key, value}] (runs, models) or as a plain mapping (traces v3)."""
    if isinstance(raw, Mapping):
        return {str(k): str(v) for k, v in raw.items()}
    return {str(t.get("key")): str(t.get("value", "")) for t in raw or [] if isinstance(t, Mapping)}


def _ms(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def iso_ms(value: Any) -> int:
    """Milliseconds since the epoch from an int or an RFC 3339 string ("2026-11-26T20:12:37.974Z")."""
    if isinstance(value, str) and "T" in value:
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            return 0
    return _ms(value)


@dataclass(frozen=True)
class Experiment:
    id: str
    name: str
    tags: Mapping[str, str]
    last_update: int

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Experiment:
        return cls(
            str(raw.get("experiment_id", "")),
            str(raw.get("name", "")),
            tag_map(raw.get("tags")),
            _ms(raw.get("last_update_time") or raw.get("creation_time")),
        )


@dataclass(frozen=True)
class Run:
    id: str
    experiment_id: str
    name: str
    start_time: int
    params: int
    metrics: int
    tags: Mapping[str, str]
    dataset_sources: tuple[str, ...]

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Run:
        info, data = raw.get("info") or {}, raw.get("data") or {}
        tags = tag_map(data.get("tags"))
        sources = []
        for item in (raw.get("inputs") or {}).get("dataset_inputs") or []:
            dataset = item.get("dataset") or {}
            sources.append(_dataset_source(dataset))
        return cls(
            str(info.get("run_id") or info.get("run_uuid") or ""),
            str(info.get("experiment_id", "")),
            str(info.get("run_name") or tags.get("mlflow.runName", "")),
            _ms(info.get("start_time")),
            len(data.get("params") or []),
            len(data.get("metrics") or []),
            tags,
            tuple(s for s in sources if s),
        )

    @property
    def user(self) -> str:
        return self.tags.get("mlflow.user", "")

    @property
    def git_commit(self) -> str:
        return self.tags.get("mlflow.source.git.commit", "")

    @property
    def repo_url(self) -> str:
        return self.tags.get("mlflow.source.git.repoURL", "")

    @property
    def source_name(self) -> str:
        return self.tags.get("mlflow.source.name", "")

    @property
    def source_type(self) -> str:
        return self.tags.get("mlflow.source.type", "")


def _dataset_source(dataset: Mapping[str, Any]) -> str:
    """A dataset's source as one string: `source_type:uri-or-table`."""
    source = str(dataset.get("source", ""))
    try:
        parsed = json.loads(source)
    except ValueError:
        parsed = None
    if isinstance(parsed, Mapping):
        keys = ("delta_table_name", "table_name", "table", "uri", "url", "path")
        source = str(next((parsed[k] for k in keys if parsed.get(k)), source))
    kind = str(dataset.get("source_type", ""))
    return f"{kind}:{source}" if kind else source


@dataclass(frozen=True)
class ModelVersion:
    name: str
    version: str
    run_id: str
    source: str
    description: str
    stage: str
    user_id: str
    tags: Mapping[str, str]
    created: int

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> ModelVersion:
        return cls(
            str(raw.get("name", "")),
            str(raw.get("version", "")),
            str(raw.get("run_id") or ""),
            str(raw.get("source") or ""),
            str(raw.get("description") or ""),
            str(raw.get("current_stage") or "None"),
            str(raw.get("user_id") or ""),
            tag_map(raw.get("tags")),
            _ms(raw.get("creation_timestamp")),
        )


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    tags: Mapping[str, str]
    aliases: Mapping[str, str]  # alias -> version

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> RegisteredModel:
        aliases = {str(a.get("alias")): str(a.get("version")) for a in raw.get("aliases") or []}
        return cls(str(raw.get("name", "")), tag_map(raw.get("tags")), aliases)

    @property
    def is_prompt(self) -> bool:
        return self.tags.get(PROMPT_TAG, "").lower() == "true"


@dataclass(frozen=True)
class Trace:
    id: str
    experiment_id: str
    time: int
    tags: Mapping[str, str]
    metadata: Mapping[str, str]
    assessments: int

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Trace:
        location = (raw.get("trace_location") or {}).get("mlflow_experiment") or {}
        return cls(
            str(raw.get("trace_id") or raw.get("request_id") or ""),
            str(location.get("experiment_id") or raw.get("experiment_id") or ""),
            iso_ms(raw.get("request_time") or raw.get("timestamp_ms")),
            tag_map(raw.get("tags")),
            tag_map(raw.get("trace_metadata") or raw.get("request_metadata")),
            len(raw.get("assessments") or []),
        )


@dataclass(frozen=True)
class Scorer:
    experiment_id: str
    name: str
    id: str
    sample_rate: float | None = None  # None: no online scoring configuration was read

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Scorer:
        return cls(
            str(raw.get("experiment_id", "")),
            str(raw.get("scorer_name") or raw.get("name") or ""),
            str(raw.get("scorer_id") or ""),
        )


@dataclass(frozen=True)
class MlflowFacts:
    """What one MLflow source holds. `base_url` is set for servers (object URLs are built from it)."""

    uri: str
    base_url: str | None
    version: str | None
    window_end: int | None  # ms: the latest activity of a local store (a snapshot); None for a server
    experiments: tuple[Experiment, ...] = ()
    runs: tuple[Run, ...] = ()
    models: tuple[RegisteredModel, ...] = ()
    versions: tuple[ModelVersion, ...] = ()
    prompts: tuple[RegisteredModel, ...] = ()
    prompt_versions: tuple[ModelVersion, ...] = ()
    logged_models: int = 0
    traces: tuple[Trace, ...] = ()
    scorers: tuple[Scorer, ...] = ()
    datasets: int = 0
    webhooks: int = 0
    sections: Mapping[str, str] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()  # entries of a local store left out (a malformed meta.yaml), with why

    def window_end_ms(self, now: datetime) -> int:
        """The end of the time windows probes look at ("runs in the last 90 days"), in ms: the scan's
        clock `now` (Views.now) for a server, the latest activity for a local store."""
        return self.window_end if self.window_end is not None else int(now.timestamp() * 1000)

    def status(self, section: str) -> str:
        return self.sections.get(section, "missing: not read")

    def unreadable(self, section: str) -> Unreadable | None:
        return Unreadable.from_status(section, self.status(section), label=f"MLflow {section}")

    def partial(self, section: str) -> bool:
        return self.status(section).startswith("partial")

    def experiment_url(self, experiment_id: str) -> str | None:
        return f"{self.base_url}/#/experiments/{experiment_id}" if self.base_url else None

    def run_url(self, run: Run) -> str | None:
        return f"{self.base_url}/#/experiments/{run.experiment_id}/runs/{run.id}" if self.base_url else None

    def model_url(self, name: str, version: str | None = None) -> str | None:
        if not self.base_url:
            return None
        url = f"{self.base_url}/#/models/{quote(name, safe='')}"
        return f"{url}/versions/{version}" if version else url

    def prompt_url(self, name: str, version: str | None = None) -> str | None:
        if not self.base_url:
            return None
        url = f"{self.base_url}/#/prompts/{quote(name, safe='')}"
        return f"{url}?selectedVersions={version}" if version else url
