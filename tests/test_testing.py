"""The probe-test harness (scanner.testing) holds probes to their contract and asserts what it is told."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import Finding
from scanner.probekit import hit, miss, probe, verdict
from scanner.testing import (
    Case,
    Commit,
    ProbeContractError,
    ProbeCrashed,
    build_repo,
    check_case,
    expect,
    git,
    repo_views,
    run_on_repo,
    run_probe,
    spec_of,
    views_of,
)
from scanner.views import Views


@probe("test.readme", summary="a README at the root", lifecycle="experimental")
def readme(views: Views) -> list[Finding]:
    assert views.repo is not None
    paths = [p for p in views.repo.by_name("README.md", kinds=None) if "/" not in p]
    return [verdict(views, "test.readme", [views.repo.location(p, 1) for p in paths], "README found", "no README")]


@probe("test.extra", summary="emits a signal it does not declare", lifecycle="experimental")
def extra(views: Views) -> list[Finding]:
    return [miss(views, "test.extra", "no"), miss(views, "test.other", "not mine")]


@probe("test.forgets", summary="declares two, answers one", emits=["test.forgets", "test.forgets2"])
def forgets(views: Views) -> list[Finding]:
    return [miss(views, "test.forgets", "no")]


@probe("test.twice", summary="two unkeyed findings for one signal", lifecycle="experimental")
def twice(views: Views) -> list[Finding]:
    return [miss(views, "test.twice", "a"), miss(views, "test.twice", "b")]


@probe("test.keyed", summary="one finding per model, keyed apart", lifecycle="experimental")
def keyed(views: Views) -> list[Finding]:
    assert views.repo is not None
    loc = views.repo.location("a.py", 1)
    return [hit(views, "test.keyed", [loc], f"model {m}", key=m) for m in ("churn", "fraud")]


@probe("test.uncited", summary="true without saying where", lifecycle="experimental")
def uncited(views: Views) -> list[Finding]:
    return [hit(views, "test.uncited", [], "trust me")]


@probe("test.crash", summary="raises", lifecycle="experimental")
def crash(views: Views) -> list[Finding]:
    raise RuntimeError("boom")


@probe("test.history", summary="counts commits", needs=("repo", "history"), lifecycle="experimental")
def commits(views: Views) -> list[Finding]:
    assert views.history is not None and views.repo is not None
    n = len(views.history.commits)
    return [hit(views, "test.history", [views.repo.location(".")], f"{n} commits", values={"commits": n})]


def test_a_probe_that_keeps_its_contract_runs_through_the_runner(tmp_path: Path) -> None:
    found = run_on_repo(readme, tmp_path, {"README.md": "# hi\n", "docs/README.md": "# docs\n"})
    finding = expect(found, "true", "medium", locations=["README.md", "README.md:1"], message="README found")
    assert finding.probe == "test.readme" and finding.subject == "repo"  # filled in by the runner
    assert list(found) == ["test.readme"] and found["test.readme"] is finding
    expect(run_on_repo(readme, tmp_path / "b", {"docs/README.md": "# docs\n"}), "false", cited=False)


def test_an_undeclared_signal_breaks_the_contract(tmp_path: Path) -> None:
    with pytest.raises(ProbeContractError, match=r"undeclared signal 'test\.other'"):
        run_on_repo(extra, tmp_path, {"a.py": "x = 1\n"})


def test_a_missing_declared_signal_breaks_the_contract(tmp_path: Path) -> None:
    with pytest.raises(ProbeContractError, match=r"no finding for declared signal 'test\.forgets2'"):
        run_on_repo(forgets, tmp_path, {"a.py": "x = 1\n"})


def test_two_unkeyed_findings_for_one_signal_break_the_contract(tmp_path: Path) -> None:
    with pytest.raises(ProbeContractError, match=r"2 findings for signal 'test\.twice'"):
        run_on_repo(twice, tmp_path, {"a.py": "x = 1\n"})


def test_findings_keyed_apart_are_allowed_and_listed(tmp_path: Path) -> None:
    found = run_on_repo(keyed, tmp_path, {"a.py": "x = 1\n"})
    assert sorted(f.key for f in found.all("test.keyed")) == ["churn", "fraud"]
    assert "test.keyed" in found and "test.other" not in found
    with pytest.raises(AssertionError, match=r"use run\.all"):
        found["test.keyed"]


def test_a_true_finding_must_cite_a_location(tmp_path: Path) -> None:
    with pytest.raises(ProbeContractError, match=r"true finding for 'test\.uncited' cites nothing"):
        run_on_repo(uncited, tmp_path, {"a.py": "x = 1\n"})


def test_a_crash_is_raised_not_hidden_in_error_findings(tmp_path: Path) -> None:
    with pytest.raises(ProbeCrashed, match=r"RuntimeError: boom"):
        run_on_repo(crash, tmp_path, {"a.py": "x = 1\n"})


def test_a_missing_view_is_not_available_as_in_a_scan(tmp_path: Path) -> None:
    views = repo_views(tmp_path, {"a.py": "x = 1\n"})  # no history view
    views.unavailable["history"] = "not_available: a shallow clone"
    expect(run_probe(commits, views), "not_available", message="a shallow clone")


def test_expect_fails_on_each_kind_of_mismatch(tmp_path: Path) -> None:
    found = run_on_repo(readme, tmp_path, {"README.md": "# hi\n"})
    for wrong in (
        {"outcome": "false"},
        {"confidence": "high"},
        {"locations": ["docs/README.md"]},
        {"values": {"count": 2}},
        {"message": "no README"},
        {"signal": "test.other"},
    ):
        with pytest.raises((AssertionError, KeyError)):
            expect(found, **wrong)  # type: ignore[arg-type]
    expect(found, values={"count": 1})


def test_table_cases_check_outcome_values_and_locations(tmp_path: Path) -> None:
    good = Case("root readme", {"README.md": "# hi\n"}, "true", "medium", ["README.md:1"], {"count": 1})
    assert check_case(readme, good, tmp_path / "a").outcome.value == "true"
    bad = Case("wrong place", {"README.md": "# hi\n"}, "true", locations=["docs/README.md"])
    with pytest.raises(AssertionError, match=r"docs/README\.md not cited"):
        check_case(readme, bad, tmp_path / "b")


def test_the_views_a_probe_needs_are_built_from_a_scripted_history(tmp_path: Path) -> None:
    ada, sam = ("Ada", "ada@example.org"), ("Sam", "sam@example.org")
    root = build_repo(
        tmp_path,
        [
            Commit({"a.py": "1\n"}, ada, "2026-01-01T10:00:00+00:00", tags=[("v1.0.0", True)]),
            Commit({"a.py": "2\n"}, sam, "2026-01-02T10:00:00+00:00", message="second"),
        ],
    )
    assert git(root, "tag").split() == ["v1.0.0"]
    assert git(root, "log", "--format=%an %s").splitlines() == ["Sam second", "Ada change"]
    expect(run_probe(commits, views_of(root, spec_of(commits).needs)), "true", values={"commits": 2})
    expect(run_on_repo(commits, tmp_path / "one", {"a.py": "1\n"}), "true", values={"commits": 1})


def test_views_that_no_repository_holds_must_be_handed_in(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"pass Views"):
        views_of(tmp_path, ("repo", "github"))
