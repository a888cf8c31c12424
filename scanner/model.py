"""Core data types: findings and locations (probe definitions are in scanner/probedef.py).

Findings are immutable. A finding's id is stable across runs: it is made of the signal, the subject
(target id) and an optional key naming what was seen, never of line numbers or timestamps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    TRUE = "true"
    FALSE = "false"
    NOT_AVAILABLE = "not_available"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"


@dataclass(frozen=True)
class Location:
    """Where something was seen: a file and line at a commit, or a remote object with its URL."""

    path: str | None = None
    line: int | None = None
    url: str | None = None
    commit: str | None = None
    object: str | None = None  # e.g. "mlflow registered model churn v3"
    snippet: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {
            "path": self.path,
            "line": self.line,
            "url": self.url,
            "commit": self.commit,
            "object": self.object,
            "snippet": self.snippet,
        }
        return {k: v for k, v in out.items() if v is not None}

    def label(self) -> str:
        if self.path:
            return f"{self.path}:{self.line}" if self.line else self.path
        return self.object or self.url or "?"


MAX_LOCATIONS = 20


@dataclass(frozen=True)
class Finding:
    probe: str
    signal: str
    subject: str
    outcome: Outcome
    confidence: str  # low | medium | high
    message: str
    locations: tuple[Location, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    key: str = ""
    id: str = field(init=False, repr=False, compare=False)  # made once (a plain attribute): everything asks

    def __post_init__(self) -> None:
        base = f"{self.signal}@{self.subject}"
        object.__setattr__(self, "id", f"{base}#{self.key}" if self.key else base)

    @property
    def count(self) -> int:
        """How many things were seen (values.count when the probe counted, else the locations)."""
        if self.outcome is not Outcome.TRUE:
            return 0
        value = self.values.get("count")
        return int(value) if isinstance(value, int) else max(1, len(self.locations))

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Finding:
        """A finding back from its JSON (`to_json`, which gives the key inside the id, or with `key`)."""
        key = d.get("key")
        if key is None:  # the evidence JSON gives the key only inside the id: SIGNAL@SUBJECT#KEY
            base = f"{d['signal']}@{d['subject']}#"
            key = d["id"][len(base) :] if str(d.get("id", "")).startswith(base) else ""
        return cls(
            probe=d["probe"],
            signal=d["signal"],
            subject=d["subject"],
            outcome=Outcome(d["outcome"]),
            confidence=d["confidence"],
            message=d["message"],
            locations=tuple(Location(**loc) for loc in d.get("locations", [])),
            values=d.get("values", {}),
            key=key,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "probe": self.probe,
            "signal": self.signal,
            "subject": self.subject,
            "outcome": self.outcome.value,
            "confidence": self.confidence,
            "message": self.message,
            "locations": [loc.to_json() for loc in self.locations],
            "values": dict(self.values),
        }
