"""The nightly audit: diffs between two scans of a fixture repo, gates, the config file, attestations."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.attestations import load_attestations
from scanner.cli import EXIT_GATE, EXIT_OK, EXIT_USAGE, main
from scanner.engine.rules import RulesError, builtin_rules_dir, load_rules
from scanner.gates import evaluate_gate
from scanner.reporters.diff import diff_documents
from scanner.testing import commit, git
from tests.e2e.conftest import ROOT, assessment, check_with_contract_tool

SCHEMA = json.loads((ROOT / "scanner/schemas/evidence.schema.json").read_text())
DS_WITH_DE = "people.data_scientists.procedural.ds_with_de"


def _clone(estate: Path, name: str, tmp_path: Path) -> Path:
    dest = tmp_path / name
    subprocess.run(["git", "clone", "-q", str(estate / name), str(dest)], check=True)
    return dest


def _scan(target: Path, out: Path, *extra: str) -> dict[str, Any]:
    code = main(["scan", str(target), "--json", str(out), "--quiet", *extra])
    assert code in (EXIT_OK, EXIT_GATE), code
    document: dict[str, Any] = json.loads(out.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    return document


def test_diff_of_a_fixture_repo_before_and_after_a_change(estate: Path, tmp_path: Path) -> None:
    repo = _clone(estate, "team-platform", tmp_path)
    before = _scan(repo, tmp_path / "before.json")
    git(repo, "rm", "-q", "-r", ".github")
    commit(repo, {}, message="drop CI")
    after = _scan(repo, tmp_path / "after.json")
    diff = diff_documents(before, after)
    fell = {(c["area"], c["dimension"]) for c in diff["levels"] if c["change"] == "fell"}
    assert ("app_integration", "release_process") in fell
    assert diff["summary"]["rose"] == 0 and diff["summary"]["fell"] == len(fell) > 0
    lost = {f["id"] for f in diff["findings"]["changed"] if f["old_outcome"] == "true"}
    assert "ci.cd_pipeline@team-platform" in lost
    proc = subprocess.run(
        [
            str(ROOT / ".venv/bin/aiops-scan"),
            "diff",
            str(tmp_path / "before.json"),
            str(tmp_path / "after.json"),
            "--json",
            str(tmp_path / "diff.json"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "- team-platform · App integration / Release Process: Leading → Procedural" in proc.stdout
    assert json.loads((tmp_path / "diff.json").read_text())["levels"] == diff["levels"]


def test_moving_lines_and_rescanning_changes_nothing(estate: Path, tmp_path: Path) -> None:
    repo = _clone(estate, "pipeline-dvc-mlflow", tmp_path)
    before = _scan(repo, tmp_path / "before.json")
    for path in sorted(repo.rglob("*.py"))[:5]:
        path.write_text("\n\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    commit(repo, {}, message="shift every line", date="2026-02-01T10:00:00+00:00")
    after = _scan(repo, tmp_path / "after.json")
    moved = [
        loc["line"]
        for f in after["findings"]
        for loc in f["locations"]
        if loc.get("line") and loc.get("path", "").endswith(".py")
    ]
    assert moved, "the change must move cited lines for this test to mean anything"
    diff = diff_documents(before, after)
    assert diff["levels"] == [] and diff["findings"]["changed"] == []
    assert diff["findings"]["appeared"] == diff["findings"]["vanished"] == []


def test_baseline_adds_the_diff_to_console_markdown_and_html(estate: Path, tmp_path: Path, capsys: Any) -> None:
    repo = _clone(estate, "team-platform", tmp_path)
    _scan(repo, tmp_path / "night1.json")
    git(repo, "rm", "-q", "-r", ".github")
    commit(repo, {}, message="drop CI")
    md, html = tmp_path / "s.md", tmp_path / "r.html"
    capsys.readouterr()
    code = main(
        ["scan", str(repo), "--baseline", str(tmp_path / "night1.json"), "--markdown", str(md), "--html", str(html)]
    )
    assert code == EXIT_OK
    assert "since the baseline:" in capsys.readouterr().out
    assert "### Since the baseline" in md.read_text()
    assert 'id="trends"' in html.read_text() and "▼" in html.read_text()


def test_fail_below_names_the_areas_under_the_bar(estate: Path, capsys: Any) -> None:
    code = main(["scan", str(estate / "llm-app"), "--quiet", "--fail-below", "procedural"])
    assert code == EXIT_GATE
    err = capsys.readouterr().err
    assert "llm-app · People: unknown" in err  # several people, no declared roles: not gated, not failed
    assert "llm-app · Data management: Minimal is below Procedural" in err  # a RAG app ingests data nightly
    assert "llm-app · Model deployment: not applicable, not gated" in err
    assert main(["scan", str(estate / "llm-app"), "--quiet", "--fail-below", "initial"]) == EXIT_OK


def test_gate_reads_the_org_roll_up_and_per_area_bars(evidence: dict[str, Any]) -> None:
    gate = evaluate_gate(evidence, None, {"llmops": "leading", "people": "initial"})
    assert not gate["passed"]
    assert [(f["scope"], f["area"]) for f in gate["failures"]] == [("org:acme", "llmops")]


CONFIG = """\
targets:
  - {target}
