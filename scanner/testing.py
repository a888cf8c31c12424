"""The probe-test harness, for the scanner's own tests and for plugin authors.

Build a tiny real git repository (or hand in views), run a probe through the runner's own `run_probe`
(the same blind/not_available handling and de-duplication as a scan), then assert outcome, values and
locations. Every run checks the probe's contract: one finding per declared signal, no other signal, a
location for every true finding (a breach raises `ProbeContractError`), no crash (`ProbeCrashed`), and
findings that serialise to JSON as the evidence file will hold them.

    from scanner.testing import expect, run_on_repo

    def test_flags_a_readme(tmp_path):
        found = run_on_repo(readme_present, tmp_path, {"README.md": "# hi\\n"})
        expect(found, "true", locations=["README.md"])

It imports no test framework: plain `assert` and exceptions, so it works under pytest or unittest.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Outcome
from scanner.probedef import ProbeFunc, ProbeSpec
from scanner.probekit import SPEC_ATTR
from scanner.runner import NO_FINDING, PROBE_FAILED, UNDECLARED
from scanner.runner import run_probe as _run_through_runner
from scanner.views import Views

Files = Mapping[str, str | bytes]
Probe = ProbeSpec | ProbeFunc

DEFAULT_AUTHOR = ("Ada Lovelace", "ada@example.org")
DEFAULT_DATE = "2026-01-15T10:00:00+00:00"
REPO_VIEWS = frozenset({"repo", "ci", "history"})  # the views the harness builds from a repository


class ProbeContractError(AssertionError):
    """The probe emitted a signal it did not declare, or no finding (or several) for a declared one."""


class ProbeCrashed(AssertionError):
    """The probe raised: the runner turned it into `error` findings, the harness says so instead."""


# --- tiny git repositories ------------------------------------------------------------------------------


def git(repo: Path, *args: str, author: tuple[str, str] = DEFAULT_AUTHOR, date: str = DEFAULT_DATE) -> str:
    """Run git in `repo` with a pinned author, committer and date, and no system or user config."""
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME=author[0],
        GIT_AUTHOR_EMAIL=author[1],
        GIT_COMMITTER_NAME=author[0],
        GIT_COMMITTER_EMAIL=author[1],
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    out = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)
    return out.stdout.decode()


def write_files(root: Path, files: Files) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_repo(
    tmp_path: Path,
    files: Files,
    *,
    name: str = "repo",
    author: tuple[str, str] = DEFAULT_AUTHOR,
    date: str = DEFAULT_DATE,
    message: str = "initial commit",
) -> Path:
    """A real git repo at `tmp_path/name` holding `files` in one commit."""
    root = tmp_path / name
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, author=author, date=date)
    return root


def commit(
    root: Path,
    files: Files,
    *,
    author: tuple[str, str] = DEFAULT_AUTHOR,
    date: str = DEFAULT_DATE,
    message: str = "change",
) -> None:
    """One more commit on `root` with `files` written (an empty commit when `files` is empty)."""
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message, author=author, date=date)


@dataclass
class Commit:
    """One commit of a scripted history: its files, author, date and the tags put on it."""

    files: Files
    author: tuple[str, str] = DEFAULT_AUTHOR
    date: str = DEFAULT_DATE
    message: str = "change"
    tags: Sequence[tuple[str, bool]] = ()  # (name, annotated)


def build_repo(tmp_path: Path, commits: Sequence[Commit], *, name: str = "repo") -> Path:
    """A real git repo with one commit per item of `commits`, in order, tagged as they say."""
    first, rest = commits[0], commits[1:]
    root = make_repo(tmp_path, first.files, name=name, author=first.author, date=first.date, message=first.message)
    _tag(root, first)
    for step in rest:
        commit(root, step.files, author=step.author, date=step.date, message=step.message)
        _tag(root, step)
    return root


def _tag(root: Path, step: Commit) -> None:
    for tag, annotated in step.tags:
        args = ["tag", "-a", tag, "-m", f"release {tag}"] if annotated else ["tag", tag]
        git(root, *args, author=step.author, date=step.date)


def views_of(root: Path, needs: Iterable[str] = ("repo",), *, subject: str = "repo", **history_options: Any) -> Views:
    """The views of the repository at `root` that `needs` names, built by the scanner's own collectors
    (`history_options`, e.g. window_days, go to the history collector)."""
    from scanner.collectors.history import build_history
    from scanner.collectors.indexer import build_index
    from scanner.facts.ci.build import build_ci

    wanted = set(needs)
    other = wanted - REPO_VIEWS
    if other:
        raise ValueError(f"views {sorted(other)} do not come from a repository: build them and pass Views(...)")
    index = build_index(root)
    ci = build_ci(index) if "ci" in wanted else None
    history = build_history(root, index=index, **history_options) if "history" in wanted else None
    return Views(subject=subject, repo=index, ci=ci, history=history)


def index_of(tmp_path: Path, files: Files) -> RepoIndex:
    """The repository index of a one-commit repo holding `files`."""
    from scanner.collectors.indexer import build_index

    return build_index(make_repo(tmp_path, files))


def repo_views(tmp_path: Path, files: Files, needs: Iterable[str] = ("repo",), **history_options: Any) -> Views:
    """The views of a one-commit repo holding `files`."""
    return views_of(make_repo(tmp_path, files), needs, **history_options)


# --- running a probe ------------------------------------------------------------------------------------


def spec_of(probe: Probe) -> ProbeSpec:
    """The definition of a probe given as its spec or its `@probe`-decorated function."""
    if isinstance(probe, ProbeSpec):
        return probe
    spec = getattr(probe, SPEC_ATTR, None)
    if not isinstance(spec, ProbeSpec):
        raise TypeError(f"{probe!r} is not a probe: decorate it with scanner.probekit.probe")
    return spec


class ProbeRun(Mapping[str, Finding]):
    """The findings of one probe run, by signal (one finding per declared signal, as the contract says)."""

    def __init__(self, spec: ProbeSpec, findings: list[Finding]) -> None:
        self.spec = spec
        self.findings = findings
        self._by_signal = {f.signal: f for f in findings}

    def __getitem__(self, signal: str) -> Finding:
        if signal not in self._by_signal:
            raise KeyError(f"{self.spec.id} emitted no finding for {signal!r}; it emits {sorted(self._by_signal)}")
        same = self.all(signal)
        if len(same) > 1:
            raise AssertionError(f"{self.spec.id} emitted {len(same)} findings for {signal!r}: use run.all(signal)")
        return same[0]

    def __contains__(self, signal: object) -> bool:
        return signal in self._by_signal

    def all(self, signal: str) -> list[Finding]:
        """Every finding of `signal` (several when the probe keys them apart)."""
        return [f for f in self.findings if f.signal == signal]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_signal)

    def __len__(self) -> int:
        return len(self._by_signal)

    @property
    def finding(self) -> Finding:
        """The one finding of a probe that declares one signal."""
        if len(self.findings) != 1:
            raise AssertionError(f"{self.spec.id} emitted {len(self.findings)} findings, not one: use run[signal]")
        return self.findings[0]


def run_probe(probe: Probe, views: Views) -> ProbeRun:
    """Run `probe` on `views` through the runner and check its contract (see ProbeContractError)."""
    spec = spec_of(probe)
    findings = _run_through_runner(spec, views)
    crashed = [f for f in findings if f.outcome is Outcome.ERROR and f.message.startswith(PROBE_FAILED)]
    if crashed:
        raise ProbeCrashed(f"{spec.id}: {crashed[0].message}")
    check_contract(spec, findings)
    for finding in findings:  # what the evidence file will hold
        json.dumps(finding.to_json())
    return ProbeRun(spec, findings)


def run_on_repo(probe: Probe, tmp_path: Path, files: Files, **history_options: Any) -> ProbeRun:
    """Run `probe` on a one-commit repo holding `files`, with the views it needs (repo, ci, history)."""
    spec = spec_of(probe)
    return run_probe(spec, repo_views(tmp_path, files, spec.needs, **history_options))


def check_contract(spec: ProbeSpec, findings: Sequence[Finding]) -> None:
    """A finding for each declared signal, none for another, several for one signal only when the probe
    keys them apart, and a location cited by every true finding: raise ProbeContractError if not.
    It reads the runner's verdict (the runner marks undeclared and missing signals and keys duplicates
    apart), so the harness and a scan agree by construction."""
    problems = [f"undeclared signal {f.signal.removesuffix(UNDECLARED)!r}" for f in findings if _undeclared(f)]
    problems += [f"no finding for declared signal {f.signal!r}" for f in findings if f.message == NO_FINDING]
    by_signal: dict[str, list[Finding]] = {}
    for finding in findings:
        by_signal.setdefault(finding.signal, []).append(finding)
    problems += [
        f"{len(same)} findings for signal {signal!r} that the probe did not key apart"
        for signal, same in sorted(by_signal.items())
        if len(same) > 1 and any(not f.key or "~" in f.key for f in same)  # the runner keys duplicates "~n"
    ]
    problems += [f"true finding for {f.signal!r} cites nothing" for f in findings if _uncited_truth(f)]
    if problems:
        raise ProbeContractError(f"probe {spec.id} (declares {list(spec.emits)}): " + "; ".join(problems))


def _uncited_truth(finding: Finding) -> bool:
    return finding.outcome is Outcome.TRUE and not finding.locations


def _undeclared(finding: Finding) -> bool:
    return finding.outcome is Outcome.ERROR and finding.signal.endswith(UNDECLARED)


# --- assertions -----------------------------------------------------------------------------------------


def expect(
    found: Finding | ProbeRun,
    outcome: str | Outcome | None = None,
    confidence: str | None = None,
    *,
    signal: str | None = None,
    values: Mapping[str, Any] | None = None,
    locations: Iterable[str] = (),
    message: str = "",
    cited: bool | None = None,
) -> Finding:
    """Assert one finding (of `signal` when `found` is a run) and return it.

    `values` must be a subset of the finding's values; each of `locations` must be cited, as a path or
    as a `path:line` label; `message` must occur in its message. `cited` (default: when the outcome
    expected is true) requires at least one location, each with a path."""
    finding = _pick(found, signal)
    where = f"{finding.signal}: {finding.message}"
    if outcome is not None:
        assert finding.outcome.value == str(outcome), f"{where} (outcome {finding.outcome.value}, expected {outcome})"
    if confidence is not None:
        assert finding.confidence == confidence, f"{where} (confidence {finding.confidence}, expected {confidence})"
    for key, value in (values or {}).items():
        assert finding.values.get(key) == value, f"{where}: {key}={finding.values.get(key)!r}, expected {value!r}"
    labels = {loc.label() for loc in finding.locations} | {loc.path for loc in finding.locations if loc.path}
    for location in locations:
        assert location in labels, f"{where}: {location} not cited in {sorted(labels)}"
    assert message in finding.message, f"{where}: expected {message!r} in the message"
    if cited if cited is not None else str(outcome) == "true":
        assert finding.locations and all(loc.path for loc in finding.locations), f"{where}: cites no file"
    return finding


def _pick(found: Finding | ProbeRun, signal: str | None) -> Finding:
    if isinstance(found, Finding):
        assert signal is None or found.signal == signal, f"finding of {found.signal!r}, expected {signal!r}"
        return found
    return found[signal] if signal is not None else found.finding


def notebook(*cells: str, metadata: Mapping[str, Any] | None = None) -> str:
    """A minimal nbformat-4 notebook (.ipynb text) with one code cell per argument."""
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": c} for c in cells],
            "metadata": dict(metadata or {}),
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def truth(finding: Finding) -> bool:
    """Whether a finding that settled its signal is true (AssertionError when it settled nothing)."""
    settled = finding.outcome in (Outcome.TRUE, Outcome.FALSE)
    assert settled, f"{finding.signal}: {finding.outcome.value}: {finding.message}"
    return finding.outcome is Outcome.TRUE


def labels(finding: Finding) -> list[str]:
    """The `path:line` labels a finding cites, in order."""
    return [loc.label() for loc in finding.locations]


@dataclass(frozen=True)
class Case:
    """One row of a table test: files in, the expected finding out (the fields are those of `expect`)."""

    id: str
    files: Files
    outcome: str
    confidence: str | None = None
    locations: Sequence[str] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""
    signal: str | None = None
    cited: bool | None = None


def check_case(probe: Probe, case: Case, tmp_path: Path, *, signal: str | None = None) -> Finding:
    """Run `probe` on a repo holding the case's files and assert its finding (of `signal`, or the
    case's own, for a probe that emits several)."""
    found = run_on_repo(probe, tmp_path, case.files)
    return expect(
        found,
        case.outcome,
        case.confidence,
        signal=signal or case.signal,
        values=case.values,
        locations=case.locations,
        message=case.message,
        cited=case.cited,
    )


def case_ids(cases: Iterable[Case]) -> list[str]:
    """Test ids for `pytest.mark.parametrize`."""
    return [case.id for case in cases]
