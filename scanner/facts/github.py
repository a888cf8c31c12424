"""Typed, read-only GitHub views: the facts of one repo and of the organisation (teams)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scanner.facts.sections import Unreadable

ROLE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("DE", re.compile(r"data[-_ ]?(eng|platform|infra)|\bde\b|etl|analytics[-_ ]?eng", re.I)),
    ("DS", re.compile(r"data[-_ ]?sci|\bds\b|\bml\b|machine[-_ ]?learning|research|model", re.I)),
    ("SE", re.compile(r"\bse\b|software|backend|frontend|platform|app|web|engineering", re.I)),
    ("OPS", re.compile(r"ops|sre|infra|devops", re.I)),
)


@dataclass(frozen=True)
class Team:
    slug: str
    name: str
    description: str
    members: tuple[str, ...]  # logins
    names: tuple[str, ...]  # display names (to map git authors)
    configured: str | None = None  # role given with --team-role (OTHER: the team maps no role)

    @property
    def role(self) -> str | None:
        if self.configured:
            return None if self.configured == "OTHER" else self.configured
        text = f"{self.slug} {self.name} {self.description}"
        return next((role for role, pattern in ROLE_PATTERNS if pattern.search(text)), None)


@dataclass(frozen=True)
class OrgFacts:
    org: str
    url: str
    teams: tuple[Team, ...]
    available: bool = True  # False: the token may not read teams
    reason: str = ""

    def unreadable(self, section: str = "teams") -> Unreadable | None:
        """The organisation view has one section, its teams (and their members)."""
        why = self.reason or "no permission"
        return None if self.available else Unreadable("teams", why, label=f"the teams of {self.org}")

    def login_roles(self) -> dict[str, str]:
        """login -> role from team membership; a person in teams of two roles keeps the first."""
        out: dict[str, str] = {}
        for team in self.teams:
            if team.role:
                for login in team.members:
                    out.setdefault(login.lower(), team.role)
        return out

    def role_overrides(self) -> dict[str, str]:
        """Overrides for the git history (keyed by display name and login), from team membership."""
        out: dict[str, str] = {}
        for team in self.teams:
            if team.role:
                for login, name in zip(team.members, team.names, strict=False):
                    out.setdefault(login.lower(), team.role)
                    if name:
                        out.setdefault(name.lower(), team.role)
        return out


@dataclass(frozen=True)
class Review:
    author: str
    state: str


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str
    author: str
    author_is_bot: bool
    merged_at: datetime | None
    reviews: tuple[Review, ...]


@dataclass(frozen=True)
class Release:
    tag: str
    created_at: datetime
    author: str
    url: str


@dataclass(frozen=True)
class Deployment:
    environment: str
    created_at: datetime
    creator: str
    creator_is_bot: bool
    state: str  # latest status, lower case ("" when none)


@dataclass(frozen=True)
class Environment:
    name: str
    required_reviewers: tuple[str, ...]
    wait_timer: int


@dataclass(frozen=True)
class WorkflowRun:
    path: str  # .github/workflows/NAME.yml
    conclusion: str  # success | failure | ... ("" while running)
    created_at: datetime
    url: str


@dataclass
class RepoFacts:
    full_name: str
    url: str
    default_branch: str
    protection: dict[str, Any] | None  # classic branch protection rule of the default branch
    rulesets: list[dict[str, Any]] = field(default_factory=list)
    environments: list[Environment] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    release_total: int = 0
    pulls: list[PullRequest] = field(default_factory=list)
    codeowners_errors: list[dict[str, Any]] = field(default_factory=list)
    scheduled_workflows: tuple[str, ...] = ()  # workflow files with a `schedule` trigger at HEAD
    schedule_runs: list[WorkflowRun] = field(default_factory=list)  # recent runs with event == schedule
    org: OrgFacts | None = None
    missing: dict[str, str] = field(default_factory=dict)  # section -> why it could not be read

    def unreadable(self, section: str) -> Unreadable | None:
        """A section (a field of the repository query: SECTIONS) the token could not read; the whole
        repository when the error had no narrower path."""
        part = section if section in self.missing else "repository" if "repository" in self.missing else None
        if part is None:
            return None
        why = f"the token may not read it ({self.missing[part]}): unknown, not absent"
        return Unreadable(section, why, label=f"GitHub {SECTIONS.get(section, section)}")


# the sections of RepoFacts (the fields of the repository query, and the REST call for workflow runs)
SECTIONS = {
    "defaultBranchRef": "the default branch's protection",
    "rulesets": "rulesets",
    "environments": "environments",
    "deployments": "deployments",
    "releases": "releases",
    "pullRequests": "pull requests and their reviews",
    "codeowners": "CODEOWNERS errors",
    "workflow_runs": "Actions workflow runs",
}


def _when(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _nodes(obj: Any, key: str) -> list[dict[str, Any]]:
    part = (obj or {}).get(key) or {}
    return [n for n in part.get("nodes") or [] if isinstance(n, dict)]


def _is_bot(actor: dict[str, Any] | None) -> bool:
    actor = actor or {}
    return actor.get("__typename") == "Bot" or str(actor.get("login", "")).endswith("[bot]")


def _login(actor: dict[str, Any] | None) -> str:
    return str((actor or {}).get("login") or "ghost")


def parse_repo(data: dict[str, Any], org: OrgFacts | None, missing: dict[str, str]) -> RepoFacts:
    repo = data["repository"]
    branch = repo.get("defaultBranchRef") or {}
    envs = []
    for env in _nodes(repo, "environments"):
        reviewers: list[str] = []
        wait = 0
        for rule in _nodes(env, "protectionRules"):
            if rule.get("type") == "REQUIRED_REVIEWERS":
                reviewers += [r.get("login") or r.get("slug") or "?" for r in _nodes(rule, "reviewers")]
            if rule.get("type") == "WAIT_TIMER":
                wait = int(rule.get("timeout") or 0)
        envs.append(Environment(env["name"], tuple(reviewers), wait))
    deployments = [
        Deployment(
            d.get("environment") or "",
            _when(d["createdAt"]) or datetime.min,
            _login(d.get("creator")),
            _is_bot(d.get("creator")),
            str((d.get("latestStatus") or {}).get("state") or "").lower(),
        )
        for d in _nodes(repo, "deployments")
    ]
    releases = [
        Release(r["tagName"], _when(r["createdAt"]) or datetime.min, _login(r.get("author")), r.get("url") or "")
        for r in _nodes(repo, "releases")
        if not r.get("isDraft")
    ]
    pulls = [
        PullRequest(
            int(p["number"]),
            p.get("url") or "",
            _login(p.get("author")),
            _is_bot(p.get("author")),
            _when(p.get("mergedAt")),
            tuple(Review(_login(r.get("author")), str(r.get("state"))) for r in _nodes(p, "reviews")),
        )
        for p in _nodes(repo, "pullRequests")
    ]
    return RepoFacts(
        full_name=repo["nameWithOwner"],
        url=repo["url"],
        default_branch=branch.get("name") or "",
        protection=branch.get("branchProtectionRule"),
        rulesets=_nodes(repo, "rulesets"),
        environments=envs,
        deployments=deployments,
        releases=releases,
        release_total=int((repo.get("releases") or {}).get("totalCount") or len(releases)),
        pulls=pulls,
        codeowners_errors=list((repo.get("codeowners") or {}).get("errors") or []),
        org=org,
        missing=missing,
    )


def parse_org(data: dict[str, Any], base_web: str, team_roles: dict[str, str] | None = None) -> OrgFacts:
    """Teams and members; `team_roles` (slug -> role) overrides the roles guessed from team names."""
    configured = {k.lower(): v.upper() for k, v in (team_roles or {}).items()}
    org = data["organization"]
    teams = []
    for t in _nodes(org, "teams"):
        members = _nodes(t, "members")
        teams.append(
            Team(
                t["slug"],
                t.get("name") or t["slug"],
                t.get("description") or "",
                tuple(m["login"] for m in members),
                tuple(m.get("name") or "" for m in members),
                configured.get(t["slug"].lower()),
            )
        )
    return OrgFacts(org["login"], f"{base_web}/{org['login']}", tuple(teams))


def parse_runs(body: Any) -> list[WorkflowRun]:
    """`GET /repos/{o}/{r}/actions/runs` -> runs (path without its `@ref` suffix)."""
    runs = body.get("workflow_runs") if isinstance(body, dict) else None
    return [
        WorkflowRun(
            str(r.get("path") or "").split("@")[0],
            str(r.get("conclusion") or ""),
            _when(r.get("created_at")) or datetime.min,
            str(r.get("html_url") or ""),
        )
        for r in runs or []
        if isinstance(r, dict)
    ]
