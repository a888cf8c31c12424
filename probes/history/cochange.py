"""Cross-role co-change (DS/DE/SE) and isolation of the DS and DE roles, from git history only."""

from __future__ import annotations

from scanner.facts.history import Commit, History
from scanner.facts.roles import ROLES
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, not_applicable, probe
from scanner.views import Views

from ._cochange import COCHANGE_DAYS, Edge, between, cross_role_edges
from ._common import COCHANGE_NOTE, REVIEW_NOTE, ROLE_WORDS, commit_locations, missing_history

PAIRS = {
    "people.ds_de.cochange": ("DS", "DE"),
    "people.se_de.cochange": ("SE", "DE"),
    "people.ds_se.cochange": ("DS", "SE"),
}
ISOLATION = {"people.ds.isolated": "DS", "people.de.isolated": "DE"}
SIGNALS = (*PAIRS, *ISOLATION)


@probe(
    "history.cochange",
    summary="Authors of different roles change the same commit, or the same directory within 14 days",
    emits=SIGNALS,
    needs=("history",),
    evidence=("commit",),
    remediation="Have people of different roles work on the same changes (shared pull requests, pairing across "
    "DS, DE and SE) rather than in separate corners of the repo.",
)
def cochange(views: Views) -> list[Finding]:
    history = views.history
    if history is None:
        return missing_history(views, SIGNALS)
    edges = cross_role_edges(history)
    out = [_pair(views, history, edges, signal, a, b) for signal, (a, b) in PAIRS.items()]
    out += [_isolated(views, history, edges, signal, role) for signal, role in ISOLATION.items()]
    return out


def _evidence(history: History, edges: tuple[Edge, ...]) -> list[Location]:
    return commit_locations(history, (item for e in edges for item in e.evidence))


def _pair(views: Views, history: History, edges: list[Edge], signal: str, a: str, b: str) -> Finding:
    summary = between(history, edges, a, [b])
    others = between(history, edges, b, [a])
    values = {
        "edges": len(summary.edges),
        "commit_edges": sum(e.where == "commit" for e in summary.edges),
        "directory_edges": sum(e.where != "commit" for e in summary.edges),
        "people_pairs": len({e.people for e in summary.edges}),
        f"{a.lower()}_authors": summary.authors,
        f"{a.lower()}_authors_linked": summary.linked,
        f"{b.lower()}_authors": others.authors,
        "rate": summary.rate,
    }
    if summary.edges:
        dirs = sorted({e.where for e in summary.edges if e.where != "commit"})
        where = f" in {', '.join(dirs[:3])}" + (" …" if len(dirs) > 3 else "") if dirs else " in shared commits"
        msg = (
            f"{a}- and {b}-role authors changed the same code {len(summary.edges)} time(s){where} "
            f"({summary.linked} of {summary.authors} {a}-role authors; {COCHANGE_NOTE})"
        )
        return hit(
            views,
            signal,
            _evidence(history, summary.edges),
            msg,
            confidence="low",
            values={**values, "count": len(summary.edges)},
        )
    if not summary.authors or not others.authors:
        msg = f"no {a}/{b} co-change possible: {summary.authors} {a}-role and {others.authors} {b}-role authors"
    else:
        msg = (
            f"{summary.authors} {a}-role and {others.authors} {b}-role authors never changed the same commit, "
            f"or the same directory within {COCHANGE_DAYS} days"
        )
    return miss(views, signal, msg, values=values, confidence="low")


def _isolated(views: Views, history: History, edges: list[Edge], signal: str, role: str) -> Finding:
    members = history.authors_with_role(role)
    if not members:
        return not_applicable(views, signal, f"no {ROLE_WORDS[role]}-role author in the window")
    summary = between(history, edges, role, [r for r in ROLES if r != role])
    values = {"authors": summary.authors, "authors_linked": summary.linked, "edges": len(summary.edges)}
    if summary.edges:
        partners = sorted({r for e in summary.edges for r in e.roles} - {role})
        msg = (
            f"{summary.linked} of {summary.authors} {role}-role authors co-changed code with "
            f"{', '.join(partners)} authors ({len(summary.edges)} edge(s)); {REVIEW_NOTE} to judge reviews"
        )
        return miss(
            views, signal, msg, values=values, confidence="low", locations=_evidence(history, summary.edges)[:20]
        )
    keys = {a.key for a in members}
    mine: list[tuple[Commit, str | None]] = [(c, None) for c in history.commits if keys & set(c.identities)]
    msg = (
        f"{summary.authors} {role}-role author(s) never co-changed code with another role "
        f"(co-change only; {REVIEW_NOTE})"
    )
    return hit(
        views,
        signal,
        commit_locations(history, mine),
        msg,
        confidence="low",
        values={**values, "count": summary.authors},
    )
