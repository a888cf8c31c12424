"""CODEOWNERS: rules (pattern, owners, line) and GitHub's last-match-wins lookup.

GitHub reads the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`. Patterns follow
gitignore rules without `!` negation or `[...]` ranges: a pattern with a leading or inner `/` is anchored
at the root, otherwise it matches at any depth; a pattern naming a directory covers everything under it,
except that `dir/*` covers only the files directly in `dir`. A rule without owners un-owns its paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from scanner.facts.paths import glob_to_regex

if TYPE_CHECKING:
    from scanner.facts.repo_index import RepoIndex

CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
CATCH_ALL = frozenset({"*", "**", "/*", "/**", "/", "/**/*", "**/*"})
MAX_WILDCARDS = 8
_OWNER = re.compile(r"^@[\w.-]+(?:/[\w.-]+)?$|^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class OwnerRule:
    pattern: str
    owners: tuple[str, ...]  # "@user", "@org/team" or an email
    line: int

    @property
    def catch_all(self) -> bool:
        """A rule for every file: it says nothing about who owns what."""
        return self.pattern in CATCH_ALL

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return pattern_regex(self.pattern)

    def matches(self, path: str) -> bool:
        return self.regex.match(path) is not None


@dataclass(frozen=True)
class CodeOwners:
    path: str  # where the file is in the repo
    rules: tuple[OwnerRule, ...]
    errors: tuple[tuple[int, str], ...] = ()  # (line, problem) for lines that could not be used

    def rule_for(self, path: str) -> OwnerRule | None:
        """The rule GitHub applies to `path`: the last one that matches."""
        for rule in reversed(self.rules):
            if rule.matches(path):
                return rule
        return None

    def owners_of(self, path: str) -> tuple[str, ...]:
        rule = self.rule_for(path)
        return rule.owners if rule else ()

    @property
    def has_catch_all(self) -> bool:
        return any(rule.catch_all for rule in self.rules)

    @property
    def specific_rules(self) -> tuple[OwnerRule, ...]:
        """Rules that name owners for part of the tree (not catch-alls, not un-owning rules)."""
        return tuple(rule for rule in self.rules if rule.owners and not rule.catch_all)


def parse_codeowners(text: str, path: str = "CODEOWNERS") -> CodeOwners:
    rules: list[OwnerRule] = []
    errors: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        tokens = _tokens(raw)
        if not tokens:
            continue
        pattern, owners = tokens[0], tokens[1:]
        bad = [o for o in owners if not _OWNER.match(o)]
        if bad:
            errors.append((number, f"not an owner: {' '.join(bad)}"))
        if pattern.startswith("!") or "[" in pattern:
            errors.append((number, f"unsupported pattern syntax: {pattern}"))
            continue
        if _squeeze(pattern).count("*") > MAX_WILDCARDS:  # each one multiplies the regex's backtracking
            errors.append((number, f"more than {MAX_WILDCARDS} wildcards: {pattern[:80]}"))
            continue
        rules.append(OwnerRule(pattern, tuple(o for o in owners if _OWNER.match(o)), number))
    return CodeOwners(path, tuple(rules), tuple(errors))


def load_codeowners(index: RepoIndex) -> CodeOwners | None:
    """The CODEOWNERS file GitHub would use, parsed; None when the repo has none that could be read."""
    for path in CODEOWNERS_PATHS:
        if index.has(path):
            text = index.text(path)
            if text is not None:
                return parse_codeowners(text, path)
    return None


def _tokens(line: str) -> list[str]:
    """Split a line on whitespace, honouring `\\ ` and `\\#` escapes and dropping `#` comments."""
    out: list[str] = []
    current = ""
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current += line[i + 1]
            i += 2
            continue
        if ch == "#" and not current:
            break
        if ch.isspace():
            if current:
                out.append(current)
                current = ""
        else:
            current += ch
        i += 1
    if current:
        out.append(current)
    return out


def _squeeze(pattern: str) -> str:
    """The same pattern without repeats that only slow matching: `**/**/` is `**/`, `***` is `**`."""
    pattern = re.sub(r"\*{3,}", "**", pattern)
    return re.sub(r"(?:\*\*/){2,}", "**/", pattern)


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A regex matching the repo-relative paths a CODEOWNERS pattern covers."""
    pattern = _squeeze(pattern)
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    if not body:
        return re.compile(r".*")
    files_only = body.endswith("/*") or body == "*"  # `dir/*`: direct children only
    out = ([] if anchored else ["(?:.*/)?"]) + [glob_to_regex(body)]
    if body == "*":
        return re.compile(r".*")
    suffix = r"\Z" if files_only else r"(?:/.*)?\Z"
    return re.compile("".join(out) + suffix)


__all__ = ["CODEOWNERS_PATHS", "CodeOwners", "OwnerRule", "load_codeowners", "parse_codeowners", "pattern_regex"]
