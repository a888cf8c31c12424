"""Who is who in a history: identities, bots, shared files, file domains with content hints, authors
with their inferred roles, and the role a CODEOWNERS team name suggests (docs/model.md, author roles). No I/O."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from scanner.facts.paths import DOMAINS, LOCKFILES, file_name, match_any, path_domain

if TYPE_CHECKING:
    from scanner.facts.history import Commit
    from scanner.facts.repo_index import RepoIndex

OTHER = "OTHER"  # an author or file outside every domain (docs, configs, domain experts)
ROLES: tuple[str, ...] = (*DOMAINS, OTHER)
MIN_DOMAIN_SHARE = 0.25  # below this share of domain files, an author's role is OTHER

# Identities containing any of these (case-insensitive, name or email) are automation, not people.
BOT_MARKERS: tuple[str, ...] = (
    "[bot]",
    "dependabot",
    "renovate",
    "github-actions",
    "pre-commit-ci",
    "snyk-bot",
    "greenkeeper",
    "mergify",
    "imgbot",
    "allcontributors",
    "semantic-release-bot",
    "codecov",
    "whitesource",
    "azure-pipelines",
    "gitlab-bot",
)
BOT_EMAILS = frozenset({"noreply@github.com", "actions@github.com", "bot@noreply.github.com"})
_BOT_LOCAL = re.compile(r"(?:^|[._+-])bot@")
_CONTACT = re.compile(r"^\s*(.*?)\s*<([^<>]*)>\s*$")

# Files everybody touches: they say nothing about a person's role nor about collaboration.
BOILERPLATE_NAMES = (
    frozenset(
        {
            "pyproject.toml",
            "setup.py",
            "setup.cfg",
            "Makefile",
            "tox.ini",
            "noxfile.py",
            ".gitignore",
            ".gitattributes",
            ".pre-commit-config.yaml",
            ".editorconfig",
            "CODEOWNERS",
            ".mailmap",
            "environment.yml",
            "environment.yaml",
            "MANIFEST.in",
            ".dockerignore",
            ".python-version",
            ".flake8",
            "mypy.ini",
            "ruff.toml",
            ".ruff.toml",
            "pytest.ini",
            ".env.example",
            "version.txt",
        }
    )
    | LOCKFILES
)
BOILERPLATE_PREFIXES = ("README", "CHANGELOG", "LICENSE", "CONTRIBUTING", "requirements", "constraints", "NOTICE")

# Content hints: code that trains or logs experiments belongs to DS whatever folder it sits in.
DS_CALL_PREFIXES = ("mlflow.log_", "wandb.log")
WEB_IMPORTS = ("fastapi", "flask", "django", "starlette", "litestar", "aiohttp.web", "tornado.web")

# CODEOWNERS team slugs -> role (first match wins; DE before DS so "data-eng" is not read as data).
TEAM_ROLE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("DE", re.compile(r"data.?eng|platform.?data|data.?platform|(?:^|[-_/])(?:de|etl|analytics.?eng)(?:$|[-_])")),
    ("DS", re.compile(r"data.?sci|machine.?learning|(?:^|[-_/])(?:ml|ds|mle|ai|research|science)(?:$|[-_])")),
    (
        "OPS",
        re.compile(
            r"(?:^|[-_/])(?:platform|infra|infrastructure|ops|devops|sre|cloud|mlops|"
            r"reliability)(?:$|[-_])"
        ),
    ),
    (
        "SE",
        re.compile(
            r"eng|backend|frontend|(?:^|[-_/])(?:apps?|web|api|dev|developers|software|swe|"
            r"mobile|product)(?:$|[-_])"
        ),
    ),
)


@dataclass(frozen=True)
class Author:
    """One person (after .mailmap) active in a history window."""

    key: str  # lower-case email after .mailmap, or "name:<name>" without an email
    name: str
    email: str
    commits: int  # commits authored in the window
    co_authored: int  # commits naming this identity in a Co-authored-by trailer
    domains: Mapping[str, int]  # domain (or OTHER) -> files changed, boilerplate ignored
    role: str  # one of ROLES
    role_source: str  # "inferred" or "override"
    first: datetime
    last: datetime


def identity_key(name: str, email: str) -> str:
    return email.strip().lower() or f"name:{name.strip().lower()}"


def parse_contact(text: str) -> tuple[str, str] | None:
    """`Name <email>` -> (name, email)."""
    m = _CONTACT.match(text)
    return (m.group(1), m.group(2)) if m else None


def is_bot(name: str, email: str) -> bool:
    low_name, low_email = name.lower(), email.lower()
    if low_email in BOT_EMAILS or _BOT_LOCAL.search(low_email):
        return True
    return any(marker in low_name or marker in low_email for marker in BOT_MARKERS)


@lru_cache(maxsize=1 << 18)
def is_boilerplate(path: str) -> bool:
    """Project plumbing files (manifests, lockfiles, READMEs): ignored for role inference."""
    name = file_name(path)
    return name in BOILERPLATE_NAMES or name.startswith(BOILERPLATE_PREFIXES)


@lru_cache(maxsize=1 << 18)
def is_ci(path: str) -> bool:
    """A file of a registered CI system (its pipelines, folder and templates)."""
    from scanner.facts.ci.systems import ci_globs  # lazy: the CI plugins import the repo index

    return match_any(path, ci_globs())


def is_shared(path: str) -> bool:
    """Files shared by everyone (boilerplate and CI): never an edge in co-change graphs."""
    return is_boilerplate(path) or is_ci(path)


def content_domain(path: str, index: RepoIndex | None) -> str | None:
    """A domain suggested by a Python file's content at HEAD (training/logging calls -> DS)."""
    if index is None or not path.endswith((".py", ".ipynb")) or not index.has(path):
        return None
    facts = index.python(path)
    if facts is None or facts.error:
        return None
    if any(c.name.startswith(DS_CALL_PREFIXES) for c in facts.calls) or facts.calls_to("fit"):
        return "DS"
    if facts.imported(*WEB_IMPORTS) is not None:
        return "SE"
    return None


