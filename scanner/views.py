"""The read-only views that collectors build and probes read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.facts.catalogs import CatalogFacts
    from scanner.facts.ci.model import CIModel
    from scanner.facts.history import History
    from scanner.facts.repo_index import RepoIndex


@dataclass
class Views:
    """Everything a probe may read about one subject (target). A view is None when unavailable;
    `unavailable` then says why, and the runner reports the probe's signals as not_available."""

    subject: str
    repo: RepoIndex | None = None
    ci: CIModel | None = None
    history: History | None = None
    github: Any = None  # the GitHub API facts of one repo
    github_org: Any = None  # the GitHub organisation's facts (teams)
    mlflow: Any = None
    catalog: CatalogFacts | None = None
    unavailable: dict[str, str] = field(default_factory=dict)
