"""Hostile repository content (issue 10, cases 1, 3, 8, 10, 20): each affects only itself, with a reason,
and the scan of the repo finishes in bounded time."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from scanner.collectors.catalogs.repo_artifacts import attach_dbt_artifacts
from scanner.collectors.indexer import build_index
from scanner.config import load_config
from scanner.model import Finding
from scanner.probedef import ProbeSpec
from scanner.schemapath import FileProblems
from scanner.targets import resolve_targets
from scanner.testing import git, make_repo
from tests.adversarial._scan import levels, probes_and_rules, scan_evidence

WORKFLOW = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {run}\n"
GOOD = {
    "train.py": "import mlflow\nfrom sklearn.linear_model import LogisticRegression\nmlflow.autolog()\n",
    "tests/test_train.py": "def test_x():\n    assert 1\n",
    ".github/workflows/ci.yml": WORKFLOW.format(run="pytest"),
    "requirements.txt": "mlflow\nscikit-learn\n",
}
# Case 1: one committed file under the size cap once hung the scan for minutes (quadratic regexes).
QUADRATIC = {
    "helm --set list of 200 KB": {
        ".github/workflows/deploy.yml": WORKFLOW.format(
            run="helm upgrade app ./chart --set " + ",".join(f"k{i}=v{i}" for i in range(22_000))
        )
    },
    "900 KB a.a.a. line": {"notes.yml": "a: " + "a." * 450_000 + "\n", "run.py": "x = '" + "a." * 450_000 + "'\n"},
    "400 KB of spaces in YAML": {
        "conf.yml": "a: b" + " " * 400_000 + "\n",
        ".github/workflows/x.yml": WORKFLOW.format(run="echo" + " " * 400_000 + "x"),
    },
    "400 KB of blank lines in YAML": {"monitoring.yml": "a: |\n" + " \n" * 200_000},
    "long PEM-like body": {
        "keys.py": 'KEY = """-----BEGIN PRIVATE KEY-----\n' + "\n" * 300_000 + "A" * 64 + '\n"""\n',
        "secrets.env": "token " * 150_000 + "\n",
    },
}


@pytest.mark.parametrize("files", QUADRATIC.values(), ids=QUADRATIC.keys())
def test_hostile_line_scans_in_bounded_time(files: dict[str, str], tmp_path: Path) -> None:
    evidence, seconds = scan_evidence(make_repo(tmp_path, {**GOOD, **files}))
    assert seconds < 20, f"scan took {seconds:.1f} s"
    (target,) = evidence["targets"]
    assert target["status"] == "ok"
    assert not [f for f in evidence["findings"] if f["outcome"] == "error" and "deadline" in f["message"]]


def _sleeper(seconds: float) -> ProbeSpec:
    def sleep(views: object) -> list[Finding]:
        end = time.monotonic() + seconds
        while time.monotonic() < end:  # a busy loop, as a stuck regex would be
            pass
        return []

    return ProbeSpec("test.sleeper", "sleeps", ("test.sleeper",), frozenset({"repo"}), sleep)


@pytest.mark.parametrize("jobs", [1, 2])
def test_repo_deadline_ends_remaining_probes_with_error(jobs: int, tmp_path: Path) -> None:
    slow, fast = make_repo(tmp_path, GOOD, name="slow"), make_repo(tmp_path, GOOD, name="fast")
    five = [p for p in probes_and_rules()[0] if p.needs == {"repo"}][:5]
    probes = [_sleeper(3), *five]
    start = time.perf_counter()
    evidence, _ = scan_evidence(tmp_path, probes=probes, repo_deadline_s=1.0, jobs=jobs)
    spent = time.perf_counter() - start
    by_id = {t["id"]: t for t in evidence["targets"]}
    assert {"slow", "fast"} <= set(by_id)
    for name in ("slow", "fast"):  # both repos hit the sleeper; each ends error, the run completes
        assert by_id[name]["status"] == "error"
        assert "scan deadline of 1 s passed" in by_id[name]["error"]
        late = [f for f in evidence["findings"] if f["subject"] == name and f["probe"] in {p.id for p in five}]
        assert late and all(f["outcome"] == "error" and "deadline of 1 s" in f["message"] for f in late)
    if jobs == 1:  # in the main thread the alarm interrupts the stuck probe itself
        assert spent < 5, f"{spent:.1f} s: the sleeping probe was not interrupted"
        sleeper = [f for f in evidence["findings"] if f["probe"] == "test.sleeper"]
        assert all("interrupted" in f["message"] for f in sleeper)
    assert slow.exists() and fast.exists()


def test_deadline_default_is_generous() -> None:
    from scanner.runner import ScanOptions

    assert ScanOptions().repo_deadline_s >= 300


def test_config_key_sets_the_deadline(tmp_path: Path) -> None:
    cfg = tmp_path / "aiops.yml"
    cfg.write_text("repo_deadline_s: 42\n")
    assert load_config(cfg).repo_deadline_s == 42
    cfg.write_text("repo_deadline_s: -1\n")
    with pytest.raises(FileProblems):
        load_config(cfg)


# Case 3: a notebook that is not nbformat 4 affects only itself.
BAD_NOTEBOOKS = {
    "source list holds an int": {"cells": [{"cell_type": "code", "source": ["import os\n", 1]}]},
    "source is a dict": {"cells": [{"cell_type": "code", "source": {"a": 1}}]},
    "source is an int": {"cells": [{"cell_type": "code", "source": 7}]},
    "cells not a list": {"cells": {"cell_type": "code"}},
    "cell not an object": {"cells": ["import os"]},
    "nbformat 3 worksheets": {"worksheets": [{"cells": [{"cell_type": "code", "input": ["import os"]}]}]},
    "invalid JSON": '{"cells": [',
    "top level a list": [1, 2],
}


@pytest.mark.parametrize("doc", BAD_NOTEBOOKS.values(), ids=BAD_NOTEBOOKS.keys())
def test_malformed_notebook_affects_only_itself(doc: object, tmp_path: Path) -> None:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    good = {**GOOD, "notebooks/ok.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": ["import torch\n"]}]})}
    without, _ = scan_evidence(make_repo(tmp_path, good, name="without"))
    with_bad, _ = scan_evidence(make_repo(tmp_path, {**good, "notebooks/bad.ipynb": text}, name="with"))
    assert levels(with_bad) == levels(without)
    errors = [f for f in with_bad["findings"] if f["outcome"] == "error"]
    assert [f["probe"] for f in errors] == ["repo.files.skipped"], [f["message"] for f in errors]
    assert errors[0]["message"].startswith("notebooks/bad.ipynb: malformed notebook: ")
    (target,) = with_bad["targets"]
    assert target["status"] == "ok" and target["files_skipped"] == 1


def test_malformed_outputs_are_ignored(tmp_path: Path) -> None:
    cell = {"cell_type": "code", "source": "import mlflow\n", "outputs": [1, {"data": None}]}
    index = build_index(make_repo(tmp_path, {"nb.ipynb": json.dumps({"cells": [cell], "metadata": []})}))
    assert not index.skipped
    code = index.notebook("nb.ipynb")
    assert code is not None and "import mlflow" in code.source


# Case 8: no symlink out of a scanned folder is followed, and loops do not hang.
def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    (outside / "target").mkdir(parents=True)
    manifest = {"metadata": {"dbt_version": "1.7.0"}, "nodes": {"model.x.secret_model": {"resource_type": "model"}}}
    (outside / "target" / "manifest.json").write_text(json.dumps(manifest))
    (outside / "secret.py").write_text("import mlflow  # OUTSIDE-MARKER\n")
    return outside


def test_plain_folder_never_follows_symlinks_out(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    folder = tmp_path / "folder"
    (folder / "target").mkdir(parents=True)
    (folder / "train.py").write_text("x = 1\n")
    os.symlink(outside / "target" / "manifest.json", folder / "target" / "manifest.json")
    os.symlink(outside / "target", folder / "linked_target")
    os.symlink(outside / "secret.py", folder / "secret.py")
    os.symlink(folder, folder / "loop")  # a loop back into the folder
    os.symlink(folder / "self", folder / "self")  # a link to itself
    evidence, seconds = scan_evidence(folder)
    assert seconds < 20
    text = json.dumps(evidence)
    assert "OUTSIDE-MARKER" not in text and "secret_model" not in text
    skipped = {
        f["locations"][0]["path"]: f["message"] for f in evidence["findings"] if f["probe"] == "repo.files.skipped"
    }
    for link in ("target/manifest.json", "linked_target", "secret.py", "loop", "self"):
        assert "symlink" in skipped[link]


@pytest.mark.parametrize("how", ["manifest linked", "target/ linked", "committed link"])
def test_dbt_artifacts_are_never_read_through_a_symlink(how: str, tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    if how == "committed link":
        root = make_repo(tmp_path, {"train.py": "x = 1\n"})
        (root / "target").mkdir()
        os.symlink(outside / "target" / "manifest.json", root / "target" / "manifest.json")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "link")
    else:
        root = tmp_path / "folder"
        root.mkdir()
        (root / "train.py").write_text("x = 1\n")
        if how == "target/ linked":
            os.symlink(outside / "target", root / "target")
        else:
            (root / "target").mkdir()
            os.symlink(outside / "target" / "manifest.json", root / "target" / "manifest.json")
    targets = resolve_targets([str(root)])
    attach_dbt_artifacts(targets)
    assert "dbt_artifacts" not in targets[0].info and "catalog" not in targets[0].view_builders


def test_git_repo_reads_symlink_targets_only_inside(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    repo = make_repo(tmp_path, {"train.py": "x = 1\n", "inside.py": "import mlflow  # INSIDE-MARKER\n"})
    (repo / "target").mkdir()
    os.symlink(outside / "target" / "manifest.json", repo / "target" / "manifest.json")
    os.symlink("../../outside/secret.py", repo / "rel.py")
    os.symlink("inside.py", repo / "alias.py")
    os.symlink("loop.py", repo / "loop.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "links")
    index = build_index(repo)
    assert index.text("alias.py") == index.text("inside.py")
    for link in ("target/manifest.json", "rel.py"):
        assert index.text(link) is None and not index.has(link)
    assert index.text("loop.py") is None
    assert "OUTSIDE-MARKER" not in json.dumps(scan_evidence(repo)[0])


# Case 10: an empty or corrupt repo is never read from the working tree.
def test_repo_without_commits_is_skipped_not_read_from_work_tree(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "train.py").write_text("import mlflow  # UNTRACKED\n")
    evidence, _ = scan_evidence(repo)
    (target,) = evidence["targets"]
    assert target["status"] == "skipped"
    assert "no commits" in target["error"] and target["no_commits"] is True
    assert not evidence["findings"] and not evidence["assessments"]


def test_corrupt_object_store_is_an_error_target(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, GOOD)
    head = git(repo, "rev-parse", "HEAD").strip()
    (repo / ".git" / "objects" / head[:2] / head[2:]).unlink()
    (repo / "untracked.py").write_text("import mlflow  # UNTRACKED\n")
    evidence, _ = scan_evidence(repo)
    (target,) = evidence["targets"]
    assert target["status"] == "error"
    assert "missing or corrupt git objects" in target["error"]
    assert "UNTRACKED" not in json.dumps(evidence) and not evidence["findings"]


def test_unreadable_dot_git_is_an_error_target(tmp_path: Path) -> None:
    repo = tmp_path / "broken"
    repo.mkdir()
    (repo / ".git").write_text("gitdir: ../nowhere/.git/modules/broken\n")  # a dangling gitlink
    (repo / "train.py").write_text("import mlflow  # UNTRACKED\n")
    evidence, _ = scan_evidence(repo)
    (target,) = evidence["targets"]
    assert target["status"] == "error" and "git cannot read it" in target["error"]
    assert "UNTRACKED" not in json.dumps(evidence)


# Case 20 (decode part): decode errors name the file.
def test_undecodable_repo_files_name_the_file_and_byte(tmp_path: Path) -> None:
    index = build_index(
        make_repo(tmp_path, {"bad.py": b"x = '\xff\xfe\xfa'\n", "win.txt": "é\n".encode("utf-16"), "ok.py": "x = 1\n"})
    )
    reasons = {s.path: s.reason for s in index.skipped}
    assert reasons == {"bad.py": "undecodable text (not UTF-8: byte 5)"}
    assert index.text("win.txt") == "é\n"  # UTF-16 with a BOM is text, not "binary"


def test_undecodable_config_names_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "aiops.yml"
    cfg.write_bytes(b"targets: [\xff]\n")
    with pytest.raises(FileProblems) as err:
        load_config(cfg)
    assert str(cfg) in str(err.value.problems) and "not UTF-8" in str(err.value.problems)
