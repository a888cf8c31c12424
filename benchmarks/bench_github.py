"""Benchmark: cost of scanning the fixture GitHub organisation, cold and again with nothing changed.

Serves the test fixture organisation (tests/github, 3 repos, listing pages of 2) and a larger one (30
repos: 10 copies of each, listing pages of 100 as GitHub serves them) from the fake GitHub API on
127.0.0.1, with real partial clones of local bare repos, and reports API cost per repo (REST calls +
GraphQL points, with and without the organisation overhead: listing pages and the teams query), 304s,
bytes fetched and wall time. Baselines measured in the same run: a full clone (no blob filter) of the
same repos for bytes, and the cold run for the rerun's time. Run: `python -m benchmarks.bench_github`.
The last line, `bench_github: repos= cold_s= warm_s= api_cost_per_repo= warm_api_cost_per_repo=`, gives
the larger organisation's figures (the rerun's cost with the organisation overhead: there is no other).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from scanner.cli import main as cli
from tests.github.fake_github import FakeGitHub, repo_body
from tests.github.org_fixture import ORG, bare_repos, graphql_answers, listing, repo_facts


def _scan(fake: FakeGitHub, tmp: Path, name: str) -> tuple[dict[str, Any], float]:
    out = tmp / name
    start = time.perf_counter()
    code = cli(
        [
            "scan",
            f"github:{ORG}",
            "--github-url",
            fake.url,
            "--cache-dir",
            str(tmp / "cache"),
            "--json",
            str(out),
            "--quiet",
        ]
    )
    elapsed = time.perf_counter() - start
    assert code == 0, f"scan exited {code}"
    return json.loads(out.read_text()), elapsed


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _report(label: str, doc: dict[str, Any], elapsed: float) -> dict[str, Any]:
    calls = doc["stats"]["api_calls"]
    repos = [t for t in doc["targets"] if t["kind"] == "repo"]
    points = calls["rest"] + calls["graphql_points"]
    own = sum(t["cost"]["rest"] + t["cost"]["graphql_points"] for t in repos)
    row = {
        "run": label,
        "repos": len(repos),
        "rest": calls["rest"],
        "graphql_points": calls["graphql_points"],
        "points_per_repo": round(points / len(repos), 2),
        "points_per_repo_without_org_overhead": round(own / len(repos), 2),
        "not_modified": calls["not_modified"],
        "clones": calls["clones"],
        "fetches": calls["fetches"],
        "bytes_fetched": calls["bytes_fetched"],
        "reanalysed": sum(1 for t in repos if not t.get("reused")),
        "seconds": round(elapsed, 2),
    }
    print(json.dumps(row))
    return row


def _larger_org(bares: dict[str, Path], copies: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    answers = graphql_answers()
    repos, facts, runs = [], {}, {}
    for i in range(copies):
        for name, bare in bares.items():
            copy = f"{name}-{i}"
            repos.append(repo_body(ORG, copy, bare.as_uri()))
            facts[copy] = repo_facts(name, protected=name != "llm-app")
            runs[copy] = answers["runs"].get(name, [])
    return repos, {"org": answers["org"], "repos": facts, "runs": runs}


def _org(label: str, fake: FakeGitHub, tmp: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    print(f"# {label}")
    cold = _report("cold", *_scan(fake, tmp, "cold.json"))
    warm = _report("unchanged", *_scan(fake, tmp, "warm.json"))
    print(
        f"rerun: {warm['points_per_repo']} points/repo, {warm['bytes_fetched']} bytes fetched, "
        f"{warm['reanalysed']} repos re-analysed, {warm['seconds'] / cold['seconds']:.2f}x the cold time"
    )
    return cold, warm


def _packs(repo: Path) -> int:
    return len(list((repo / ".git" / "objects" / "pack").glob("*.pack")))


def _blob_fetching(bares: dict[str, Path], tmp: Path) -> None:
    """Baseline: the lazy fetch (one `git fetch` per missing blob, through `cat-file --batch`) against
    the one batched fetch of the repo index, on fresh blobless clones of the same repos."""
    from scanner.collectors.gitcli import prefetch_blobs

    for name, bare in bares.items():
        timings, packs = [], []
        for mode in ("lazy", "batch"):
            dest = tmp / "blobs" / mode / name
            subprocess.run(
                ["git", "clone", "-q", "--filter=blob:none", "--no-checkout", bare.as_uri(), str(dest)], check=True
            )
            head = subprocess.run(
                ["git", "-C", str(dest), "rev-parse", "HEAD"], capture_output=True, text=True
            ).stdout.strip()
            tree = subprocess.run(
                ["git", "-C", str(dest), "ls-tree", "-r", head], capture_output=True, text=True
            ).stdout
            shas = [line.split()[2] for line in tree.splitlines()]
            start = time.perf_counter()
            if mode == "lazy":
                subprocess.run(
                    ["git", "-C", str(dest), "cat-file", "--batch"],
                    input="\n".join(shas) + "\n",
                    capture_output=True,
                    text=True,
                )
            else:
                prefetch_blobs(dest, head, shas)
            timings.append(time.perf_counter() - start)
            packs.append(_packs(dest) - 1)
        print(
            f"{name}: {len(shas)} blobs; lazy: {packs[0]} new packs (1 per fetch, auto-repacked) {timings[0]:.2f}s; "
            f"batched: {packs[1]} new pack {timings[1]:.2f}s ({timings[0] / max(timings[1], 1e-3):.0f}x faster)"
        )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-gh-") as tmpdir:
        tmp = Path(tmpdir)
        bares = bare_repos(tmp)
        full = 0
        for name, bare in bares.items():
            dest = tmp / "full" / name
            subprocess.run(["git", "clone", "-q", "--no-checkout", bare.as_uri(), str(dest)], check=True)
            full += _dir_bytes(dest / ".git" / "objects")
        with FakeGitHub(ORG, listing(bares), graphql_answers()) as fake:
            cold, _ = _org("fixture organisation: 3 repos (+1 archived), listing pages of 2", fake, tmp / "small")
        print(
            f"baseline full clones: {full} bytes; blobless cold fetch: {cold['bytes_fetched']} bytes "
            f"({cold['bytes_fetched'] / full:.2f}x of full)"
        )
        print("# blob fetching in a partial clone")
        _blob_fetching(bares, tmp)
        repos, answers = _larger_org(bares, 10)
        with FakeGitHub(ORG, repos, answers, page=100) as fake:
            cold, warm = _org("larger organisation: 30 repos, listing pages of 100", fake, tmp / "large")
        print("reference: OpenSSF Scorecard spends about 70 API points per repo")
        print(
            f"bench_github: repos={cold['repos']} cold_s={cold['seconds']} warm_s={warm['seconds']} "
            f"api_cost_per_repo={cold['points_per_repo_without_org_overhead']} "
            f"warm_api_cost_per_repo={warm['points_per_repo']}"
        )


if __name__ == "__main__":
    main()