def file_domain(path: str, index: RepoIndex | None = None) -> str:
    """The domain of a path: PROMPT/OPS/DS path rules first, then DS content hints, then the DE/SE path
    rules, then SE content hints (web routers); OTHER when nothing matches."""
    by_path = path_domain(path)
    if by_path in ("PROMPT", "OPS", "DS"):
        return by_path
    hint = content_domain(path, index)
    if hint == "DS":
        return hint
    return by_path or hint or OTHER


def team_role(owner: str) -> str | None:
    """The role a CODEOWNERS team (`@org/team`) suggests by its name, or None."""
    slug = owner.lower().lstrip("@").split("/", 1)[-1]
    for role, pattern in TEAM_ROLE_RULES:
        if pattern.search(slug):
            return role
    return None


def infer_role(counts: Mapping[str, int]) -> str:
    """The domain holding the most changed files (ties go to the earlier one in DOMAINS); OTHER when
    domain files are under MIN_DOMAIN_SHARE of the author's files (a domain expert editing configs)."""
    in_domains = sum(counts.get(d, 0) for d in DOMAINS)
    total = in_domains + counts.get(OTHER, 0)
    if not in_domains or in_domains < MIN_DOMAIN_SHARE * total:
        return OTHER
    return max(DOMAINS, key=lambda d: (counts.get(d, 0), -DOMAINS.index(d)))


def normalize_overrides(overrides: Mapping[str, str]) -> dict[str, str]:
    """Role overrides keyed by lower-case identity key, email or name; roles must be one of ROLES."""
    out = {}
    for who, role in overrides.items():
        if role.upper() not in ROLES:
            raise ValueError(f"role override for {who!r}: unknown role {role!r}; known: {', '.join(ROLES)}")
        out[who.strip().lower()] = role.upper()
    return out


def build_authors(
    commits: Iterable[Commit],
    contacts: Mapping[str, tuple[str, str]],
    domains: Mapping[str, str],
    overrides: Mapping[str, str],
) -> dict[str, Author]:
    """Authors (and co-authors) of `commits` with their per-domain file counts and role.
    `overrides` maps a lower-case identity key, email or name to a role."""
    counts: dict[str, Counter[str]] = {}
    authored: Counter[str] = Counter()
    co: Counter[str] = Counter()
    dates: dict[str, list[datetime]] = {}
    for c in commits:
        authored[c.author] += 1
        co.update(c.co_authors)
        touched = Counter(domains.get(p) or file_domain(p) for p in c.files if not is_boilerplate(p))
        for key in c.identities:
            counts.setdefault(key, Counter()).update(touched)
            dates.setdefault(key, []).append(c.date)
    out = {}
    for key in sorted(dates):
        name, email = contacts.get(key, ("", ""))
        override = overrides.get(key) or overrides.get(email.lower()) or overrides.get(name.lower())
        out[key] = Author(
            key=key,
            name=name,
            email=email,
            commits=authored[key],
            co_authored=co[key],
            domains=MappingProxyType(dict(sorted(counts[key].items()))),
            role=override or infer_role(counts[key]),
            role_source="override" if override else "inferred",
            first=min(dates[key]),
            last=max(dates[key]),
        )
    return out


__all__ = [
    "OTHER",
    "ROLES",
    "Author",
    "build_authors",
    "content_domain",
    "file_domain",
    "identity_key",
    "infer_role",
    "is_boilerplate",
    "is_bot",
    "is_ci",
    "is_shared",
    "parse_contact",
    "team_role",
]
