"""Hardening of what the command line prints and writes (issue 10): clean terminal text, outputs of one
run never mixed with an earlier run's, no temporary files after SIGTERM, SARIF URIs, file modes."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from rich.console import Console

from scanner import interrupt
from scanner.cli import EXIT_OK, EXIT_USAGE, main
from scanner.outputs import scanned_tree, write_outputs
from scanner.reporters.evidence import PENDING, stage
from scanner.reporters.progress import progress_bar
from scanner.reporters.sarif import file_uri, render_sarif
from scanner.runner import ScanOptions
from scanner.termsafe import clean
from scanner.testing import commit, git, make_repo

ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMAS = [
    Path("/work/shared/contracts/sarif/sarif-2.1.0-rtm.5.json"),
    ROOT.parent / "shared" / "contracts" / "sarif" / "sarif-2.1.0-rtm.5.json",
]
FILES = {"train.py": "import mlflow\n\nmlflow.log_metric('auc', 0.9)\n", "requirements.txt": "mlflow\n"}
HOSTILE = "evil\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eRLO"
PLAIN_ENV = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "200"}


def run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args], capture_output=True, text=True, timeout=300, env=PLAIN_ENV, **kwargs
    )


def _no_controls(text: str) -> None:
    assert not any(c in text for c in "\x1b\x07\x9b\u202e"), repr(text[:2000])


# case 13: nothing from a scanned repo drives the terminal ----------------------------------------


def test_clean_removes_escape_sequences_and_controls_but_keeps_newlines_and_tabs() -> None:
    text = "a\x1b]8;;http://evil\x07link\x1b]8;;\x1b\\b\x1b[31mred\x1b[0m\x9b1mc\x08\x00\u202ed\te\nf\x1bPdcs\x1b\\"
    assert clean(text) == "alinkbredcd\te\nf"
    assert clean("one\ntwo\tthree", newlines=False) == "one two three"


def test_progress_bar_prints_folder_names_as_text_never_markup_or_escapes() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200)
    opts = ScanOptions()
    with progress_bar(console, 1, False, opts):
        assert opts.progress and opts.done
        opts.progress(f"x[/] [bold]{HOSTILE}")  # an unmatched closing tag made rich raise MarkupError
        time.sleep(0.2)
        opts.done("x")
    assert "\x1b]0;" not in out.getvalue() and "\x1b[2J" not in out.getvalue()


def test_folder_names_with_escapes_and_markup_reach_the_terminal_clean(tmp_path: Path) -> None:
    estate = tmp_path / "estate"
    make_repo(estate, FILES, name=HOSTILE)
    make_repo(estate, FILES, name="[bold]x")
    proc = run("scan", str(estate))
    assert proc.returncode == EXIT_OK, proc.stderr
    _no_controls(proc.stdout + proc.stderr)
    assert "scanning [bold]x ..." in proc.stdout and "\n[bold]x" in proc.stdout  # shown as text, not markup
    assert "scanning evil" in proc.stdout


def _ml_repo(estate: Path, tmp_path: Path) -> Path:
    """A clone of a fixture repo with unmet criteria that cite files, and a commit by a hostile author."""
    repo = tmp_path / "ml-repo"
    subprocess.run(["git", "clone", "-q", str(estate / "notebook-solo"), str(repo)], check=True)
    commit(repo, {"notes.md": "hello\n"}, author=(f"Eve {HOSTILE}", "eve@example.org"), date="2030-01-01T00:00:00Z")
    return repo


def test_explain_and_errors_print_no_escape_sequences(estate: Path, tmp_path: Path) -> None:
    repo = _ml_repo(estate, tmp_path)
    evidence = tmp_path / "e.json"
    assert main(["scan", str(repo), "--json", str(evidence), "--quiet"]) == EXIT_OK
    document = json.loads(evidence.read_text())
    for finding in document["findings"]:  # what a hostile repo's names, messages and paths can carry
        finding["message"] = f"{finding['message']} by {HOSTILE}"
    evidence.write_text(json.dumps(document))
    dimension = next(
        f"{area_id}.{dim_id}"
        for area_id, area in document["assessments"][0]["areas"].items()
        for dim_id, dim in area["dimensions"].items()
        if any(c["findings"] for c in dim["criteria"])
    )
    proc = run("explain", str(evidence), dimension)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "evil" in proc.stdout
    _no_controls(proc.stdout + proc.stderr)
    missing = run("scan", str(tmp_path / HOSTILE))
    assert missing.returncode == EXIT_USAGE and "evil" in missing.stderr
    _no_controls(missing.stderr)


# case 18: SIGTERM leaves no temporary file, and one run's outputs never mix with another's ----------


def test_sigterm_during_a_scan_exits_143_and_leaves_the_last_runs_outputs_intact(estate: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("e.json", "r.html"):
        (out / name).write_text("from the last run")
    command = [sys.executable, "-m", "scanner", "scan", str(estate), "--jobs", "1"]
    command += ["--json", str(out / "e.json"), "--html", str(out / "r.html")]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=PLAIN_ENV,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("scanning")  # the scan is under way
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert time.monotonic() - started < 10  # at once, not after the remaining repos
    assert "Traceback" not in err and "terminated" in err
    assert sorted(p.name for p in out.iterdir()) == ["e.json", "r.html"]  # no .tmp file
    assert {p.read_text() for p in out.iterdir()} == {"from the last run"}  # nothing mixed


def test_termination_removes_files_being_written(tmp_path: Path) -> None:
    tmp = stage(tmp_path / "e.json", "partial")
    assert tmp in PENDING and tmp.exists()
    interrupt.cleanup()
    assert not tmp.exists() and not PENDING


def test_a_signal_while_outputs_are_renamed_waits_for_the_renames() -> None:
    previous = signal.getsignal(signal.SIGTERM)
    interrupt.install()
    try:
        renamed = []
        with pytest.raises(interrupt.Terminated), interrupt.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            renamed.append("all")
        assert renamed == ["all"]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_report_that_fails_keeps_the_evidence_and_drops_the_last_runs_report(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, FILES)
    evidence = tmp_path / "e.json"
    assert main(["scan", str(repo), "--json", str(evidence), "--quiet"]) == EXIT_OK
    document = json.loads(evidence.read_text())
    document["started_at"] = "2030-01-01T00:00:00Z"
    md, html = tmp_path / "r.md", tmp_path / "r.html"
    md.write_text("from the last run")
    html.write_text("from the last run")
    broken_gate: dict[str, Any] = {"passed": False}  # no "messages": the reporters fail on it
    written, errors = write_outputs(document, {"json": evidence, "markdown": md, "html": html}, None, broken_gate)
    assert json.loads(evidence.read_text())["started_at"] == "2030-01-01T00:00:00Z"
    assert len(errors) == 2 and str(md) in errors[1] and str(html) in errors[0]
    assert not md.exists() and not html.exists()  # not left from the last run beside this run's evidence
    assert evidence in written and not list(tmp_path.glob("*.tmp"))


# case 21: SARIF cites percent-encoded paths present in the scanned tree -------------------------


def _validate_sarif(sarif: dict[str, Any]) -> None:
    schema_file = next((p for p in SARIF_SCHEMAS if p.is_file()), None)
    if schema_file is None:
        pytest.skip("the SARIF 2.1.0 schema is not present")
    jsonschema.Draft4Validator(json.loads(schema_file.read_text(encoding="utf-8"))).validate(sarif)


def test_file_uris_are_percent_encoded() -> None:
    path = "src/my model #1 100%/modèle?.py"
    uri = file_uri(path)
    assert uri == "src/my%20model%20%231%20100%25/mod%C3%A8le%3F.py"
    assert unquote(uri) == path
    assert file_uri("a:b.py") == "a%3Ab.py"  # never read as a URI scheme


def _uris(sarif: dict[str, Any]) -> list[str]:
    _validate_sarif(sarif)
    return [
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
        for loc in result["locations"] + result.get("relatedLocations", [])
    ]


def _history_repo(estate: Path, tmp_path: Path) -> tuple[Path, str]:
    """A repo where `old_train.py` exists only in the history (added, then deleted)."""
    repo = _ml_repo(estate, tmp_path)
    commit(repo, {"old_train.py": "import mlflow\n"}, date="2030-01-02T00:00:00Z")
    first = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "rm", "-q", "old_train.py")
    commit(repo, {"my model #1.py": "import mlflow\n"}, message="drop the old script", date="2030-01-03T00:00:00Z")
    return repo, first


def test_sarif_never_cites_a_path_absent_from_the_scanned_tree(estate: Path, tmp_path: Path) -> None:
    repo, first = _history_repo(estate, tmp_path)
    evidence = tmp_path / "e.json"
    assert main(["scan", str(repo), "--json", str(evidence), "--quiet"]) == EXIT_OK
    document = json.loads(evidence.read_text())
    head = document["targets"][0]["commit"]
    sarif = render_sarif(document)
    assert sarif["runs"][0]["results"], "the repo has unmet criteria citing files"
    history = {"path": "old_train.py", "commit": first}  # seen in an older commit only
    spaced = {"path": "my model #1.py", "line": 1, "commit": head}
    for finding in document["findings"]:
        finding["locations"] = [history, spaced, *finding.get("locations", [])]
    uris = _uris(render_sarif(document))  # judged from the evidence alone (the repo may be gone)
    assert "old_train.py" not in uris
    assert "my%20model%20%231.py" in uris and "my model #1.py" not in uris
    deleted_at_head = {"path": "old_train.py", "commit": head}  # a history location of the deleting commit
    for finding in document["findings"]:
        finding["locations"].insert(0, deleted_at_head)
    tree = scanned_tree(document)  # read from the repo while it is there
    scope = document["targets"][0]["id"]
    assert not tree(scope, deleted_at_head) and tree(scope, spaced)
    assert "old_train.py" not in _uris(render_sarif(document, tree))


def test_the_sarif_written_by_a_scan_reads_the_scanned_tree(estate: Path, tmp_path: Path) -> None:
    repo, _ = _history_repo(estate, tmp_path)
    sarif = tmp_path / "r.sarif"
    assert main(["scan", str(repo), "--sarif", str(sarif), "--quiet"]) == EXIT_OK
    uris = _uris(json.loads(sarif.read_text()))
    assert uris and "old_train.py" not in uris and all(" " not in u and "#" not in u for u in uris)


# case 22: reports and evidence follow the umask ------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_follow_the_umask(umask: int, mode: int, tmp_path: Path) -> None:
    repo = make_repo(tmp_path, FILES)
    outs = {"--json": tmp_path / "e.json", "--html": tmp_path / "r.html", "--sarif": tmp_path / "r.sarif"}
    args = [x for flag, path in outs.items() for x in (flag, str(path))]
    proc = run("scan", str(repo), "--quiet", *args, preexec_fn=lambda: os.umask(umask))
    assert proc.returncode == EXIT_OK, proc.stderr
    for path in outs.values():
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
