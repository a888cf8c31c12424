"""Benchmark: a GitHub organisation of N repos scanned cold, then again with nothing changed.

The test suite's fake GitHub API (tests/github) on 127.0.0.1 with L ms added to every answer, listing
pages of 100; the repos are clones of local bare repos (the fixture organisation's three, served under
N names). Both runs use the same cache folder. API cost per repo counts REST calls plus GraphQL points
beyond the listing pages (the teams query and the batched head checks included).

Run: `python -m benchmarks.org_scan --repos 1000 --latency-ms 20 [--jobs 4] [--profile FILE] [--keep DIR]`.
Last line: `org_scan: repos= cold_s= warm_s= api_cost_per_repo= warm_api_cost_per_repo=`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from scanner.cli import main as cli
from tests.github.fake_github import FakeGitHub, repo_body
from tests.github.org_fixture import ORG, bare_repos, graphql_answers, repo_facts


def organisation(bares: dict[str, Path], count: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    answers = graphql_answers()
    names = list(bares)
    repos, facts, runs = [], {}, {}
    for i in range(count):
        base = names[i % len(names)]
        name = f"{base}-{i:05d}"
        repos.append(repo_body(ORG, name, bares[base].as_uri()))
        facts[name] = repo_facts(base, protected=base != "llm-app")
        runs[name] = answers["runs"].get(base, [])
    return repos, {"org": answers["org"], "repos": facts, "runs": runs}


def scan(fake: FakeGitHub, tmp: Path, name: str, jobs: int, profile: Path | None) -> dict[str, Any]:
    out = tmp / f"{name}.json"
    args = ["scan", f"github:{ORG}", "--github-url", fake.url, "--cache-dir", str(tmp / "cache")]
    args += ["--json", str(out), "--quiet", "--jobs", str(jobs), "--api-budget", "1000000"]
    listed_before = sum(1 for t, _ in fake.rest_bodies if t == "/orgs/{org}/repos")
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    code = cli(args)
    if profiler:
        profiler.disable()
        profiler.dump_stats(str(profile) + f".{name}")
    elapsed = time.perf_counter() - start
    assert code == 0, f"{name} scan exited {code}"
    doc = json.loads(out.read_text())
    calls = doc["stats"]["api_calls"]
    listing = sum(1 for t, _ in fake.rest_bodies if t == "/orgs/{org}/repos") - listed_before
    repos = [t for t in doc["targets"] if t["kind"] == "repo"]
    row = {
        "run": name,
        "repos": len(repos),
        "seconds": round(elapsed, 2),
        "rest": calls["rest"],
        "listing_pages_200": listing,
        "not_modified": calls["not_modified"],
        "graphql_points": calls["graphql_points"],
        "cost_per_repo": round((calls["rest"] - listing + calls["graphql_points"]) / max(1, len(repos)), 3),
        "clones": calls["clones"],
        "fetches": calls["fetches"],
        "unchanged": calls.get("repos_unchanged", 0),
        "reused": calls["repos_reused"],
        "timings_s": doc["stats"]["timings_s"],
    }
    print(json.dumps(row))
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--profile", type=Path, help="write cProfile stats of each run to FILE.cold / FILE.warm")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR (kept: cold.json, warm.json, cache)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-org-") as tmpdir:
        tmp = Path(tmpdir) if args.keep is None else args.keep
        tmp.mkdir(parents=True, exist_ok=True)
        repos, answers = organisation(bare_repos(tmp), args.repos)
        with FakeGitHub(ORG, repos, answers, page=100, latency_s=args.latency_ms / 1000) as fake:
            cold = scan(fake, tmp, "cold", args.jobs, args.profile)
            warm = scan(fake, tmp, "warm", args.jobs, args.profile)
    print(
        f"org_scan: repos={args.repos} cold_s={cold['seconds']} warm_s={warm['seconds']} "
        f"api_cost_per_repo={cold['cost_per_repo']} warm_api_cost_per_repo={warm['cost_per_repo']}"
    )


if __name__ == "__main__":
    main()
