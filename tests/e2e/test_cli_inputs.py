"""Hardening of the command line's inputs (issue 10): everything that can be checked is checked before
scanning, with exit 2 and one line naming the file or option, never a traceback."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.cli import EXIT_OK, EXIT_USAGE, _demo_mlflow_store, main
from scanner.testing import make_repo

FILES = {"train.py": "import mlflow\n\nmlflow.log_metric('auc', 0.9)\n", "requirements.txt": "mlflow\n"}
DS_WITH_DE = "people.data_scientists.procedural.ds_with_de"


def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path, FILES)


def _one_line_usage_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == EXIT_USAGE, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr
    assert "scanning" not in proc.stdout  # refused before any repo was scanned


# case 4: outputs never overwrite inputs, each other, or a scanned repo's .git ---------------------


def test_an_output_equal_to_the_config_is_refused_and_the_config_kept(repo: Path, tmp_path: Path) -> None:
    config = tmp_path / "aiops-scan.yaml"
    config.write_text(f"targets: [{repo}]\n")
    proc = run("scan", "--config", str(config), "--json", str(config))
    _one_line_usage_error(proc, str(config), "--json", "configuration")
    assert config.read_text() == f"targets: [{repo}]\n"


def test_an_output_given_twice_is_refused(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "x"
    _one_line_usage_error(run("scan", str(repo), "--json", str(out), "--html", str(out)), "--json", "--html")
    assert not out.exists()


def test_an_output_inside_the_scanned_repos_git_folder_is_refused(repo: Path) -> None:
    head = (repo / ".git" / "HEAD").read_text()
    _one_line_usage_error(run("scan", str(repo), "--json", str(repo / ".git" / "HEAD")), ".git")
    assert (repo / ".git" / "HEAD").read_text() == head


def test_an_output_reaching_an_input_through_a_symlink_is_refused(repo: Path, tmp_path: Path) -> None:
    attestations = tmp_path / "attestations.yaml"
    attestations.write_text("attestations: []\n")
    link = tmp_path / "report.html"
    link.symlink_to(attestations)
    proc = run("scan", str(repo), "--attestations", str(attestations), "--html", str(link))
    _one_line_usage_error(proc, "attestations")
    assert attestations.read_text() == "attestations: []\n"


def test_outputs_equal_to_a_baseline_or_a_report_input_are_refused(repo: Path, tmp_path: Path) -> None:
    evidence = tmp_path / "e.json"
    assert main(["scan", str(repo), "--json", str(evidence), "--quiet"]) == EXIT_OK
    before = evidence.read_text()
    _one_line_usage_error(run("scan", str(repo), "--baseline", str(evidence), "--sarif", str(evidence)), "baseline")
    _one_line_usage_error(run("report", str(evidence), "--markdown", str(evidence)), "evidence")
    _one_line_usage_error(run("diff", str(evidence), str(evidence), "--json", str(evidence)), "evidence")
    assert evidence.read_text() == before


def test_an_output_inside_the_scanned_work_tree_is_allowed(repo: Path) -> None:
    """CI writes `--json evidence.json` with target `.`: that is the common case, not an error."""
    assert main(["scan", str(repo), "--json", str(repo / "evidence.json"), "--quiet"]) == EXIT_OK
    assert json.loads((repo / "evidence.json").read_text())["schema_version"]


# case 5: a bad baseline or evidence file is a one-line usage error, found before scanning -------


def _bad_evidence(tmp_path: Path, kind: str, good: str) -> Path:
    path = tmp_path / f"bad-{kind}.json"
    if kind == "missing":
        return path
    text = {
        "not_json": "this is not json\n",
        "truncated": good[: len(good) // 2],
        "old_version": json.dumps({**json.loads(good), "schema_version": "0.9"}),
        "a_list": "[1, 2, 3]\n",
        "wrong_shape": json.dumps({**json.loads(good), "assessments": [{"scope": 3}]}),
    }[kind]
    path.write_text(text)
    return path


KINDS = ["missing", "not_json", "truncated", "old_version", "a_list", "wrong_shape"]


@pytest.fixture(scope="module")
def good_evidence(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("good")
    out = root / "good.json"
    assert main(["scan", str(make_repo(root, FILES)), "--json", str(out), "--quiet"]) == EXIT_OK
    return out.read_text()


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_baseline_fails_before_scanning_and_writes_nothing(
    kind: str, repo: Path, tmp_path: Path, good_evidence: str
) -> None:
    baseline = _bad_evidence(tmp_path, kind, good_evidence)
    out = tmp_path / "out.json"
    proc = run("scan", str(repo), "--baseline", str(baseline), "--json", str(out))
    _one_line_usage_error(proc, str(baseline))
    assert not out.exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", ["report", "diff", "explain"])
def test_report_diff_explain_on_bad_evidence_name_the_file(
    command: str, kind: str, tmp_path: Path, good_evidence: str
) -> None:
    bad = _bad_evidence(tmp_path, kind, good_evidence)
    good = tmp_path / "good.json"
    good.write_text(good_evidence)
    args = {
        "report": ["report", str(bad)],
        "diff": ["diff", str(good), str(bad)],
        "explain": ["explain", str(bad), "model_creation.experiment_tracking"],
    }[command]
    proc = run(*args)
    assert proc.returncode == EXIT_USAGE, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert str(bad) in proc.stderr


# case 12: a mistyped target is a usage error, not a partial scan that a nightly job treats as success


def test_a_missing_local_target_is_a_usage_error_before_scanning(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    proc = run("scan", str(repo), str(tmp_path / "rpeo"), "--json", str(out))
    _one_line_usage_error(proc, "rpeo", "no such folder")
    assert not out.exists()


def test_a_missing_target_in_the_config_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "aiops-scan.yaml"
    config.write_text("targets: [does-not-exist]\n")
    _one_line_usage_error(run("scan", "--config", str(config)), "does-not-exist")


@pytest.mark.parametrize("option", ["--mlflow", "--catalog"])
def test_a_missing_local_store_or_catalog_is_a_usage_error(option: str, repo: Path, tmp_path: Path) -> None:
    missing = tmp_path / "mlrnus"
    value = str(missing) if option == "--mlflow" else f"dbt={missing}"
    _one_line_usage_error(run("scan", str(repo), option, value), "mlrnus", "no such file")


def test_a_file_given_as_target_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    _one_line_usage_error(run("scan", str(tmp_path / "notes.txt")), "not a folder")


# case 15: the README's attestation example (an unquoted YAML date) is accepted ------------------


def test_the_readme_attestation_example_with_an_unquoted_date_is_accepted(repo: Path, tmp_path: Path) -> None:
    attestations = tmp_path / "attestations.yaml"
    attestations.write_text(
        "attestations:\n"
        f"  - criterion: {DS_WITH_DE}\n"
        "    by: Dana Lee, head of data science\n"
        "    why: DS and DE pair on every pipeline change (weekly rota)\n"
        "    link: https://wiki.example.com/ml/pairing\n"
        "    expires: 2999-06-30\n"
    )
    out = tmp_path / "out.json"
    code = main(["scan", str(repo), "--attestations", str(attestations), "--json", str(out), "--quiet"])
    assert code == EXIT_OK
    document = json.loads(out.read_text())
    attested = [f for f in document["findings"] if f["probe"] == "attestation"]
    assert attested and attested[0]["values"]["expires"] == "2999-06-30"


def test_an_attestation_date_that_is_not_a_date_is_still_refused(repo: Path, tmp_path: Path) -> None:
    attestations = tmp_path / "attestations.yaml"
    attestations.write_text(f"attestations:\n  - {{criterion: {DS_WITH_DE}, by: a, why: b, expires: 2027-13-45}}\n")
    assert main(["scan", str(repo), "--attestations", str(attestations), "--quiet"]) == EXIT_USAGE


# case 16: the demo never deletes an MLflow store it did not make --------------------------------


def test_demo_refuses_to_replace_an_mlflow_store_it_did_not_make(tmp_path: Path) -> None:
    mine = tmp_path / "mlflow" / "mlruns" / "0" / "meta.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("name: my real experiment\n")
    proc = run("demo", "--out", str(tmp_path), "--quiet")
    assert proc.returncode == EXIT_USAGE, proc.stderr
    assert "refusing to replace" in proc.stderr and "Traceback" not in proc.stderr
    assert mine.read_text() == "name: my real experiment\n"


def test_demo_replaces_its_own_mlflow_store_on_the_next_run(tmp_path: Path) -> None:
    bundled = Path(__file__).resolve().parents[2] / "fixtures" / "mlflow" / "mlruns"
    store = _demo_mlflow_store(bundled, tmp_path)
    (store / "stale.txt").write_text("from the last demo")
    assert _demo_mlflow_store(bundled, tmp_path) == store
    assert not (store / "stale.txt").exists() and any(store.iterdir())


# case 17: command-line options have the config schema's bounds ----------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--window-days", "-5"),
        ("--window-days", "0"),
        ("--window-days", "99999999"),
        ("--jobs", "0"),
        ("--jobs", "100000"),
        ("--max-repos", "-1"),
        ("--api-budget", "0"),
        ("--max-wait", "-1"),
        ("--max-wait", "nan"),
        ("--max-wait", "inf"),
    ],
)
def test_out_of_bounds_options_are_usage_errors(option: str, value: str, repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    _one_line_usage_error(run("scan", str(repo), option, value, "--json", str(out)), option)
    assert not out.exists()


def test_in_bounds_options_are_used_as_given(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert main(["scan", str(repo), "--window-days", "3650", "--jobs", "1", "--json", str(out), "--quiet"]) == 0
    assert json.loads(out.read_text())["config"]["history_window_days"] == 3650


# case 19: an output that cannot be written is found before scanning, and named ------------------


def test_an_output_under_a_file_is_refused_before_scanning(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("x")
    target = tmp_path / "plain-file" / "out.json"
    _one_line_usage_error(run("scan", str(repo), "--html", str(target)), str(target))


def test_an_output_that_is_a_folder_is_refused_before_scanning(repo: Path, tmp_path: Path) -> None:
    _one_line_usage_error(run("scan", str(repo), "--json", str(tmp_path)), str(tmp_path))


def test_a_full_disk_is_found_before_scanning_and_the_file_named(repo: Path, tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes every write past 1 KiB fail with EFBIG, as a full disk fails with ENOSPC."""

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    out = tmp_path / "out.json"
    _one_line_usage_error(run("scan", str(repo), "--json", str(out), preexec_fn=small_files), str(out))
    assert not out.exists() and not list(tmp_path.glob(".out.json.*"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_output_folder_is_found_before_scanning(repo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        _one_line_usage_error(run("scan", str(repo), "--json", str(folder / "out.json")), "out.json")
    finally:
        folder.chmod(0o755)
