"""Cross-role co-change edges (People in docs/model.md): two authors of different roles changed the same
commit, or the same directory within 14 days. Shared files (boilerplate such as pyproject.toml,
lockfiles and READMEs, and CI files) never make an edge, nor does the repository root directory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations

from scanner.facts.history import Commit, History
from scanner.facts.paths import parent_dir
from scanner.facts.roles import is_shared

COCHANGE_DAYS = 14

Event = tuple[datetime, Commit, str]  # (author date, commit, path)


@dataclass(frozen=True)
class Edge:
    roles: frozenset[str]
    people: frozenset[str]
    where: str  # "commit" or the shared directory
    evidence: tuple[tuple[Commit, str], ...]  # (commit, path) pairs to cite


def cross_role_edges(history: History, days: int = COCHANGE_DAYS) -> list[Edge]:
    edges = _commit_edges(history) + _directory_edges(history, timedelta(days=days))
    return sorted(edges, key=lambda e: (sorted(e.roles), e.where, sorted(e.people)))


def _commit_edges(history: History) -> list[Edge]:
    out = []
    for commit in history.commits:
        if not commit.co_authors:
            continue
        files = [p for p in commit.files if not is_shared(p)]
        if not files:
            continue
        for a, b in combinations(commit.identities, 2):
            ra, rb = history.role_of(a), history.role_of(b)
            if ra != rb:
                out.append(Edge(frozenset({ra, rb}), frozenset({a, b}), "commit", ((commit, files[0]),)))
    return out


def _directory_edges(history: History, window: timedelta) -> list[Edge]:
    by_dir: dict[str, dict[str, dict[str, Event]]] = {}  # dir -> person -> commit sha -> event
    for commit in history.commits:
        for path in commit.files:
            directory = parent_dir(path)
            if not directory or is_shared(path):
                continue
            people = by_dir.setdefault(directory, {})
            for key in commit.identities:
                people.setdefault(key, {}).setdefault(commit.sha, (commit.date, commit, path))
    out = []
    for directory, people in sorted(by_dir.items()):
        for a, b in combinations(sorted(people), 2):
            ra, rb = history.role_of(a), history.role_of(b)
            if ra == rb:
                continue
            pair = _close(sorted(people[a].values(), key=_when), sorted(people[b].values(), key=_when), window)
            if pair:
                evidence = ((pair[0][1], pair[0][2]), (pair[1][1], pair[1][2]))
                out.append(Edge(frozenset({ra, rb}), frozenset({a, b}), directory, evidence))
    return out


def _when(event: Event) -> tuple[datetime, str]:
    return event[0], event[1].sha


def _close(left: list[Event], right: list[Event], window: timedelta) -> tuple[Event, Event] | None:
    """The first pair of events from two date-sorted lists within `window` of each other, in
    different commits (a shared commit is a commit edge already)."""
    j = 0
    for event in left:
        while j < len(right) and right[j][0] < event[0] - window:
            j += 1
        k = j
        while k < len(right) and right[k][0] <= event[0] + window:
            if right[k][1].sha != event[1].sha:
                return event, right[k]
            k += 1
    return None


@dataclass(frozen=True)
class PairSummary:
    edges: tuple[Edge, ...]
    authors: int  # authors with the first role
    linked: int  # of those, authors with at least one edge

    @property
    def rate(self) -> float:
        return round(self.linked / self.authors, 2) if self.authors else 0.0


def between(history: History, edges: Iterable[Edge], role: str, others: Iterable[str]) -> PairSummary:
    """Edges joining `role` to any of `others`, normalised per author of `role`."""
    wanted = set(others)
    chosen = tuple(e for e in edges if role in e.roles and (set(e.roles) - {role}) & wanted)
    members = {a.key for a in history.authors_with_role(role)}
    linked = {p for e in chosen for p in e.people if p in members}
    return PairSummary(chosen, len(members), len(linked))
