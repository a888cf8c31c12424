"""Scripted multi-author repositories for history tests: pinned names, emails and dates (day offsets),
built by scanner.testing; probes run through scanner.testing.run_probe."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner.testing import Commit, build_repo
from scanner.testing import views_of as _views_of
from scanner.views import Views

ADA = ("Ada Lovelace", "ada@example.org")  # data scientist
DAN = ("Dan Dataeng", "dan@example.org")  # data engineer
SAM = ("Sam Software", "sam@example.org")  # software engineer
OLA = ("Ola Ops", "ola@example.org")  # ops
EVE = ("Eve Expert", "eve@example.org")  # domain expert (configs only)
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
BASE = datetime(2025, 1, 1, 10, 0, tzinfo=UTC)


def day(n: float) -> str:
    return (BASE + timedelta(days=n)).isoformat()


@dataclass
class Step:
    files: dict[str, str | bytes]
    author: tuple[str, str] = ADA
    at: float = 0  # days after BASE
    message: str = "change"
    tags: list[tuple[str, bool]] = field(default_factory=list)  # (name, annotated) tagged after the commit

    def commit(self) -> Commit:
        return Commit(self.files, self.author, day(self.at), self.message, self.tags)


def scripted(tmp_path: Path, steps: list[Step], name: str = "repo") -> Path:
    return build_repo(tmp_path, [step.commit() for step in steps], name=name)


def views_of(root: Path, **kwargs: object) -> Views:
    """The repo and history views of `root` (`kwargs` go to the history collector)."""
    return _views_of(root, ("repo", "history"), subject="r", **kwargs)


def build(tmp_path: Path, steps: list[Step], **kwargs: object) -> Views:
    return views_of(scripted(tmp_path, steps), **kwargs)
