"""The scan's clock: ScanOptions.now reaches every view (Views.now), and the time-window probes read it,
never the wall clock. Pinning it moves a "last N days" window and so flips the signal; what came after
the clock is outside the window."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scanner.engine.rules import builtin_rules_dir, load_rules
from scanner.facts.github import Deployment, RepoFacts, WorkflowRun
from scanner.facts.mlflow import Experiment, MlflowFacts, Run
from scanner.model import Outcome
from scanner.registry import load_probes
from scanner.runner import ScanOptions, scan
from scanner.sources import OrgSource
from scanner.targets import Target
from scanner.testing import make_repo

ROOT = Path(__file__).resolve().parents[1]
ACTIVITY = datetime(2026, 1, 10, tzinfo=UTC)
SOON, LATER = ACTIVITY + timedelta(days=10), ACTIVITY + timedelta(days=300)
EARLIER = ACTIVITY - timedelta(days=10)  # a past audit's clock (--now): what came after it is not in its window


def _outcomes(targets: list[Target], probe_ids: set[str], now: datetime | None, sources: Any = None) -> dict:
    probes = [p for p in load_probes(plugins=False) if p.id in probe_ids]
    result = scan(targets, probes, load_rules(builtin_rules_dir()), ScanOptions(now=now), sources)
    return {f.signal: f.outcome for f in result.findings}


def _mlflow_source() -> OrgSource:
    ms = int(ACTIVITY.timestamp() * 1000)
    facts = MlflowFacts(
        "http://mlflow.acme",
        "http://mlflow.acme",
        "3.1.0",
        None,  # a server: the window ends at the scan's clock
        experiments=(Experiment("1", "churn", {}, ms),),
        runs=(Run("r1", "1", "train", ms, 3, 2, {}, ()),),
        sections={"experiments": "ok", "runs": "ok"},
    )
    return OrgSource(Target("mlflow:http://mlflow.acme", "mlflow"), "mlflow", lambda: facts)


@pytest.mark.parametrize(("now", "outcome"), [(SOON, Outcome.TRUE), (LATER, Outcome.FALSE), (EARLIER, Outcome.FALSE)])
def test_the_mlflow_window_ends_at_the_pinned_clock(now: datetime, outcome: Outcome) -> None:
    found = _outcomes([], {"mlflow.experiments.active"}, now, [_mlflow_source()])
    assert found["mlflow.experiments.active"] is outcome


@pytest.mark.parametrize(("now", "outcome"), [(SOON, Outcome.TRUE), (LATER, Outcome.FALSE), (EARLIER, Outcome.FALSE)])
def test_the_github_windows_end_at_the_pinned_clock(tmp_path: Path, now: datetime, outcome: Outcome) -> None:
    target = Target("churn", "repo", path=make_repo(tmp_path, {"train.py": "print('hi')\n"}))
    deployments = [Deployment("production", ACTIVITY, "ci-bot[bot]", True, "success")] * 14  # over 1 a week
    nightly = ".github/workflows/nightly.yml"
    facts = RepoFacts(
        "acme/churn",
        "https://github.com/acme/churn",
        "main",
        None,
        deployments=deployments,
        scheduled_workflows=(nightly,),
        schedule_runs=[WorkflowRun(nightly, "success", ACTIVITY, "")],
    )
    target.view_builders["github"] = lambda index: facts
    found = _outcomes([target], {"gh.environments", "gh.releases", "gh.schedules.running"}, now)
    for signal in ("gh.environments.used", "gh.deploy_frequency", "gh.schedules.running"):
        assert found[signal] is outcome, signal


def test_a_naive_pinned_clock_is_read_as_utc() -> None:
    naive = SOON.replace(tzinfo=None)
    found = _outcomes([], {"mlflow.experiments.active"}, naive, [_mlflow_source()])
    assert found["mlflow.experiments.active"] is Outcome.TRUE


def test_no_probe_reads_the_wall_clock() -> None:
    wall = re.compile(r"datetime\.now|datetime\.utcnow|time\.time\(|date\.today|time\.monotonic")
    readers = [str(p.relative_to(ROOT)) for p in (ROOT / "probes").rglob("*.py") if wall.search(p.read_text())]
    assert not readers