rules: {rules}
window_days: 400
outputs:
  json: out/evidence.json
  markdown: out/summary.md
gates:
  fail_below: initial
  areas:
    llmops: leading
"""


def test_config_file_drives_the_scan_and_its_gates(estate: Path, tmp_path: Path, capsys: Any) -> None:
    cfg = tmp_path / "aiops-scan.yaml"
    cfg.write_text(CONFIG.format(target=estate / "llm-app", rules=builtin_rules_dir()))
    assert main(["scan", "--config", str(cfg), "--quiet"]) == EXIT_GATE
    assert "llm-app · LLMOps: Innovative is below Leading" in capsys.readouterr().err
    document = json.loads((tmp_path / "out/evidence.json").read_text())
    assert document["config"]["history_window_days"] == 400
    assert (tmp_path / "out/summary.md").read_text().startswith("## AIOps maturity: llm")
    check_with_contract_tool(tmp_path / "out/evidence.json")


def test_config_errors_carry_file_line_and_key_path(tmp_path: Path, capsys: Any) -> None:
    cfg = tmp_path / "aiops-scan.yaml"
    cfg.write_text("targets: [.]\ngates:\n  areas:\n    llmops: excellent\n  fail_below: minimal\nmlflw: [x]\n")
    assert main(["scan", "--config", str(cfg)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{cfg}:4: at gates.areas.llmops: " in err
    assert f"{cfg}:6: at mlflw: " in err and "2 problem(s) in the configuration" in err


ATTESTATIONS = """\
attestations:
  - criterion: {criterion}
    by: Dana Lee, head of data science
    why: "DS and DE pair on every pipeline change <weekly rota>"
    link: https://wiki.example.com/ml/pairing
    expires: "{expires}"
"""


def _attest(tmp_path: Path, expires: str, criterion: str = DS_WITH_DE) -> Path:
    path = tmp_path / f"attest-{expires}.yaml"
    path.write_text(ATTESTATIONS.format(criterion=criterion, expires=expires))
    return path


WHO_WORKS = """\
  - criterion: people.data_scientists.initial.who_works_visible
    by: Dana Lee, head of data science
    why: "Amara is our data scientist, Jonas our data engineer, Sofia our ML engineer"
    expires: "2999-12-31"
