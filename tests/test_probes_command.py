"""`aiops-scan probes` lists the definitions; saved evidence citing a renamed signal's alias reads as the
current signal in `diff` (a rename is neither a loss nor a gain)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from scanner.aliases import resolve_evidence
from scanner.cli import main
from scanner.probedef import ProbeSpec
from scanner.registry import load_probes
from scanner.testing import make_repo


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["probes", *argv])
    return code, capsys.readouterr().out


def test_the_table_lists_every_probe_with_its_defining_file(capsys: pytest.CaptureFixture[str]) -> None:
    specs = load_probes()
    code, out = _run(capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["PROBE", "LIFECYCLE", "NEEDS", "DEFINED", "IN"]
    rows = {line.split()[0]: line.split() for line in lines[1:] if line and not line.startswith(" ")}
    for spec in specs:
        assert rows[spec.id][1] == spec.lifecycle and rows[spec.id][-1] == spec.file
    assert lines[-1] == f"{len(specs)} probes, {sum(len(s.emits) for s in specs)} signals"
    assert "    signals: gh.releases.present, gh.releases.count," in out


def test_json_gives_each_definition_as_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "--json")
    data = json.loads(out)
    assert code == 0 and [d["id"] for d in data] == [s.id for s in load_probes()]
    releases = next(d for d in data if d["id"] == "gh.releases")
    assert releases["file"] == "probes/github/releases.py"
    assert releases["needs"] == ["github", "repo"] and "gh.deploy_frequency" in releases["signals"]
    assert releases["lifecycle"] == "stable" and releases["remediation"] and releases["evidence"]
    assert all(d["remediation"] and d["evidence"] for d in data)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--signal", "gh.releases.count"], ["gh.releases"]),
        (["--signal", "gh.rel*"], ["gh.releases", "gh.releases.by_role"]),
        (["--lifecycle", "deprecated"], []),
        (["--lifecycle", "stable", "--signal", "repo.tests.unit"], ["repo.tests.unit"]),
    ],
)
def test_filters(capsys: pytest.CaptureFixture[str], argv: list[str], expected: list[str]) -> None:
    _, out = _run(capsys, "--json", *argv)
    assert [d["id"] for d in json.loads(out)] == expected


def _renamed(specs: list[ProbeSpec]) -> list[ProbeSpec]:
    old = {"ci.old_deploy_on_merge": "ci.deploy_on_merge"}
    return [replace(s, aliases=old) if "ci.deploy_on_merge" in s.emits else s for s in specs]


def test_an_alias_finds_the_probe_that_emits_the_signal_now(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("scanner.probelist.load_probes", lambda: _renamed(load_probes()))
    _, out = _run(capsys, "--signal", "ci.old_deploy_on_merge")
    assert out.splitlines()[1].split()[0] == "ci.deploy_on_merge"
    assert "    alias: ci.old_deploy_on_merge -> ci.deploy_on_merge" in out


def _as_saved_before_the_rename(document: dict[str, Any]) -> dict[str, Any]:
    """The evidence as an aiops-scan that still called the signal `ci.old_deploy_on_merge` wrote it."""
    text = json.dumps(document).replace('"ci.deploy_on_merge', '"ci.old_deploy_on_merge')
    return dict(json.loads(text))


def test_saved_evidence_citing_an_alias_diffs_as_the_current_signal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path, {"train.py": "import sklearn\nmodel = sklearn.linear_model.LogisticRegression()\n"})
    new = tmp_path / "new.json"
    assert main(["scan", str(repo), "--json", str(new), "--quiet"]) == 0
    document = json.loads(new.read_text(encoding="utf-8"))
    old_doc = _as_saved_before_the_rename(document)
    assert any(f["signal"] == "ci.old_deploy_on_merge" for f in old_doc["findings"])
    old = tmp_path / "old.json"
    old.write_text(json.dumps(old_doc), encoding="utf-8")

    assert main(["diff", str(old), str(new), "--json", str(tmp_path / "d0.json")]) == 0
    unaware = json.loads((tmp_path / "d0.json").read_text(encoding="utf-8"))
    assert unaware["summary"]["vanished"] == unaware["summary"]["appeared"] > 0  # the rename reads as churn

    monkeypatch.setattr("scanner.registry.current_aliases", lambda: {"ci.old_deploy_on_merge": "ci.deploy_on_merge"})
    capsys.readouterr()
    assert main(["diff", str(old), str(new), "--json", str(tmp_path / "d1.json")]) == 0
    aware = json.loads((tmp_path / "d1.json").read_text(encoding="utf-8"))
    assert aware["findings"] == {"appeared": [], "vanished": [], "changed": []}
    assert aware["levels"] == []


def test_resolving_saved_evidence_renames_findings_and_the_criteria_citing_them(tmp_path: Path) -> None:
    finding = {"id": "t.old@repo#k", "probe": "t.old", "signal": "t.old", "outcome": "true"}
    crit = {"findings": ["t.old@repo#k", "other.signal@repo"]}
    document: dict[str, Any] = {
        "findings": [finding],
        "assessments": [{"areas": {"a": {"dimensions": {"d": {"criteria": [crit]}}}}}],
    }
    out = resolve_evidence(document, {"t.old": "t.new"})
    assert out["findings"] == [{"id": "t.new@repo#k", "probe": "t.new", "signal": "t.new", "outcome": "true"}]
    assert out["assessments"][0]["areas"]["a"]["dimensions"]["d"]["criteria"][0]["findings"] == [
        "t.new@repo#k",
        "other.signal@repo",
    ]
    assert document["findings"][0]["signal"] == "t.old"  # the loaded document is not changed in place
