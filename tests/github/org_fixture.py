"""The fixture organisation `acme`: local bare repos (real partial clones) and its API answers."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scanner.estate import build_repo

from .fake_github import repo_body

ROOT = Path(__file__).resolve().parents[2]
ORG = "acme"
REPOS = ("pipeline-dvc-mlflow", "llm-app", "team-platform")


def _ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def bare_repos(tmp: Path) -> dict[str, Path]:
    out = {}
    for name in REPOS:
        work = build_repo(ROOT / "fixtures" / "repos" / name, tmp / "work")
        bare = tmp / "remote" / f"{name}.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
        subprocess.run(["git", "-C", str(bare), "config", "uploadpack.allowFilter", "true"], check=True)
        out[name] = bare
    return out


def listing(bares: dict[str, Path], broken: bool = False) -> list[dict[str, Any]]:
    repos = [repo_body(ORG, name, bare.as_uri()) for name, bare in bares.items()]
    repos.append(repo_body(ORG, "old-archive", "file:///nonexistent", archived=True))
    if broken:
        repos.append(repo_body(ORG, "broken", (bares["llm-app"].parent / "missing.git").as_uri()))
    return repos


def _pulls() -> dict[str, Any]:
    def pr(n: int, author: str, reviewers: list[str]) -> dict[str, Any]:
        reviews = [{"state": "APPROVED", "author": {"login": r}} for r in reviewers]
        return {
            "number": n,
            "url": f"https://github.com/{ORG}/x/pull/{n}",
            "mergedAt": _ago(n),
            "author": {"__typename": "User", "login": author},
            "reviews": {"nodes": reviews},
        }

    return {"nodes": [pr(1, "alice", ["bob"]), pr(2, "alice", ["alice2"]), pr(3, "carol", ["bob"])]}


def _owner_error() -> dict[str, Any]:
    return {"line": 2, "kind": "Unknown owner", "message": "Unknown owner on line 2", "path": ".github/CODEOWNERS"}


def repo_facts(name: str, protected: bool = True) -> dict[str, Any]:
    rule = {
        "requiresApprovingReviews": True,
        "requiredApprovingReviewCount": 1,
        "requiresCodeOwnerReviews": False,
        "requiresStatusChecks": True,
        "requiredStatusCheckContexts": ["test"],
        "isAdminEnforced": False,
    }
    releases = [
        {"tagName": f"v1.{i}", "createdAt": _ago(7 * i), "isDraft": False, "url": "", "author": {"login": who}}
        for i, who in enumerate(["github-actions[bot]", "alice", "alice"])
    ]
    deployments = [
        {
            "environment": "production",
            "createdAt": _ago(d),
            "creator": {"__typename": "Bot", "login": "github-actions"},
            "latestStatus": {"state": "SUCCESS", "createdAt": _ago(d)},
        }
        for d in range(1, 30, 2)
    ]
    env = {
        "name": "production",
        "protectionRules": {
            "nodes": [
                {
                    "type": "REQUIRED_REVIEWERS",
                    "timeout": 0,
                    "reviewers": {"nodes": [{"__typename": "User", "login": "bob"}]},
                }
            ]
        },
    }
    repo = {
        "nameWithOwner": f"{ORG}/{name}",
        "url": f"https://github.com/{ORG}/{name}",
        "defaultBranchRef": {"name": "main", "branchProtectionRule": rule if protected else None},
        "rulesets": {"nodes": []},
        "environments": {"nodes": [env]},
        "deployments": {"nodes": deployments},
        "releases": {"totalCount": len(releases), "nodes": releases},
        "pullRequests": _pulls(),
        "codeowners": {"errors": [] if name != "team-platform" else [_owner_error()]},
    }
    body: dict[str, Any] = {
        "data": {"rateLimit": {"cost": 1, "remaining": 4999, "resetAt": _ago(-1)}, "repository": repo}
    }
    if not protected:
        body["errors"] = [
            {
                "type": "FORBIDDEN",
                "path": ["repository", "defaultBranchRef", "branchProtectionRule"],
                "message": "Resource not accessible by integration",
            }
        ]
    return body


def graphql_answers() -> dict[str, Any]:
    def team(slug: str, logins: list[str]) -> dict[str, Any]:
        names = {"grace": "Grace Liu"}  # an author of fixtures/repos/team-platform, inferred OPS from git
        members = [{"login": m, "name": names.get(m, m.title())} for m in logins]
        return {"slug": slug, "name": slug, "description": "", "members": {"nodes": members}}

    teams = [
        team("data-science", ["alice", "alice2"]),
        team("backend", ["bob"]),
        team("data-engineering", ["carol", "grace"]),
    ]
    org = {"data": {"rateLimit": {"cost": 1}, "organization": {"login": ORG, "teams": {"nodes": teams}}}}
    repos = {name: repo_facts(name, protected=name != "llm-app") for name in REPOS}
    runs = {
        "team-platform": [("train.yml", "success", _ago(2)), ("monitoring.yml", "failure", _ago(1))],
        "llm-app": [("prompt-eval.yml", "success", _ago(60))],  # too old: the schedule is not running
    }
    return {"org": org, "repos": repos, "runs": runs}
