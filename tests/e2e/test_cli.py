"""The command line as a user meets it: exit codes, explain, probes, rules --check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from scanner.cli import EXIT_OK, EXIT_USAGE, main
from tests.e2e.conftest import check_with_contract_tool

BROKEN = Path(__file__).resolve().parents[1] / "broken_rules"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scanner", *args], capture_output=True, text=True)


def test_scan_explain_round_trip(estate: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    proc = run("scan", str(estate / "pipeline-dvc-mlflow"), "--json", str(out))
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "Model creation" in proc.stdout
    check_with_contract_tool(out)
    explained = run("explain", str(out), "model_creation.experiment_tracking")
    assert explained.returncode == EXIT_OK, explained.stderr
    assert "MET" in explained.stdout
    assert ".py:" in explained.stdout  # a file:line citation


def test_explain_accepts_the_bare_dimension_id_and_rejects_unknown(estate: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert main(["scan", str(estate / "llm-app"), "--json", str(out), "--quiet"]) == EXIT_OK
    assert main(["explain", str(out), "prompt_management"]) == EXIT_OK
    assert main(["explain", str(out), "prompt_handling"]) == EXIT_USAGE


def test_a_missing_target_is_a_usage_error_before_scanning(estate: Path, tmp_path: Path) -> None:
    """A typo in a nightly job's target list must fail the job (exit 2), not pass as a partial scan (3)."""
    out = tmp_path / "out.json"
    code = main(["scan", str(estate / "llm-app"), str(tmp_path / "nowhere"), "--json", str(out), "--quiet"])
    assert code == EXIT_USAGE
    assert not out.exists()


def test_rules_check_reports_file_line_and_key_path(tmp_path: Path) -> None:
    shutil.copy(BROKEN / "unknown_signal.yml", tmp_path / "people.yml")
    proc = run("rules", "--check", str(tmp_path))
    assert proc.returncode == EXIT_USAGE
    assert (
        f"{tmp_path}/people.yml:12: at dimensions.data_scientists.levels.initial.criteria[0].when: "
        "unknown signal 'repo.ml.presence'" in proc.stderr
    )


def test_builtin_rules_check_clean() -> None:
    proc = run("rules", "--check", str(Path(__file__).resolve().parents[2] / "rules"))
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "6 areas" in proc.stdout


def test_probes_lists_every_probe_with_its_signals() -> None:
    proc = run("probes")
    assert proc.returncode == EXIT_OK
    for probe_id in ("repo.files.skipped", "repo.tests.unit", "ci.runs_tests"):
        assert probe_id in proc.stdout
