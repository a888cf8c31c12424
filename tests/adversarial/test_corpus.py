"""The adversarial corpus (fixtures/adversarial/, see its README): every case is scanned end to end and
must give a clear reason in the evidence, leave the rest of the scan complete, and stay within bounded
time and memory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.outputs import render
from scanner.testing import DEFAULT_AUTHOR, git
from tests.adversarial._scan import peak_rss_mb, probes_and_rules, scan_evidence

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "adversarial"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())
MAX_RSS_MB = 1500  # peak of the whole test process: generous, but a YAML bomb or a 100k-line file would pass it
WORKFLOW = "on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n      - run: {run}\n"
Generator = Callable[[Path], Path | None]


def _commit_all(root: Path, message: str = "initial commit") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def _init(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    return root


def helm_set_line(root: Path) -> None:
    run = "helm upgrade app ./chart --set " + ",".join(f"k{i}=v{i}" for i in range(22_000))
    (root / ".github/workflows/deploy.yml").write_text(WORKFLOW.format(run=run))


def dots_line(root: Path) -> None:
    (root / "notes.yml").write_text("a: " + "a." * 450_000 + "\n")
    (root / "dots.py").write_text("x = '" + "a." * 450_000 + "'\n")


def spaces_yaml(root: Path) -> None:
    (root / "conf.yml").write_text("a: b" + " " * 400_000 + "\n")
    (root / ".github/workflows/spaces.yml").write_text(WORKFLOW.format(run="echo" + " " * 400_000 + "x"))


def blank_lines(root: Path) -> None:
    (root / "monitoring.yml").write_text("a: |\n" + " \n" * 200_000)


def pem_body(root: Path) -> None:
    (root / "keys.py").write_text('KEY = """-----BEGIN PRIVATE KEY-----\n' + "\n" * 300_000 + "A" * 64 + '\n"""\n')
    (root / "secrets.env").write_text("token " * 150_000 + "\n")


def huge_single_line(root: Path) -> None:
    (root / "one_line.py").write_text("x = [" + "1, " * 330_000 + "]")


def oversized(root: Path) -> None:
    (root / "big.yml").write_text("a: b\n" * 600_000)


def binary_sources(root: Path) -> None:
    blob = bytes(range(256)) * 64
    for name in ("blob.py", "blob.yml", "blob.ipynb"):
        (root / name).write_bytes(blob)


def deep_yaml(root: Path) -> None:
    (root / "deep.yml").write_text("[" * 100_000 + "]" * 100_000 + "\n")


def deep_json(root: Path) -> None:
    (root / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (root / "deep.ipynb").write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")


def requirements_100k(root: Path) -> None:
    (root / "requirements.txt").write_text("".join(f"package-{i}=={i % 10}.0\n" for i in range(100_000)))


def many_tiny_files(root: Path) -> None:
    for i in range(3000):
        folder = root / "data" / f"d{i % 30}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i}.py").write_text("x")


ODD_NAMES = ["new\nline.py", 'quote"d.py', "apos'trophe.yml", "tab\tname.py", "<script>alert(1).py"]


def odd_names(root: Path) -> None:
    for name in ODD_NAMES:
        (root / name).write_text("import mlflow\n" if name.endswith(".py") else "a: 1\n")
    (root / "<script>alert(2).yml").write_bytes(b"\x00binary")  # a skipped file cites its name


def symlinks_out(root: Path) -> None:
    outside = root.parent / "outside"
    (outside / "target").mkdir(parents=True)
    (outside / "target" / "manifest.json").write_text('{"nodes": {"model.x.OUTSIDE": {}}}')
    (outside / "secret.py").write_text("import mlflow  # OUTSIDE-MARKER\n")
    (root / "target").mkdir()
    os.symlink(outside / "target" / "manifest.json", root / "target" / "manifest.json")
    os.symlink(outside, root / "outside_dir")
    os.symlink("../outside/secret.py", root / "secret.py")


def symlink_loops(root: Path) -> None:
    os.symlink(root, root / "parent_loop")
    os.symlink("self_loop", root / "self_loop")
    (root / "sub").mkdir()
    os.symlink("..", root / "sub" / "up")


def gitlink(root: Path) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    _init(root)
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{sha},lib")
    (root / "lib").mkdir()  # an uninitialised submodule: an empty folder


def shallow(root: Path) -> Path:
    _init(root)
    for i in range(3):
        (root / "log.txt").write_text(str(i))
        _commit_all(root, f"change {i}")
    clone = root.parent / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", root.as_uri(), str(clone)], check=True, capture_output=True)
    return clone


def big_history(root: Path) -> Path:
    """100,000 commits on one file, written straight into git's object store."""
    _init(root)
    name, email = DEFAULT_AUTHOR
    chunks = []
    start = 1_700_000_000
    for i in range(100_000):
        data = f"{i}\n"
        message = f"commit {i}\n"
        chunks.append(
            f"commit refs/heads/main\ncommitter {name} <{email}> {start + i * 60} +0000\n"
            f"data {len(message)}\n{message}M 100644 inline counter.txt\ndata {len(data)}\n{data}\n"
        )
    chunks.append(f"commit refs/heads/main\ncommitter {name} <{email}> {start} +0000\ndata 6\nfiles\n")
    stream = "".join(chunks)
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input=stream.encode(), check=True)
    git(root, "checkout", "-q", "main")
    (root / "train.py").write_text("import mlflow\nmlflow.autolog()\n")
    _commit_all(root)
    return root


