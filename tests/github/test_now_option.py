"""`aiops-scan scan --now DATE`: the scan's clock from the command line, to reproduce a past audit's time
windows. It is checked before scanning, recorded in the evidence (`config.now`), part of the fingerprint
(cached findings and shards of another clock are not taken), and moves the windows of the GitHub probes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner.cli import EXIT_OK, EXIT_USAGE, main
from scanner.testing import make_repo

from .fake_github import FakeGitHub
from .test_github_scan import finding, run
from .test_shard_merge import scan_into


@pytest.mark.parametrize(
    "value", ["2026-13-01", "yesterday", "", "10/01/2026", "2026-01-10T25:00", "1969-12-31", "9999-12-31T23:00-05:00"]
)
def test_a_malformed_clock_is_one_line_and_exit_2_before_scanning(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence.json"
    repo = make_repo(tmp_path, {"train.py": "print('hi')\n"})
    assert main(["scan", str(repo), f"--now={value}", "--json", str(out), "--quiet"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("aiops-scan: --now: ") and err.count("\n") == 1, err
    assert repr(value) in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("value", "recorded"),
    [
        ("2026-01-10", "2026-01-10T00:00:00Z"),  # a date: its midnight, UTC
        ("2026-01-10T02:30:00+02:00", "2026-01-10T00:30:00Z"),  # an offset: converted to UTC
        ("2026-01-10T00:30Z", "2026-01-10T00:30:00Z"),
        ("2026-01-10 00:30", "2026-01-10T00:30:00Z"),  # no offset: UTC
        (None, None),  # not pinned: nothing recorded (the wall clock is the scan's start time)
    ],
)
def test_the_pinned_clock_is_recorded_in_the_evidence(value: str | None, recorded: str | None, tmp_path: Path) -> None:
    out = tmp_path / "evidence.json"
    repo = make_repo(tmp_path, {"train.py": "print('hi')\n"})
    pinned = ["--now", value] if value is not None else []
    assert main(["scan", str(repo), *pinned, "--json", str(out), "--quiet"]) == EXIT_OK
    assert json.loads(out.read_text())["config"].get("now") == recorded


def test_the_clock_moves_the_github_windows_and_keys_the_cache(fake: FakeGitHub, tmp_path: Path) -> None:
    code, live = run(fake, tmp_path)  # the fixture's deployments are 1 to 29 days old
    assert code == EXIT_OK
    assert finding(live, "gh.environments.used", "llm-app")["outcome"] == "true"
    later = (datetime.now(UTC) + timedelta(days=400)).date().isoformat()
    # the same cache: the first run's findings (read at another clock) must not be reused
    code, pinned = run(fake, tmp_path, "--now", later)
    assert code == EXIT_OK and pinned["config"]["now"] == f"{later}T00:00:00Z"
    assert pinned["stats"]["cache_hits"] == 0
    assert finding(pinned, "gh.environments.used", "llm-app")["outcome"] == "false"
    code, again = run(fake, tmp_path, "--now", later)  # the same clock again: cached findings reused
    assert code == EXIT_OK and again["stats"]["cache_hits"] == live["stats"]["repos"]
    assert finding(again, "gh.environments.used", "llm-app")["outcome"] == "false"


def test_shards_of_different_clocks_do_not_merge(
    fake: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, shard, day in (("p1", "1/2", "2026-01-10"), ("p2", "2/2", "2026-01-11"), ("p2same", "2/2", "2026-01-10")):
        assert scan_into(fake, tmp_path, f"{name}.json", "--shard", shard, "--now", day)[0] == EXIT_OK
    out = tmp_path / "merged.json"
    p1, p2, p2same = (str(tmp_path / f"{name}.json") for name in ("p1", "p2", "p2same"))
    assert main(["merge", p1, p2, "--json", str(out), "--quiet"]) == EXIT_USAGE
    assert "different rules or options" in capsys.readouterr().err and not out.exists()
    assert main(["merge", p1, p2same, "--json", str(out), "--quiet"]) == EXIT_OK
    assert json.loads(out.read_text())["config"]["now"] == "2026-01-10T00:00:00Z"
