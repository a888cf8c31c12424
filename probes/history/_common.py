"""Shared helpers for history probes: outcomes the probekit lacks, commit locations, role wording."""

from __future__ import annotations

from collections.abc import Iterable

from scanner.facts.history import Commit, History
from scanner.model import Finding, Location
from scanner.probekit import need
from scanner.views import Views

ROLE_WORDS = {
    "DS": "data-science",
    "DE": "data-engineering",
    "SE": "software-engineering",
    "OPS": "ops",
    "PROMPT": "prompt",
    "OTHER": "other",
}
COCHANGE_NOTE = "co-change is a weak proxy"
REVIEW_NOTE = "reviews need the GitHub API"


def missing_history(views: Views, signals: Iterable[str]) -> list[Finding]:
    """not_available findings when a needed view (history, or the repo index) is missing."""
    return need(views, signals, views, "history", "repo")


def commit_locations(
    history: History, items: Iterable[tuple[Commit, str | None]], *, limit: int = 20
) -> list[Location]:
    """Locations for (commit, path) pairs, newest first, at most `limit`; without a path, the commit's
    first file is cited."""
    seen: dict[tuple[str, str | None], Location] = {}
    for commit, given in sorted(items, key=lambda item: (item[0].date, item[0].sha), reverse=True):
        path = given or next(iter(commit.files), None)
        if (commit.sha, path) not in seen:
            seen[(commit.sha, path)] = history.location(commit, path)
        if len(seen) >= limit:
            break
    return list(seen.values())


def window_words(history: History) -> str:
    return f"{history.window_days} days to {history.window_end.date().isoformat()}"


def names(history: History, keys: Iterable[str], limit: int = 5) -> str:
    shown = sorted({history.authors[k].name or k for k in keys if k in history.authors})
    more = len(shown) - limit
    return ", ".join(shown[:limit]) + (f" and {more} more" if more > 0 else "")


def kept(commit: Commit) -> tuple[str, ...]:
    """The files a commit added or changed (deletions left out)."""
    return tuple(p for p in commit.files if p not in commit.deleted)
