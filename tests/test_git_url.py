"""Targets given as git URLs: a blobless clone in the cache, scanned like a local repo, reused while
unchanged; an unreachable URL is an error target and the rest of the scan completes."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.cli import EXIT_OK, EXIT_PARTIAL, main
from scanner.estate import build_repo
from scanner.testing import git
from tests.e2e.conftest import FIXTURES, check_with_contract_tool


def _bare(tmp_path: Path) -> Path:
    work = build_repo(FIXTURES / "pipeline-dvc-mlflow", tmp_path / "work")
    bare = tmp_path / "srv" / "pipeline.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    git(bare, "config", "uploadpack.allowFilter", "true")
    return bare


def test_a_git_url_is_cloned_scanned_and_reused(tmp_path: Path) -> None:
    url, cache = f"file://{_bare(tmp_path)}", tmp_path / "cache"
    out = tmp_path / "evidence.json"
    assert main(["scan", url, "--cache-dir", str(cache), "--json", str(out), "--quiet"]) == EXIT_OK
    check_with_contract_tool(out)
    first = json.loads(out.read_text())
    (target,) = first["targets"]
    assert target["id"] == "pipeline" and target["clone"] == "cloned" and target["status"] == "ok"
    level = first["assessments"][0]["areas"]["model_creation"]["level"]
    assert level == "procedural"  # the same as the local scan of this fixture (golden)
    assert main(["scan", url, "--cache-dir", str(cache), "--json", str(out), "--quiet"]) == EXIT_OK
    (again,) = json.loads(out.read_text())["targets"]
    assert again["clone"] == "fetched" and again.get("reused") is True


def test_an_unreachable_git_url_is_an_error_target(tmp_path: Path) -> None:
    out = tmp_path / "evidence.json"
    url = f"file://{tmp_path}/nowhere.git"
    assert main(["scan", url, "--cache-dir", str(tmp_path / "c"), "--json", str(out), "--quiet"]) == EXIT_PARTIAL
    (target,) = json.loads(out.read_text())["targets"]
    assert target["status"] == "error" and "git clone failed" in target["error"]


def test_credentials_in_a_git_url_never_reach_the_output(tmp_path: Path, capsys: object) -> None:
    out = tmp_path / "evidence.json"
    url = "https://scanner:s3cret-Passw0rd@127.0.0.1:9/acme/churn.git"  # nothing listens on port 9
    code = main(["scan", url, "--cache-dir", str(tmp_path / "c"), "--json", str(out)])
    assert code == EXIT_PARTIAL
    text = out.read_text() + str(capsys.readouterr())  # type: ignore[attr-defined]
    assert "s3cret-Passw0rd" not in text
    assert "127.0.0.1:9/acme/churn" in text  # the target is still named


def test_url_credentials_go_to_git_through_the_environment_only() -> None:
    from scanner.collectors.github.clone import split_credentials

    clean, env = split_credentials("https://scanner:s3cret@git.example.com:8443/acme/churn.git")
    assert clean == "https://git.example.com:8443/acme/churn.git"
    assert env["GIT_CONFIG_KEY_0"] == "http.https://git.example.com:8443/.extraHeader"
    assert "s3cret" not in clean and "s3cret" not in env["GIT_CONFIG_VALUE_0"]  # base64 in a header
    assert split_credentials("file:///srv/r.git") == ("file:///srv/r.git", {})
