"""The read-only views that collectors build and probes read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scanner.facts.sections import Unreadable

if TYPE_CHECKING:
    from scanner.facts.catalogs import CatalogFacts
    from scanner.facts.ci.model import CIModel
    from scanner.facts.github import OrgFacts, RepoFacts
    from scanner.facts.history import History
    from scanner.facts.mlflow import MlflowFacts
    from scanner.facts.repo_index import RepoIndex


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Views:
    """Everything a probe may read about one subject (target). A view is None when unavailable;
    `unavailable` then says why (`not_available: ...` or `error: ...`), and the runner reports the
    probe's signals as not_available or error. Views are `Sectioned` (scanner/facts/sections.py): each
    view is a section, and `unreadable(name)` says why it is missing.

    `now` is the scan's clock (timezone-aware): the runner sets it once per scan (ScanOptions.now), and
    probes that look at a time window ("in the last 90 days") read it, never the wall clock."""

    subject: str
    repo: RepoIndex | None = None
    ci: CIModel | None = None
    history: History | None = None
    github: RepoFacts | None = None  # the GitHub API facts of one repo
    github_org: OrgFacts | None = None  # the GitHub organisation's facts (teams)
    mlflow: MlflowFacts | None = None
    catalog: CatalogFacts | None = None
    unavailable: dict[str, str] = field(default_factory=dict)
    now: datetime = field(default_factory=_wall_clock)

    def unreadable(self, section: str) -> Unreadable | None:
        """Why the view `section` is missing (None when it was built)."""
        if getattr(self, section, None) is not None:
            return None
        kind, _, text = self.unavailable.get(section, f"not_available: no {section} view").partition(": ")
        return Unreadable(section, text, failed=kind == "error")
