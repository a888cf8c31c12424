"""`aiops-scan scan github:ORG` against a fake GitHub API and real partial clones of local repos."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.cli import main
from scanner.collectors import gitcli
from scanner.collectors.indexer import build_index

from ..e2e.conftest import check_with_contract_tool
from .fake_github import FakeGitHub

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "scanner/schemas/evidence.schema.json").read_text())
TOKEN = "ghp_s3cretT0kenValue0123456789abcdefABCD"


def run(
    fake: FakeGitHub, tmp: Path, *extra: str, name: str = "evidence.json", spec: str = "github:acme"
) -> tuple[int, dict[str, Any]]:
    out = tmp / name
    args = ["scan", spec, "--github-url", fake.url, "--cache-dir", str(tmp / "cache"), "--json", str(out)]
    code = main([*args, "--jobs", "2", "--quiet", *extra])
    document = json.loads(out.read_text())
    jsonschema.validate(document, SCHEMA)
    return code, document


def finding(doc: dict[str, Any], signal: str, subject: str) -> dict[str, Any]:
    return next(f for f in doc["findings"] if f["signal"] == signal and f["subject"] == subject)


def target(doc: dict[str, Any], tid: str) -> dict[str, Any]:
    return next(t for t in doc["targets"] if t["id"] == tid)


def listing_gets(fake: FakeGitHub) -> list[str]:
    return [p for m, p, _ in fake.requests if m == "GET" and p.startswith("/orgs/acme/repos")]


def test_cold_scan_then_unchanged_rerun(fake: FakeGitHub, tmp_path: Path) -> None:
    code, doc = run(fake, tmp_path)
    assert code == 0, [t for t in doc["targets"] if t["status"] != "ok"]
    check_with_contract_tool(tmp_path / "evidence.json")
    repos = [t for t in doc["targets"] if t["kind"] == "repo"]
    assert sorted(t["id"] for t in repos) == ["llm-app", "pipeline-dvc-mlflow", "team-platform"]  # archived skipped
    assert len(listing_gets(fake)) == 2  # two pages, Link rel=next followed
    assert all(t["clone"] == "cloned" and t["cost"]["bytes_fetched"] > 0 for t in repos)
    for clone in (tmp_path / "cache").rglob("clones/[!.]*"):  # the clone (not its lock), then ONE batched blob fetch
        assert len(list((clone / ".git" / "objects" / "pack").glob("*.pack"))) == 2, clone
    calls = doc["stats"]["api_calls"]
    assert (calls["rest"] + calls["graphql_points"]) / len(repos) <= 3
    assert finding(doc, "gh.branch_protection.reviews_required", "pipeline-dvc-mlflow")["outcome"] == "true"
    # no permission to read branch protection: unknown, never "false"
    assert finding(doc, "gh.branch_protection.none", "llm-app")["outcome"] == "not_available"
    assert finding(doc, "gh.deployments.bot_created", "team-platform")["outcome"] == "true"
    assert finding(doc, "gh.environments.required_reviewers", "team-platform")["outcome"] == "true"
    reviews = finding(doc, "people.cross_role_reviews", "team-platform")
    assert reviews["outcome"] == "true" and "team membership" in reviews["message"]
    assert finding(doc, "gh.teams.no_de", "github:acme")["outcome"] == "false"
    assert target(doc, "github:acme")["rate_limit_remaining"] == 4999  # the headers are read
    owners = finding(doc, "gh.codeowners.errors", "team-platform")
    assert owners["outcome"] == "true" and owners["locations"][0]["line"] == 2
    # a cron in YAML is not a running schedule: the Actions runs say which schedules succeed
    sched = finding(doc, "gh.schedules.running", "team-platform")
    assert sched["outcome"] == "true" and sched["values"]["not_succeeding"] == [".github/workflows/monitoring.yml"]
    assert finding(doc, "gh.schedules.running", "llm-app")["outcome"] == "false"
    # the people creating releases are mapped to roles by team: DS here, so not "handed off to SE"
    by_role = finding(doc, "gh.releases.by_role", "team-platform")
    assert by_role["outcome"] == "false" and by_role["values"]["by_role"] == {"DS": 2}
    # team membership overrides the role git inferred (Grace Liu: OPS from her files, DE by team)
    de = finding(doc, "people.de.present", "team-platform")
    assert de["values"]["authors"] == 3 and "Grace Liu" in de["message"], de

    before = len(fake.queries)
    fake.requests.clear()
    code, again = run(fake, tmp_path, name="again.json")
    assert code == 0
    second = again["stats"]["api_calls"]
    assert second["not_modified"] == 2 and second["rest"] == 0  # the listing answered 304
    assert second["graphql_points"] <= 2  # the teams query and one batched head check: no repo re-analysed
    assert not [q for q in fake.queries[before:] if "RepoFacts" in q]
    assert all(t.get("reused") and t["cost"]["bytes_fetched"] == 0 for t in again["targets"] if t["kind"] == "repo")
    assert again["stats"]["cache_hits"] == 3
    strip = ("duration_s", "timings_s")
    assert [a["scope"] for a in again["assessments"]] == [a["scope"] for a in doc["assessments"]]
    assert {k for k in again["stats"] if k not in strip} >= {"api_calls", "cache_hits"}


def test_rate_limits_retries_and_failed_clone(
    bares: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .org_fixture import ORG, graphql_answers, listing

    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    with FakeGitHub(ORG, listing(bares, broken=True), graphql_answers()) as fake:
        secondary = "You have exceeded a secondary rate limit."
        fake.fault("/orgs/acme/repos", (500, {}, "{}"))
        fake.fault("graphql:pipeline-dvc-mlflow", (403, {"Retry-After": "2"}, json.dumps({"message": secondary})))
        fake.fault("graphql:team-platform", (429, {}, json.dumps({"message": "too many"})))
        code, doc = run(fake, tmp_path)
    assert code == 3  # the broken clone: done, but one target could not be scanned
    broken = target(doc, "broken")
    assert broken["status"] == "error" and "git clone failed" in broken["error"]
    assert all(t["status"] == "ok" for t in doc["targets"] if t["id"] != "broken")
    assert 2.0 in slept and 60.0 in slept and 1.0 in slept  # Retry-After honoured; 429 backs off; 500 retried
    assert doc["stats"]["api_calls"]["retries"] == 3
    waits = target(doc, "github:acme")["rate_limit_waits"]
    assert any("HTTP 403" in w for w in waits) and any("HTTP 429" in w for w in waits)
    assert finding(doc, "gh.releases.present", "team-platform")["outcome"] == "true"


def test_budget_stops_new_repos_with_exit_3(fake: FakeGitHub, tmp_path: Path) -> None:
    code, doc = run(fake, tmp_path, "--api-budget", "4", "--jobs", "1")
    assert code == 3
    errors = [t for t in doc["targets"] if t["status"] == "error"]
    assert errors and all("budget" in t["error"] for t in errors)
    assert any(t["status"] == "ok" for t in doc["targets"] if t["kind"] == "repo")  # partial results written


def test_token_appears_nowhere(
    bares: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from .org_fixture import ORG, graphql_answers, listing

    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setattr("time.sleep", lambda _s: None)
    with FakeGitHub(ORG, listing(bares, broken=True), graphql_answers()) as fake:
        fake.fault("graphql:llm-app", *[(502, {}, "{}")] * 4)  # fails for good: an error message is written
        out = tmp_path / "evidence.json"
        code = main(
            [
                "scan",
                "github:acme",
                "--github-url",
                fake.url,
                "--cache-dir",
                str(tmp_path / "cache"),
                "--json",
                str(out),
            ]
        )
    assert code == 3
    sent = [h.get("Authorization", "") for _, _, h in fake.requests]
    assert sent and all(h == f"Bearer {TOKEN}" for h in sent)  # it was used...
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err  # ...and never shown
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    assert "error" in json.dumps(finding(json.loads(out.read_text()), "gh.releases.present", "llm-app"))
    cached = {p.name for p in (tmp_path / "cache").rglob("findings/*.json")}
    assert cached == {"acme_pipeline-dvc-mlflow.json", "acme_team-platform.json"}  # errors are retried next run


def test_rest_fixtures_and_graphql_queries_match_contracts(
    fake: FakeGitHub, tmp_path: Path, openapi: dict[str, Any], graphql_schema: Any
) -> None:
    import graphql

    run(fake, tmp_path)
    run(fake, tmp_path, name="warm.json")  # the batched head check too
    run(fake, tmp_path, spec="github:acme/llm-app", name="one.json")
    assert any(q.startswith("query RepoHeads(") for q in fake.queries)
    served = {t for t, _ in fake.rest_bodies}
    assert served == {"/orgs/{org}/repos", "/repos/{owner}/{repo}", "/repos/{owner}/{repo}/actions/runs"}
    assert fake.queries
    for template, body in fake.rest_bodies:
        response = openapi["paths"][template]["get"]["responses"]["200"]
        schema = {**response["content"]["application/json"]["schema"], "components": openapi["components"]}
        jsonschema.validate(body, schema)
    for query in set(fake.queries):
        assert graphql.validate(graphql_schema, graphql.parse(query)) == []


def test_partial_clone_index_reads_the_same_texts_in_one_batch(
    fake: FakeGitHub, tmp_path: Path, bares: dict[str, Path]
) -> None:
    run(fake, tmp_path)
    clone = next((tmp_path / "cache").rglob("clones/*llm-app"))
    assert gitcli.is_partial_clone(clone)
    partial = build_index(clone)
    full = build_index(bares["llm-app"].parent.parent / "work" / "llm-app")
    assert partial._texts == full._texts and set(partial.files) == set(full.files)


def test_one_repo_target_and_filters(fake: FakeGitHub, tmp_path: Path) -> None:
    code, doc = run(fake, tmp_path, spec="github:acme/team-platform")
    assert code == 0
    assert [t["id"] for t in doc["targets"] if t["kind"] == "repo"] == ["team-platform"]
    code, doc = run(fake, tmp_path, "--exclude", "llm-*", "--topic", "ml", "--max-repos", "1", name="f.json")
    assert [t["id"] for t in doc["targets"] if t["kind"] == "repo"] == ["pipeline-dvc-mlflow"]
    assert main(["scan", "github:acme/a/b", "--quiet"]) == 2  # bad usage


def test_an_exhausted_primary_limit_never_waits_past_the_wait_budget(
    bares: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from .org_fixture import ORG, graphql_answers, listing

    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    reset = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 3600)}
    with FakeGitHub(ORG, listing(bares), graphql_answers()) as fake:
        fake.fault("graphql:llm-app", (403, reset, json.dumps({"message": "API rate limit exceeded"})))
        code, doc = run(fake, tmp_path, "--max-wait", "60", "--jobs", "1")
    assert code == 0  # the repo is scanned; only its GitHub view is missing
    assert not [s for s in slept if s >= 1]  # an hour's wait is refused, not slept (tiny sleeps: subprocess polling)
    assert any("over the wait budget" in w for w in target(doc, "github:acme")["rate_limit_waits"])
    assert finding(doc, "gh.releases.present", "llm-app")["outcome"] == "error"


def test_team_roles_can_be_configured(fake: FakeGitHub, tmp_path: Path) -> None:
    # data-engineering declared a software team: no DE team left, and its members review as SE
    code, doc = run(fake, tmp_path, "--team-role", "data-engineering=SE", "--include", "team-platform")
    assert code == 0
    teams = finding(doc, "gh.teams.no_de", "github:acme")
    assert teams["outcome"] == "true" and teams["values"]["configured"] == ["data-engineering"]
    assert main(["scan", "github:acme", "--team-role", "backend=wizard", "--quiet"]) == 2
