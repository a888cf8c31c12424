"""Small assertions shared by the data/infra probe tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from scanner.model import Finding, Outcome
from scanner.views import Views
from tests.helpers import repo_views

Probe = Callable[[Views], Iterable[Finding]]


def run(probe: Probe, tmp_path: Path, files: Mapping[str, str | bytes]) -> dict[str, Finding]:
    """Findings of `probe` on a repo holding `files`, by signal (one finding per signal expected)."""
    findings = list(probe(repo_views(tmp_path, dict(files))))
    by_signal = {f.signal: f for f in findings}
    assert len(by_signal) == len(findings), "one finding per signal"
    return by_signal


def outcome(finding: Finding) -> bool:
    assert finding.outcome in (Outcome.TRUE, Outcome.FALSE), finding
    return finding.outcome is Outcome.TRUE


def labels(finding: Finding) -> list[str]:
    return [loc.label() for loc in finding.locations]
