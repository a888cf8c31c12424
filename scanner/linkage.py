"""Which organisation-wide findings a repo assessment may cite.

Catalogs and a GitHub organisation describe the whole organisation: every repo sees their findings.
An MLflow server describes the teams that log to it: a repo sees its findings only when the server
holds runs from that repo (`mlflow.runs.repo_linked`, matched by repository URL or, for a clone without
a remote, by name). A server linked to no scanned repo is assessed on its own, with its target id as
scope, so one team's tracking server never lifts an unrelated repo.
"""

from __future__ import annotations

from scanner.facts.urls import repo_key
from scanner.model import Finding, Outcome
from scanner.targets import Target

LINK_SIGNAL = "mlflow.runs.repo_linked"
LINKED_KINDS = frozenset({"mlflow"})


def source_links(shared: list[Finding]) -> dict[str, set[str]]:
    """Source target id -> the repository keys and names its records come from."""
    links: dict[str, set[str]] = {}
    for finding in shared:
        if finding.signal == LINK_SIGNAL and finding.outcome is Outcome.TRUE:
            keys = links.setdefault(finding.subject, set())
            keys.update(str(finding.values[k]).lower() for k in ("repo", "name") if finding.values.get(k))
    return links


def repo_keys(target: Target) -> set[str]:
    keys = {target.id.lower()}
    url = target.info.get("url")
    if isinstance(url, str):
        keys.add(repo_key(url))
    return keys


def visible_findings(
    target: Target, shared: list[Finding], kinds: dict[str, str], links: dict[str, set[str]]
) -> list[Finding]:
    keys = repo_keys(target)
    return [f for f in shared if kinds.get(f.subject) not in LINKED_KINDS or links.get(f.subject, set()) & keys]


def unlinked_sources(kinds: dict[str, str], links: dict[str, set[str]], repos: list[Target]) -> list[str]:
    """Linked-kind sources (MLflow) that no scanned repo is linked to."""
    all_keys = set().union(*(repo_keys(t) for t in repos)) if repos else set()
    return sorted(s for s, kind in kinds.items() if kind in LINKED_KINDS and not links.get(s, set()) & all_keys)


def findings_of(source_id: str, shared: list[Finding], kinds: dict[str, str]) -> list[Finding]:
    """What a linked-kind source's own assessment cites: its findings and the organisation-wide ones."""
    return [f for f in shared if f.subject == source_id or kinds.get(f.subject) not in LINKED_KINDS]
