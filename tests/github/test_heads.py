"""A rescan of unchanged repos: one batched GraphQL check of the default-branch heads, then the cached
findings, without git or any other call; a pushed repo is fetched and analysed again."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.collectors.github import clone, queries

from .conftest import graphql_answer_problems
from .fake_github import FakeGitHub
from .org_fixture import ORG, graphql_answers, listing
from .test_github_scan import run


@pytest.fixture
def own(bares: dict[str, Path], tmp_path: Path) -> Iterator[tuple[FakeGitHub, dict[str, Path]]]:
    """The fixture organisation on copies of the bare repos, which this test may push to."""
    copies = {name: Path(shutil.copytree(bare, tmp_path / "remote" / bare.name)) for name, bare in bares.items()}
    with FakeGitHub(ORG, listing(copies), graphql_answers()) as server:
        yield server, copies


@pytest.fixture
def syncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The clone URLs git was asked to clone or fetch (the real sync still runs)."""
    seen: list[str] = []
    real = clone.sync

    def spy(url: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(url)
        return real(url, *args, **kwargs)

    monkeypatch.setattr(clone, "sync", spy)
    return seen


def heads_queries(fake: FakeGitHub, since: int = 0) -> list[tuple[str, dict[str, Any]]]:
    return [(q, v) for q, v in fake.graphql_calls[since:] if q.startswith("query RepoHeads(")]


def repos(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in doc["targets"] if t["kind"] == "repo"}


def push_commit(bare: Path, tmp: Path) -> str:
    work = tmp / f"push-{bare.stem}"
    subprocess.run(["git", "clone", "-q", str(bare), str(work)], check=True)
    (work / "NOTES.md").write_text("a change\n")
    git = ["git", "-C", str(work), "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "add", "NOTES.md"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "change"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD"], check=True)
    return subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()


def test_unchanged_rerun_is_one_batched_check_without_git(fake: FakeGitHub, tmp_path: Path, syncs: list[str]) -> None:
    code, cold = run(fake, tmp_path)
    assert code == 0 and heads_queries(fake) == []  # nothing cached: nothing to check
    assert len(syncs) == 3
    fake.requests.clear()
    before = len(fake.graphql_calls)
    code, warm = run(fake, tmp_path, name="warm.json")
    assert code == 0
    assert len(syncs) == 3  # no git clone or fetch at all
    assert len(heads_queries(fake, before)) == 1
    assert all(t["clone"] == "unchanged" and t["reused"] for t in repos(warm).values())
    posts = [p for m, p, _ in fake.requests if m == "POST"]
    gets = [p for m, p, _ in fake.requests if m == "GET"]
    assert len(posts) == 2 and all(p.startswith("/orgs/acme/repos") for p in gets)  # teams + heads; listing
    calls = warm["stats"]["api_calls"]
    assert calls["rest"] == 0 and calls["graphql_points"] == 2 and calls["repos_unchanged"] == 3
    assert [f["id"] for f in warm["findings"]] == [f["id"] for f in cold["findings"]]
    assert [a["areas"] for a in warm["assessments"]] == [a["areas"] for a in cold["assessments"]]


def test_a_pushed_repo_is_fetched_and_analysed_again(
    own: tuple[FakeGitHub, dict[str, Path]], tmp_path: Path, syncs: list[str]
) -> None:
    fake, copies = own
    run(fake, tmp_path)
    head = push_commit(copies["llm-app"], tmp_path)
    code, doc = run(fake, tmp_path, name="after-push.json")
    assert code == 0
    got = repos(doc)
    assert got["llm-app"]["clone"] == "fetched" and not got["llm-app"].get("reused")
    assert got["llm-app"]["commit"] == head  # analysed at the new HEAD
    assert all(got[n]["clone"] == "unchanged" and got[n]["reused"] for n in ("pipeline-dvc-mlflow", "team-platform"))
    assert syncs.count(copies["llm-app"].as_uri()) == 2 and len(syncs) == 4


def test_heads_are_checked_in_batches(fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "HEADS_BATCH", 2)
    run(fake, tmp_path)
    code, doc = run(fake, tmp_path, name="warm.json")
    assert code == 0 and all(t["clone"] == "unchanged" for t in repos(doc).values())
    assert [len(v) // 2 for _, v in heads_queries(fake)] == [2, 1]


def test_a_failed_head_check_only_means_fetching(
    fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syncs: list[str]
) -> None:
    run(fake, tmp_path)
    monkeypatch.setattr("time.sleep", lambda _s: None)
    fake.fault("graphql:org", *[(502, {}, "{}")] * 4)  # the head check (sent before the teams query) fails
    code, doc = run(fake, tmp_path, name="warm.json")
    assert code == 0
    assert all(t["clone"] == "fetched" and t["reused"] for t in repos(doc).values())
    assert len(syncs) == 6


def test_heads_query_and_answers_match_the_schema(fake: FakeGitHub, tmp_path: Path, graphql_schema: Any) -> None:
    run(fake, tmp_path)
    run(fake, tmp_path, name="warm.json")
    variables = {"o0": ORG, "n0": "llm-app", "o1": ORG, "n1": "no-such-repo"}
    fake.graphql_calls.append((queries.repo_heads(2), variables))  # an unknown repo: null and an error
    checked = heads_queries(fake)
    assert len(checked) == 2
    for query, variables in checked:
        answer = fake.answer_graphql({"query": query, "variables": variables})
        assert graphql_answer_problems(graphql_schema, query, variables, answer) == []


def test_etags_are_saved_once_after_the_listing_and_once_at_the_end(
    fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from scanner.collectors.github.cache import ScanCache

    saves: list[int] = []
    real = ScanCache.save_etags

    def spy(self: ScanCache, etags: dict[str, Any]) -> None:
        saves.append(len(etags))
        real(self, etags)

    monkeypatch.setattr(ScanCache, "save_etags", spy)
    run(fake, tmp_path)
    assert len(saves) == 2  # not once per repo: each save writes every stored answer (listing pages included)
    stored = json.loads(next((tmp_path / "cache").rglob("etags.json")).read_text())
    assert any("/actions/runs" in key for key in stored)  # the per-repo answers of the last repos are kept


def test_the_head_check_reads_small_head_files_not_the_findings(
    fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.collectors.github import cache

    run(fake, tmp_path)
    read: list[str] = []
    real = cache._read

    def spy(path: Path) -> Any:
        read.append(path.parent.name)
        return real(path)

    monkeypatch.setattr(cache, "_read", spy)
    code, doc = run(fake, tmp_path, name="warm.json")
    assert code == 0 and all(t["clone"] == "unchanged" for t in repos(doc).values())
    assert read.count("heads") == 3 and read.count("findings") == 3  # the findings once each: when reused
    for head in (tmp_path / "cache").rglob("heads/*.json"):
        head.unlink()  # a cache from before the head files: still checked, from the findings
    code, doc = run(fake, tmp_path, name="old-cache.json")
    assert code == 0 and all(t["clone"] == "unchanged" for t in repos(doc).values())
