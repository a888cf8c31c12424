"""Shared helpers of the GitHub probes: the repo facts, or findings saying why they are missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scanner.facts.github import RepoFacts
from scanner.model import Finding, Location
from scanner.probekit import unavailable
from scanner.views import Views

RECENT = timedelta(days=90)
NOT_TARGETS = ("github-pages", "preview", "pr-", "review")


def facts(views: Views) -> RepoFacts | None:
    return views.github if isinstance(views.github, RepoFacts) else None


def blind(views: Views, signals: list[str], why: str) -> list[Finding]:
    return [unavailable(views, s, why) for s in signals]


def repo_loc(f: RepoFacts, what: str, url: str = "") -> Location:
    return Location(object=f"{f.full_name} {what}", url=url or f.url)


def now() -> datetime:
    return datetime.now(UTC)


def real_target(environment: str) -> bool:
    """Deployments to GitHub Pages or previews are not model/app deployments."""
    return not environment.lower().startswith(NOT_TARGETS)
