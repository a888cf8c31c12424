"""Shared helpers of the GitHub probes: locations and deployment targets. The facts are `views.github`
(RepoFacts) and `views.github_org` (OrgFacts); a section the token could not read is reported through
`scanner.probekit.need`, and time windows end at the scan's clock, `views.now`."""

from __future__ import annotations

from datetime import datetime, timedelta

from scanner.facts.github import RepoFacts
from scanner.model import Location
from scanner.views import Views

RECENT = timedelta(days=90)
NOT_TARGETS = ("github-pages", "preview", "pr-", "review")


def repo_loc(f: RepoFacts, what: str, url: str = "") -> Location:
    return Location(object=f"{f.full_name} {what}", url=url or f.url)


def recent(views: Views, moment: datetime, span: timedelta = RECENT) -> bool:
    """Whether `moment` falls in the `span` that ends at the scan's clock (so that a pinned clock, `--now`,
    leaves out what came after it)."""
    return views.now - span <= moment <= views.now


def real_target(environment: str) -> bool:
    """Deployments to GitHub Pages or previews are not model/app deployments."""
    return not environment.lower().startswith(NOT_TARGETS)
