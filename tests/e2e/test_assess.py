"""`aiops-scan assess EVIDENCE`: the rules applied again to saved findings, on the demo estate (issue 12, part 5).

The demo evidence re-assessed with the rules it was scanned with is the same file, byte for byte (the
findings, targets, timestamps and stats stay the scan's); a stricter rules folder changes exactly the
levels that criterion holds up; unknown signals and malformed evidence are refused with one line, exit 2.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import EXIT_GATE, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, main
from scanner.engine.rules import builtin_rules_dir, load_rules
from scanner.ids import LEVELS
from scanner.reassess import check_signals, reassess
from scanner.registry import aliases, load_probes
from scanner.reporters.diff import diff_documents
from scanner.reporters.evidence import load_evidence
from scanner.signals import known_signals
from tests.e2e.conftest import check_with_contract_tool
from tests.e2e.test_cli_inputs import _one_line_usage_error

CRITERION = "model_creation.experiment_tracking.innovative.shared_tracking_server"
DBT = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs" / "dbt" / "artifacts"
ATTESTATION = """attestations:
  - criterion: people.data_scientists.procedural.ds_with_de
    by: Dana Lee, head of data science
    why: Data scientists and data engineers pair on every pipeline change.
    expires: "2099-06-30"
    scope: pipeline-dvc-mlflow
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scanner", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`aiops-scan demo`: the estate with its MLflow store and dbt catalog; returns the output folder."""
    out = tmp_path_factory.mktemp("demo") / "out"
    assert main(["demo", "--out", str(out), "--quiet"]) == EXIT_OK
    return out


def _levels(document: dict[str, Any]) -> dict[tuple[str, str, str | None], str]:
    """(scope, area, dimension or None) -> level or status, for every assessment."""
    out: dict[tuple[str, str, str | None], str] = {}
    for a in document["assessments"]:
        for area_id, area in a["areas"].items():
            out[(a["scope"], area_id, None)] = area["level"] if area["status"] == "assessed" else area["status"]
            for dim_id, dim in area["dimensions"].items():
                out[(a["scope"], area_id, dim_id)] = dim["level"] if dim["status"] == "assessed" else dim["status"]
    return out


def test_assess_reproduces_the_demo_evidence_byte_for_byte(demo: Path, tmp_path: Path) -> None:
    evidence = demo / "evidence.json"
    saved = json.loads(evidence.read_text())
    kinds = {t["kind"] for t in saved["targets"]}
    assert {"repo", "mlflow", "catalog"} <= kinds  # repos, and organisation-wide sources they may see
    assert any(level in LEVELS[1:] for level in _levels(saved).values())  # levels to reproduce, not all initial
    out = tmp_path / "reassessed.json"
    proc = run("assess", str(evidence), "--json", str(out))
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "0 level(s) differ" in proc.stdout
    assert out.read_bytes() == evidence.read_bytes()
    check_with_contract_tool(out)


def _stricter_rules(tmp_path: Path) -> Path:
    """The built-in rules with one criterion made stricter: the tracking server must hold a million model
    versions or be shared by a million teams (no estate meets that)."""
    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), rules)
    path = rules / "model_creation.yml"
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "- id: shared_tracking_server")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip().startswith(("- id:", "next:")))
    for i in range(start, end):
        for signal in ("mlflow.experiments.multi_team", "mlflow.registry.versions"):
            lines[i] = lines[i].replace(f"{{signal: {signal}}}", f"{{signal: {signal}, min_count: 1000000}}")
    changed = "".join(lines)
    assert changed != path.read_text()
    path.write_text(changed)
    return rules


