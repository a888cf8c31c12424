"""The probe registry and the runner's contract with probes."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import Finding
from scanner.probekit import hit, miss, probe
from scanner.registry import RegistryError, load_probes, validate
from scanner.runner import run_probe
from scanner.testing import repo_views
from scanner.views import Views


@probe("test.good", summary="a good probe", lifecycle="experimental")
def good(views: Views) -> list[Finding]:
    return [miss(views, "test.good", "nothing")]


@probe("test.dup", summary="first", lifecycle="experimental")
def dup_a(views: Views) -> list[Finding]:
    return []


@probe("test.dup", summary="second", lifecycle="experimental")
def dup_b(views: Views) -> list[Finding]:
    return []


@probe("Test.Bad", summary="bad id", lifecycle="experimental")
def bad_id(views: Views) -> list[Finding]:
    return []


@probe("test.other", summary="steals a signal", emits=["test.good"], lifecycle="experimental")
def thief(views: Views) -> list[Finding]:
    return []


@probe("test.views", summary="needs an unknown view", needs=("telepathy",), lifecycle="experimental")
def strange(views: Views) -> list[Finding]:
    return []


def test_builtin_probes_load_and_are_valid() -> None:
    specs = load_probes(plugins=False)
    ids = [s.id for s in specs]
    assert len(ids) == len(set(ids)) > 20
    assert all(s.source.startswith("probes.") for s in specs)


def test_plugins_register_through_the_same_function() -> None:
    specs = load_probes([("plugin demo", [good])], plugins=False)
    assert [s.source for s in specs if s.id == "test.good"] == ["plugin demo"]


@pytest.mark.parametrize(
    ("funcs", "message"),
    [
        ([dup_a, dup_b], "duplicate probe id"),
        ([bad_id], "id must be dotted lower-case words"),
        ([good, thief], "is already emitted by 'test.good'"),
        ([strange], "needs unknown views ['telepathy']"),
    ],
)
def test_malformed_probes_are_rejected_at_start_up(funcs: list[object], message: str) -> None:
    with pytest.raises(RegistryError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_probes([("plugin t", funcs)], plugins=False)


def test_a_broken_plugin_names_itself() -> None:
    def explode() -> None:
        raise ImportError("no module named nowhere")

    with pytest.raises(RegistryError, match="plugin boom: could not be loaded"):
        load_probes([("plugin boom", explode)], plugins=False)


def test_validate_accepts_an_empty_list() -> None:
    validate([])


@probe("test.raises", summary="always fails")
def raises(views: Views) -> list[Finding]:
    raise RuntimeError("boom")


@probe("test.silent", summary="forgets a signal", emits=["test.silent", "test.silent2"])
def silent(views: Views) -> list[Finding]:
    return [hit(views, "test.silent", [], "seen")]


@probe("test.history", summary="needs history", needs=("repo", "history"))
def needs_history(views: Views) -> list[Finding]:
    return [miss(views, "test.history", "x")]


def test_runner_turns_a_crash_into_error_findings(tmp_path: Path) -> None:
    views = repo_views(tmp_path, {"a.py": "x = 1\n"})
    (finding,) = run_probe(raises.__probe_spec__, views)  # type: ignore[attr-defined]
    assert finding.outcome.value == "error"
    assert "RuntimeError: boom" in finding.message
    assert finding.probe == "test.raises"


def test_runner_reports_a_signal_the_probe_forgot(tmp_path: Path) -> None:
    views = repo_views(tmp_path, {"a.py": "x = 1\n"})
    findings = {f.signal: f for f in run_probe(silent.__probe_spec__, views)}  # type: ignore[attr-defined]
    assert findings["test.silent"].outcome.value == "true"
    assert findings["test.silent2"].outcome.value == "error"


def test_missing_view_is_not_available_never_false(tmp_path: Path) -> None:
    views = repo_views(tmp_path, {"a.py": "x = 1\n"})
    views.unavailable["history"] = "not_available: not a git repository: no history to read"
    (finding,) = run_probe(needs_history.__probe_spec__, views)  # type: ignore[attr-defined]
    assert finding.outcome.value == "not_available"
    assert "not a git repository" in finding.message