def empty_repo(root: Path) -> Path:
    return _init(root)  # repo/ files stay untracked


def only_dot_git(root: Path) -> Path:
    _init(root)
    _commit_all(root, "nothing")
    return root


def corrupt_objects(root: Path) -> Path:
    _init(root)
    _commit_all(root)
    head = git(root, "rev-parse", "HEAD").strip()
    (root / ".git" / "objects" / head[:2] / head[2:]).unlink()
    (root / "untracked.py").write_text("import mlflow  # UNTRACKED\n")
    return root


def broken_dot_git(root: Path) -> Path:
    (root / ".git").write_text("gitdir: ../nowhere/.git/modules/x\n")
    return root


GENERATORS: dict[str, Generator] = {
    f.__name__: f  # type: ignore[misc]
    for f in (
        helm_set_line, dots_line, spaces_yaml, blank_lines, pem_body, huge_single_line, oversized,
        binary_sources, deep_yaml, deep_json, requirements_100k, many_tiny_files, odd_names, symlinks_out,
        symlink_loops, gitlink, shallow, big_history, empty_repo, only_dot_git, corrupt_objects, broken_dot_git,
    )
}  # fmt: skip


def build_case(case: dict[str, Any], source: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    if (source / "repo").is_dir():
        shutil.copytree(source / "repo", root, symlinks=True)
    root.mkdir(exist_ok=True)
    mode = case.get("git", "commit")
    generated = GENERATORS[case["generate"]](root) if "generate" in case else None
    if mode == "commit":
        if not (root / ".git").exists():
            _init(root)
        _commit_all(root)
    return generated or root


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    for name in CASES:
        case = yaml.safe_load((CORPUS / name / "case.yaml").read_text())
        assert case["exercises"] and case.get("generate", "") in ("", *GENERATORS), name
        for path in (CORPUS / name).rglob("*"):
            assert path.is_dir() or path.stat().st_size < 100_000, f"{path}: generate big files in the test"


SLOW = {"big-history", "many-tiny-files"}  # marked, not skipped: `make test` runs them


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in CASES])
def test_adversarial_case(name: str, tmp_path: Path) -> None:
    case = yaml.safe_load((CORPUS / name / "case.yaml").read_text())
    path = build_case(case, CORPUS / name, tmp_path)
    evidence, seconds = scan_evidence(path)
    assert seconds < case.get("max_seconds", 20), f"{name}: scan took {seconds:.1f} s"
    assert peak_rss_mb() < MAX_RSS_MB, f"{name}: peak RSS {peak_rss_mb():.0f} MB"
    (target,) = evidence["targets"]
    assert target["status"] == case.get("status", "ok"), target
    said = json.dumps([target.get("error", ""), *(f["message"] for f in evidence["findings"])])
    for reason in case.get("reasons", []):
        assert reason in said, f"{name}: {reason!r} not in the evidence"
    assert "OUTSIDE-MARKER" not in said and "UNTRACKED" not in said
    assert not Path("/tmp/aiops-scan-pwned").exists()  # !!python/object is never constructed
    if target["status"] != "ok":
        assert not evidence["findings"] and not evidence["assessments"]
        return
    # the rest of the scan is complete: every repo probe answered, none failed
    repo_probes = {p.id for p in probes_and_rules()[0] if not p.needs - {"repo", "ci", "history"}}
    assert repo_probes <= {f["probe"] for f in evidence["findings"]}
    failed = [f["message"] for f in evidence["findings"] if f["outcome"] == "error" and "probe failed" in f["message"]]
    assert not failed, failed
    assert [a["scope"] for a in evidence["assessments"]] == [target["id"]]
    if case.get("reports"):
        for fmt in ("html", "markdown"):
            text = render(fmt, evidence, None, None)
            assert "<script>alert(" not in text, f"{fmt}: a file name reached the report unescaped"