def test_a_stricter_rules_folder_changes_exactly_the_levels_that_criterion_held_up(demo: Path, tmp_path: Path) -> None:
    evidence = demo / "evidence.json"
    saved = json.loads(evidence.read_text())
    rules = _stricter_rules(tmp_path)
    out = tmp_path / "stricter.json"
    proc = run("assess", str(evidence), "--rules", str(rules), "--json", str(out))
    assert proc.returncode == EXIT_OK, proc.stderr
    check_with_contract_tool(out)
    new = json.loads(out.read_text())
    assert new["findings"] == saved["findings"]  # the facts are the scan's
    assert new["config"]["rules"] == str(rules)
    # every repo whose experiment tracking stood on that innovative criterion now stops at procedural
    area, dim, level, _ = CRITERION.split(".")
    repos = {t["id"] for t in saved["targets"] if t["kind"] == "repo"}
    old_levels, new_levels = _levels(saved), _levels(new)
    expected = {
        key: "procedural"
        for key, value in old_levels.items()
        if key[0] in repos and key[1:] == (area, dim) and value in LEVELS and LEVELS.index(value) >= LEVELS.index(level)
    }
    assert expected, "the demo estate has no repo at innovative experiment tracking: choose another criterion"
    changed = {
        key: new_levels[key] for key in old_levels if key[0] in repos and key[2] and new_levels[key] != old_levels[key]
    }
    assert changed == expected
    # nothing else moved: area levels and roll-ups only where experiment tracking is part of them
    for change in diff_documents(saved, new)["levels"]:
        assert change["area"] == area and change["dimension"] in (dim, None), change
    for crit in (
        c
        for a in new["assessments"]
        for ar in a["areas"].values()
        for d in ar["dimensions"].values()
        for c in d["criteria"]
    ):
        if crit["id"] == CRITERION:
            assert crit["result"] != "met"
    assert f"{len(diff_documents(saved, new)['levels'])} level(s) differ" in proc.stdout


def test_attestations_are_applied_again_as_a_scan_applies_them(demo: Path, tmp_path: Path) -> None:
    """assess --attestations F gives the assessments of scan --attestations F; without F, the saved
    attestations are set aside (with a warning) and the demo's own evidence comes back."""
    attestations = tmp_path / "attestations.yaml"
    attestations.write_text(ATTESTATION)
    scanned = tmp_path / "scanned.json"
    mlflow = demo / "mlflow" / "mlruns"
    code = main(
        ["scan", str(demo / "acme"), "--mlflow", str(mlflow), "--catalog", f"dbt={DBT}",
         "--attestations", str(attestations), "--json", str(scanned), "--quiet"]
    )  # fmt: skip
    assert code == EXIT_OK
    reassessed = tmp_path / "reassessed.json"
    plain = tmp_path / "plain.json"
    proc = run("assess", str(demo / "evidence.json"), "--attestations", str(attestations), "--json", str(reassessed))
    assert proc.returncode == EXIT_OK, proc.stderr
    got, want = json.loads(reassessed.read_text()), json.loads(scanned.read_text())
    assert got["assessments"] == want["assessments"]
    assert got["findings"] == want["findings"]
    assert got["config"]["attestations"] == 1
    assert any(c.get("attested") for a in got["assessments"] for ar in a["areas"].values()
               for d in ar["dimensions"].values() for c in d["criteria"])  # fmt: skip
    check_with_contract_tool(reassessed)
    proc = run("assess", str(reassessed), "--json", str(plain))
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "give --attestations FILE" in proc.stderr
    assert plain.read_bytes() == (demo / "evidence.json").read_bytes()


def test_evidence_citing_unknown_signals_is_refused_naming_them(demo: Path, tmp_path: Path) -> None:
    saved = json.loads((demo / "evidence.json").read_text())
    for finding, new in zip(saved["findings"][:2], ("repo.no_such_signal", "ci.nor_this_one"), strict=True):
        finding["id"] = finding["id"].replace(finding["signal"], new, 1)
        finding["signal"] = new
    evidence = tmp_path / "foreign.json"
    evidence.write_text(json.dumps(saved))
    out = tmp_path / "out.json"
    proc = run("assess", str(evidence), "--json", str(out))
    _one_line_usage_error(proc, "ci.nor_this_one", "repo.no_such_signal", str(evidence))
    assert not out.exists()


