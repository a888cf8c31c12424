"""Scripted multi-author repositories for history tests: pinned names, emails and dates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner.collectors.history import build_history
from scanner.collectors.indexer import build_index
from scanner.model import Finding, Outcome
from scanner.probekit import SPEC_ATTR
from scanner.views import Views
from tests.helpers import commit, git, make_repo

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


def scripted(tmp_path: Path, steps: list[Step], name: str = "repo") -> Path:
    first, rest = steps[0], steps[1:]
    root = make_repo(tmp_path, first.files, name=name, author=first.author, date=day(first.at), message=first.message)
    _tag(root, first)
    for step in rest:
        commit(root, step.files, author=step.author, date=day(step.at), message=step.message)
        _tag(root, step)
    return root


def _tag(root: Path, step: Step) -> None:
    for tag, annotated in step.tags:
        args = ["tag", "-a", tag, "-m", f"release {tag}"] if annotated else ["tag", tag]
        git(root, *args, author=step.author, date=day(step.at))


def views_of(root: Path, **kwargs: object) -> Views:
    index = build_index(root)
    history = build_history(root, index=index, **kwargs)  # type: ignore[arg-type]
    return Views(subject="r", repo=index, history=history)


def build(tmp_path: Path, steps: list[Step], **kwargs: object) -> Views:
    return views_of(scripted(tmp_path, steps), **kwargs)


def run(func: Callable[[Views], Iterable[Finding]], views: Views) -> dict[str, Finding]:
    """Run a probe; check it answered every signal it declares and that true findings cite something."""
    spec = getattr(func, SPEC_ATTR)
    found = {f.signal: f for f in func(views)}
    assert set(found) == set(spec.emits), f"{spec.id} answered {sorted(found)}, declares {sorted(spec.emits)}"
    for finding in found.values():
        if finding.outcome is Outcome.TRUE:
            assert finding.locations, f"{finding.signal} is true without a location"
    return found