"""


def test_an_attested_criterion_is_met_as_attested_never_observed(estate: Path, tmp_path: Path) -> None:
    repo = estate / "pipeline-dvc-mlflow"
    plain = _scan(repo, tmp_path / "plain.json")
    path = _attest(tmp_path, "2999-12-31")
    # several people and no declared roles: People is unknown until someone says who does what
    path.write_text(path.read_text() + WHO_WORKS)
    attested = _scan(repo, tmp_path / "attested.json", "--attestations", str(path))
    check_with_contract_tool(tmp_path / "attested.json")

    def ds(document: dict[str, Any]) -> dict[str, Any]:
        dim: dict[str, Any] = assessment(document, "pipeline-dvc-mlflow")["areas"]["people"]["dimensions"]
        return dim["data_scientists"]

    crit = {c["id"]: c for c in ds(attested)["criteria"]}[DS_WITH_DE]
    assert {c["id"]: c for c in ds(plain)["criteria"]}[DS_WITH_DE]["result"] == "unknown"
    assert crit["result"] == "met" and crit["attested"]["by"] == "Dana Lee, head of data science"
    assert (ds(plain)["status"], ds(plain)["level"]) == ("unknown", None) and ds(attested)["level"] == "procedural"
    html = tmp_path / "r.html"
    assert main(["report", str(tmp_path / "attested.json"), "--html", str(html)]) == EXIT_OK
    assert "Attested by Dana Lee" in html.read_text() and "&lt;weekly rota&gt;" in html.read_text()


def test_expired_attestations_are_ignored_with_a_warning(estate: Path, tmp_path: Path, capsys: Any) -> None:
    path = _attest(tmp_path, "2020-01-31")
    doc = _scan(estate / "pipeline-dvc-mlflow", tmp_path / "e.json", "--attestations", str(path))
    assert f"{path}:2: attestation for {DS_WITH_DE} expired on 2020-01-31: ignored" in capsys.readouterr().err
    assert "attested" not in json.dumps(doc)


def test_unknown_criteria_in_attestations_are_errors_with_a_line(tmp_path: Path) -> None:
    rules = load_rules(builtin_rules_dir())
    path = _attest(tmp_path, "2999-01-01", criterion="people.data_scientists.procedural.no_such_thing")
    with pytest.raises(RulesError) as err:
        load_attestations(path, rules, today=date(2026, 1, 1))
    assert f"{path}:2: at attestations[0].criterion: unknown criterion" in str(err.value)


def test_observed_evidence_wins_over_an_attestation(estate: Path, tmp_path: Path) -> None:
    met = "people.data_scientists.initial.ds_work_observed"  # met by findings in this repo
    path = _attest(tmp_path, "2999-12-31", criterion=met)
    doc = _scan(estate / "pipeline-dvc-mlflow", tmp_path / "m.json", "--attestations", str(path))
    dim = assessment(doc, "pipeline-dvc-mlflow")["areas"]["people"]["dimensions"]["data_scientists"]
    crit = {c["id"]: c for c in dim["criteria"]}[met]
    assert crit["result"] == "met" and "attested" not in crit
    assert not any(f.startswith("attested@") for f in crit["findings"])


def test_the_config_file_carries_the_github_options(tmp_path: Path) -> None:
    from argparse import Namespace

    from scanner.config import apply_github, load_config

    config = tmp_path / "aiops-scan.yaml"
    config.write_text(
        "jobs: 2\ngithub:\n  url: https://ghe.example.com/api/v3\n  include: [ml-*]\n  cache_dir: cache\n"
        "  team_roles: {data-science: DS, platform: OPS}\n  api_budget: 900\n"
    )
    cfg = load_config(config)
    assert cfg.jobs == 2
    args = Namespace(github_url=None, include=[], team_role=[], api_budget=5000, cache_dir=None)
    apply_github(args, cfg.github)
    assert args.github_url == "https://ghe.example.com/api/v3" and args.include == ["ml-*"]
    assert args.team_role == ["data-science=DS", "platform=OPS"] and args.api_budget == 900
    assert args.cache_dir == tmp_path / "cache"
    cli_wins = Namespace(github_url="https://other/api/v3", include=[], team_role=[], api_budget=50, cache_dir=None)
    apply_github(cli_wins, cfg.github)
    assert cli_wins.github_url == "https://other/api/v3" and cli_wins.api_budget == 50


def test_a_bad_github_option_in_the_config_names_file_line_and_key(tmp_path: Path) -> None:
    from scanner.config import load_config
    from scanner.schemapath import FileProblems

    config = tmp_path / "aiops-scan.yaml"
    config.write_text("github:\n  team_roles: {data-science: wizard}\n")
    with pytest.raises(FileProblems) as info:
        load_config(config)
    assert f"{config}:2: at github.team_roles.data-science:" in str(info.value)
