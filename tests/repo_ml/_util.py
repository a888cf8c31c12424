"""Shared helpers for the ML-lifecycle probe tests: run a probe on a tiny real git repo, build notebooks,
and check a table row."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scanner.model import Finding
from scanner.probekit import SPEC_ATTR
from scanner.views import Views
from tests.helpers import repo_views

Probe = Callable[[Views], Iterable[Finding]]
Files = Mapping[str, str | bytes]


def run(probe: Probe, tmp_path: Path, files: Files) -> dict[str, Finding]:
    """Findings by signal; every declared signal must be answered exactly once."""
    findings = list(probe(repo_views(tmp_path, dict(files))))
    by_signal = {f.signal: f for f in findings}
    assert len(by_signal) == len(findings), "one finding per signal"
    spec = getattr(probe, SPEC_ATTR)
    assert set(spec.emits) == set(by_signal), f"signals answered: {sorted(by_signal)}"
    return by_signal


def notebook(*cells: str, metadata: dict[str, object] | None = None) -> str:
    """A minimal nbformat-4 notebook with one code cell per argument."""
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": c} for c in cells],
            "metadata": metadata or {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


@dataclass
class Row:
    """One table case: files in, expected outcome out, plus what else could break."""

    name: str
    files: Files
    outcome: str  # "true" | "false" | "not_applicable"
    count: int | None = None
    where: list[str] = field(default_factory=list)  # location labels that must be present ("path:line")
    confidence: str | None = None
    values: dict[str, object] = field(default_factory=dict)

    def check(self, finding: Finding) -> None:
        assert finding.outcome.value == self.outcome, f"{self.name}: {finding.message}"
        labels = [loc.label() for loc in finding.locations]
        for where in self.where:
            assert where in labels, f"{self.name}: {where} not in {labels}"
        if self.count is not None:
            assert finding.values.get("count") == self.count, f"{self.name}: {finding.values}"
        if self.confidence is not None:
            assert finding.confidence == self.confidence, f"{self.name}: {finding.confidence}"
        for key, value in self.values.items():
            assert finding.values.get(key) == value, f"{self.name}: {key}={finding.values.get(key)!r}"


def ids(rows: list[Row]) -> list[str]:
    return [r.name for r in rows]