def test_renamed_signals_in_saved_evidence_are_read_under_their_current_ids(demo: Path, tmp_path: Path) -> None:
    """A signal renamed since the scan (its probe declares the old id as an alias) is not unknown, and the
    re-assessment is the same as with the current id."""
    path = demo / "evidence.json"
    probes = load_probes()
    rules = load_rules(builtin_rules_dir(), known_signals(probes))
    current = load_evidence(path)
    renamed = [
        replace(s, aliases={"ci.old_deploy_on_merge": "ci.deploy_on_merge"}) if "ci.deploy_on_merge" in s.emits else s
        for s in probes
    ]
    old = json.loads(path.read_text())
    hits = [f for f in old["findings"] if f["signal"] == "ci.deploy_on_merge"]
    assert hits
    for finding in hits:
        finding["id"] = finding["id"].replace("ci.deploy_on_merge", "ci.old_deploy_on_merge", 1)
        finding["signal"] = "ci.old_deploy_on_merge"
    for a in old["assessments"]:
        for area in a["areas"].values():
            for dim in area["dimensions"].values():
                for crit in dim["criteria"]:
                    crit["findings"] = [
                        f.replace("ci.deploy_on_merge@", "ci.old_deploy_on_merge@") for f in crit["findings"]
                    ]
    legacy = tmp_path / "legacy.json"
    legacy.write_text(json.dumps(old))
    with pytest.raises(ValueError, match=r"ci\.old_deploy_on_merge"):
        check_signals(legacy, load_evidence(legacy), rules, probes)  # without the alias: unknown
    document = load_evidence(legacy, aliases(renamed))
    check_signals(legacy, document, rules, renamed)
    assert reassess(document, rules, renamed)["assessments"] == reassess(current, rules, probes)["assessments"]


@pytest.mark.parametrize("kind", ["missing", "not_json", "a_list", "old_version", "wrong_shape"])
def test_malformed_evidence_is_a_one_line_usage_error(kind: str, demo: Path, tmp_path: Path) -> None:
    good = (demo / "evidence.json").read_text()
    path = tmp_path / f"{kind}.json"
    text = {
        "not_json": "this is not json\n",
        "a_list": "[1, 2, 3]\n",
        "old_version": json.dumps({**json.loads(good), "schema_version": "0.9"}),
        "wrong_shape": json.dumps({**json.loads(good), "findings": [{"id": 3}]}),
    }.get(kind)
    if text is not None:
        path.write_text(text)
    out = tmp_path / "out.json"
    _one_line_usage_error(run("assess", str(path), "--json", str(out)), str(path))
    assert not out.exists()


def test_bad_options_are_refused_before_any_work(demo: Path, tmp_path: Path) -> None:
    evidence = demo / "evidence.json"
    _one_line_usage_error(run("assess", str(evidence), "--json", str(evidence)), "would overwrite the evidence")
    _one_line_usage_error(run("assess", str(evidence), "--rules", str(tmp_path / "none")), "--rules")
    broken = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), broken)
    (broken / "people.yml").write_text("area: people\n")
    proc = run("assess", str(evidence), "--rules", str(broken))
    assert proc.returncode == EXIT_USAGE and "people.yml" in proc.stderr, proc.stderr


def test_the_gate_and_the_reports_work_as_in_a_scan(demo: Path, tmp_path: Path) -> None:
    evidence = demo / "evidence.json"
    out, html, md = tmp_path / "e.json", tmp_path / "r.html", tmp_path / "s.md"
    args = ["--json", str(out), "--html", str(html), "--markdown", str(md), "--baseline", str(evidence)]
    proc = run("assess", str(evidence), *args, "--fail-below", "leading")
    assert proc.returncode == EXIT_GATE, proc.stderr
    assert "gate:" in proc.stderr
    assert out.read_bytes() == evidence.read_bytes()  # the evidence is written before the gate's verdict
    assert "<html" in html.read_text() and md.read_text().strip()
    proc = run("assess", str(evidence), "--fail-below", "initial", "--quiet")
    assert proc.returncode == EXIT_OK and not proc.stdout, proc.stdout + proc.stderr


def test_evidence_with_a_target_that_could_not_be_scanned_exits_3_as_the_scan_did(demo: Path, tmp_path: Path) -> None:
    saved = json.loads((demo / "evidence.json").read_text())
    target = next(t for t in saved["targets"] if t["kind"] == "mlflow")
    target["status"], target["error"] = "error", "unreachable"
    evidence = tmp_path / "partial.json"
    evidence.write_text(json.dumps(saved))
    out = tmp_path / "out.json"
    proc = run("assess", str(evidence), "--json", str(out), "--quiet")
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert json.loads(out.read_text())["assessments"] == saved["assessments"]
