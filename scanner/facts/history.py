"""The history view as probes see it: commits, tags and authors over a window ending at HEAD's commit
date (built by `scanner.collectors.history`, which reads git). No I/O here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from scanner.facts.roles import OTHER, Author, file_domain
from scanner.model import Location

WINDOW_DAYS = 365


class HistoryError(RuntimeError):
    """The history could not be read (not a git repository, no commits, git failed)."""


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str  # identity key of the mailmapped author
    date: datetime  # author date, UTC
    committed: datetime  # committer date, UTC (the window is on this date)
    subject: str
    files: tuple[str, ...]  # changed paths; generated/vendored paths and lockfiles left out
    added: frozenset[str] = frozenset()  # paths this commit added
    deleted: frozenset[str] = frozenset()  # paths this commit deleted
    co_authors: tuple[str, ...] = ()  # identity keys from Co-authored-by trailers, bots left out
    root: bool = False  # the repository's first commit

    @property
    def identities(self) -> tuple[str, ...]:
        return (self.author, *self.co_authors)


@dataclass(frozen=True)
class Tag:
    name: str
    commit: str  # the tagged commit
    date: datetime  # tagger date (annotated) or commit date (lightweight), UTC
    annotated: bool


@dataclass(frozen=True)
class History:
    """Read-only history of one repository over `window_days` ending at `window_end`."""

    head: str
    window_start: datetime
    window_end: datetime
    window_days: int
    commits: tuple[Commit, ...]  # newest first
    authors: Mapping[str, Author]
    tags: tuple[Tag, ...]  # oldest first
    file_domains: Mapping[str, str]  # every counted path in the window -> domain or OTHER
    bot_commits: int = 0
    ignored_changes: int = 0  # generated/vendored/lockfile changes left out
    covers_start: bool = False  # the repository's first commit lies in the window (nothing older)
    shallow: bool = False
    web_url: str | None = None

    def role_of(self, key: str) -> str:
        found = self.authors.get(key)
        return found.role if found else OTHER

    def roles_in(self, commit: Commit) -> frozenset[str]:
        return frozenset(self.role_of(key) for key in commit.identities)

    def authors_with_role(self, role: str) -> list[Author]:
        return sorted((a for a in self.authors.values() if a.role == role), key=lambda a: (-a.commits, a.key))

    def domain_of(self, path: str) -> str:
        return self.file_domains.get(path) or file_domain(path)

    def since(self, days: int) -> tuple[Commit, ...]:
        """Commits authored in the last `days` days of the window."""
        start = self.window_end - timedelta(days=days)
        return tuple(c for c in self.commits if c.date >= start)

    def touching(
        self, wanted: Callable[[str], bool], commits: tuple[Commit, ...] | None = None
    ) -> list[tuple[Commit, tuple[str, ...]]]:
        """(commit, matching paths) for each commit that changed a path `wanted` accepts (asked once per
        distinct path: a path changes in many commits)."""
        verdicts: dict[str, bool] = {}

        def accepted(path: str) -> bool:
            verdict = verdicts.get(path)
            if verdict is None:
                verdict = verdicts[path] = bool(wanted(path))
            return verdict

        pairs = ((c, tuple(filter(accepted, c.files))) for c in (self.commits if commits is None else commits))
        return [(c, paths) for c, paths in pairs if paths]

    def first_added(self, path: str) -> Commit | None:
        """The earliest commit in the window that added `path` (None: added before the window or never)."""
        return self._added_at.get(path)

    @cached_property
    def _added_at(self) -> dict[str, Commit]:
        out: dict[str, Commit] = {}
        for c in reversed(self.commits):
            for path in c.added:
                out.setdefault(path, c)
        return out

    def location(self, commit: Commit, path: str | None = None) -> Location:
        """The commit (and one file it changed), with its subject line and web URL when known."""
        url = f"{self.web_url}/commit/{commit.sha}" if self.web_url else None
        obj = None if path else f"commit {commit.sha[:12]}"
        return Location(path=path, commit=commit.sha, url=url, object=obj, snippet=commit.subject[:160])

    def tag_location(self, tag: Tag) -> Location:
        url = f"{self.web_url}/releases/tag/{tag.name}" if self.web_url else None
        return Location(object=f"tag {tag.name}", commit=tag.commit, url=url, snippet=tag.date.date().isoformat())
