"""CODEOWNERS helpers for probes: which rules own a class of files at HEAD, and which role an owner has
(teams by name, users through the roles inferred from git history)."""

from __future__ import annotations

import re
from collections.abc import Callable

from scanner.facts.codeowners import CodeOwners, OwnerRule
from scanner.facts.history import History
from scanner.facts.repo_index import RepoIndex
from scanner.facts.roles import team_role
from scanner.model import Location

_NON_ALNUM = re.compile(r"[^a-z0-9]")


def is_team(owner: str) -> bool:
    return owner.startswith("@") and "/" in owner


def _norm(text: str) -> str:
    return _NON_ALNUM.sub("", text.lower())


def owner_role(owner: str, history: History | None) -> str | None:
    """DS/DE/SE/OPS/... for a team by its name, or for a user/email matching one history identity
    (email, email local part or name); None when unknown or ambiguous."""
    if is_team(owner):
        return team_role(owner)
    if history is None:
        return None
    if not owner.startswith("@"):
        found = history.authors.get(owner.lower())
        return found.role if found else None
    handle = _norm(owner[1:])
    roles = set()
    for author in history.authors.values():
        local = author.email.split("@", 1)[0].split("+", 1)[-1]  # 123+login@users.noreply.github.com
        if handle and handle in (_norm(local), _norm(author.name)):
            roles.add(author.role)
    return roles.pop() if len(roles) == 1 else None


def owning_rules(index: RepoIndex, owners: CodeOwners, wanted: Callable[[str], bool]) -> dict[OwnerRule, list[str]]:
    """Specific rules (not catch-alls, not un-owning rules) that GitHub applies to files `wanted`
    accepts at HEAD, with those files (last match wins)."""
    out: dict[OwnerRule, list[str]] = {}
    for path in index.paths(kinds=None):
        if not wanted(path):
            continue
        rule = owners.rule_for(path)
        if rule is not None and rule.owners and not rule.catch_all:
            out.setdefault(rule, []).append(path)
    return out


def rule_location(index: RepoIndex, owners: CodeOwners, rule: OwnerRule) -> Location:
    return index.location(owners.path, rule.line, f"{rule.pattern} {' '.join(rule.owners)}")


def roles_of(rule: OwnerRule, history: History | None) -> dict[str, str | None]:
    return {owner: owner_role(owner, history) for owner in rule.owners}
