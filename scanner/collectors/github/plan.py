"""From command-line options to GitHub scans: one GitHubScan (and organisation source) per org."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from scanner.collectors.github.collector import DEFAULT_API, GitHubOptions, GitHubScan
from scanner.sources import OrgSource
from scanner.targets import Target, UsageError

SPEC = re.compile(r"^github:([A-Za-z0-9][A-Za-z0-9-]*)(/[A-Za-z0-9._-]+)?$")


class GitHubPlanner:
    def __init__(self, opts: GitHubOptions, token: str | None) -> None:
        self.opts, self._token = opts, token
        self.scans: dict[str, GitHubScan] = {}

    def plan(self, spec: str) -> list[Target]:
        if not SPEC.match(spec):
            raise UsageError(f"{spec}: expected github:ORG or github:ORG/REPO")
        scan = GitHubScan(spec, self.opts, self._token)
        self.scans.setdefault(scan.owner.lower(), scan)
        return scan.targets()

    def sources(self) -> list[OrgSource]:
        return [s.source for s in self.scans.values()]


def planner_from_args(args: Any) -> GitHubPlanner:
    opts = GitHubOptions(
        api_url=getattr(args, "github_url", None) or DEFAULT_API,
        cache_dir=getattr(args, "cache_dir", None) or Path(".aiops-scan-cache"),
        budget=getattr(args, "api_budget", 5000),
        max_wait_s=getattr(args, "max_wait", 300.0),
        include=list(getattr(args, "include", [])),
        exclude=list(getattr(args, "exclude", [])),
        topics=list(getattr(args, "topic", [])),
        archived=getattr(args, "include_archived", False),
        forks=getattr(args, "include_forks", False),
        max_repos=getattr(args, "max_repos", 0),
        team_roles=_team_roles(getattr(args, "team_role", [])),
        shard=parse_shard(getattr(args, "shard", None)),
    )
    return GitHubPlanner(opts, os.environ.get("GITHUB_TOKEN") or None)


def parse_shard(spec: str | None) -> tuple[int, int] | None:
    """`K/N` (1 <= K <= N) -> (K, N); None when not given; UsageError otherwise."""
    if spec is None:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    index, count = (int(match[1]), int(match[2])) if match else (0, 0)
    if not 1 <= index <= count:
        raise UsageError(f"--shard {spec!r}: expected K/N with 1 <= K <= N, e.g. 2/8")
    return index, count


def _team_roles(specs: list[str]) -> dict[str, str]:
    from scanner.facts.roles import ROLES

    out = {}
    for spec in specs:
        slug, sep, role = spec.partition("=")
        if not sep or not slug or role.upper() not in ROLES:
            raise UsageError(f"--team-role {spec!r}: expected SLUG=ROLE with ROLE one of {', '.join(ROLES)}")
        out[slug.strip()] = role.upper()
    return out
