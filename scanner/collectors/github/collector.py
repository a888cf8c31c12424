"""Scan targets `github:ORG` and `github:ORG/REPO`: list repos, clone them into the cache, and build
the per-repo GitHub view (one GraphQL query per analysed repo) and the organisation view (teams)."""

from __future__ import annotations

import fnmatch
import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner.collectors.github import clone, queries
from scanner.collectors.github.api import ApiError, BudgetExhausted, Cost, GitHubApi, NoPermission, Shared
from scanner.collectors.github.cache import ScanCache
from scanner.facts.github import OrgFacts, RepoFacts, parse_org, parse_repo, parse_runs
from scanner.model import Finding, Outcome
from scanner.sources import OrgSource, SourceUnavailable
from scanner.targets import Target

DEFAULT_API = "https://api.github.com"
SAVE_ETAGS_S = 10.0


@dataclass
class GitHubOptions:
    api_url: str = DEFAULT_API
    cache_dir: Path = Path(".aiops-scan-cache")
    budget: int = 5000  # REST calls + GraphQL points for the whole scan
    max_wait_s: float = 300.0
    include: list[str] = field(default_factory=list)  # name globs
    exclude: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    archived: bool = False
    forks: bool = False
    max_repos: int = 0  # 0: no cap
    team_roles: dict[str, str] = field(default_factory=dict)  # team slug -> role (DS, DE, SE, OPS, PROMPT, OTHER)
    shard: tuple[int, int] | None = None  # (K, N): only the repos of shard K of N (see shard_of)


def shard_of(full_name: str, count: int) -> int:
    """The shard (1..count) of a repo: sha256 of its lower-cased full name, stable across runs and machines."""
    digest = hashlib.sha256(full_name.lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


class GitHubScan:
    """One `github:` target: shared state for its repos; one API client per worker thread."""

    def __init__(self, spec: str, opts: GitHubOptions, token: str | None) -> None:
        self.owner, _, self.repo = spec.removeprefix("github:").partition("/")
        self.opts, self._token = opts, token
        host = urlsplit(opts.api_url).netloc or "github"
        self.cache = ScanCache(opts.cache_dir, host)
        self.shared = Shared(budget=opts.budget, max_wait_s=opts.max_wait_s, etags=self.cache.load_etags())
        self._local = threading.local()
        self._org: OrgFacts | None = None
        self._org_lock = threading.Lock()
        self.totals = {"clones": 0, "fetches": 0, "bytes_fetched": 0, "repos_reused": 0, "repos_unchanged": 0}
        self.pending = 0  # listed repos not finished yet
        self._saved_tags: dict[str, Any] = {key: entry.get("etag") for key, entry in self.shared.etags.items()}
        self._saved_at = time.monotonic()
        self.heads: dict[str, str] = {}  # full name -> default-branch head on GitHub (repos with cached findings)
        self.source = OrgSource(Target(f"github:{self.owner}", "github_org"), "github_org", self.org_facts)
        self.web = "https://github.com" if opts.api_url.rstrip("/") == DEFAULT_API else _web_base(opts.api_url)

    def client(self) -> GitHubApi:
        api: GitHubApi | None = getattr(self._local, "api", None)
        if api is None:
            api = self._local.api = GitHubApi(self.opts.api_url, self._token, self.shared)
        return api

    # listing ----------------------------------------------------------------------------------
    def targets(self) -> list[Target]:
        try:
            repos = self._list()
            self.heads = self._check_heads(repos)
            self.pending = len(repos)
        except ApiError as exc:
            self.source.build = _fail(f"listing github:{self.owner} failed: {self.client().scrub(str(exc))}")
            return []
        finally:
            self.publish(force=True)
        return [self._target(r) for r in repos]

    def _check_heads(self, repos: list[dict[str, Any]]) -> dict[str, str]:
        """The default-branch heads of the listed repos that have cached findings, HEADS_BATCH repos per
        GraphQL query: a repo whose head is the cached one is reused without a git fetch or another call.
        A failed check only means those repos are fetched as usual."""
        known = [r for r in repos if self.cache.cached_head(r["full_name"])]
        heads: dict[str, str] = {}
        for start in range(0, len(known), queries.HEADS_BATCH):
            batch = known[start : start + queries.HEADS_BATCH]
            variables: dict[str, Any] = {}
            for i, repo in enumerate(batch):
                variables[f"o{i}"], variables[f"n{i}"] = repo["owner"]["login"], repo["name"]
            try:
                data = self.client().graphql(queries.repo_heads(len(batch)), variables)
            except ApiError:
                continue
            for i, repo in enumerate(batch):
                node = data.get(f"r{i}") or {}
                oid = ((node.get("defaultBranchRef") or {}).get("target") or {}).get("oid")
                if isinstance(oid, str) and oid:
                    heads[repo["full_name"]] = oid
        return heads

    def _list(self) -> list[dict[str, Any]]:
        if self.repo:
            body, _ = self.client().get(f"/repos/{self.owner}/{self.repo}")
            return self._in_shard([body])
        repos = self.client().paginate(f"/orgs/{self.owner}/repos", {"type": "all", "sort": "full_name"})
        repos.sort(key=lambda r: str(r["full_name"]).lower())  # as GitHub lists them: shards merge in this order
        chosen = self._in_shard([r for r in repos if self._wanted(r)])
        return chosen[: self.opts.max_repos] if self.opts.max_repos else chosen

    def _in_shard(self, repos: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not self.opts.shard:
            return repos
        index, count = self.opts.shard
        return [r for r in repos if shard_of(r["full_name"], count) == index]

    def _wanted(self, repo: dict[str, Any]) -> bool:
        name, o = repo["name"], self.opts
        if (repo.get("archived") and not o.archived) or (repo.get("fork") and not o.forks):
            return False
        if o.include and not any(fnmatch.fnmatch(name, g) for g in o.include):
            return False
        if any(fnmatch.fnmatch(name, g) for g in o.exclude):
            return False
        return not o.topics or bool(set(o.topics) & set(repo.get("topics") or []))

    def _target(self, repo: dict[str, Any]) -> Target:
        info = {"url": repo.get("html_url") or f"{self.web}/{repo['full_name']}", "github": repo["full_name"]}
        target = Target(repo["name"], "repo", estate=self.owner, info=info)
        target.remote = RemoteRepo(self, repo)
        target.view_builders["github"] = target.remote.facts
        return target

    # organisation view --------------------------------------------------------------------------
    def org_facts(self) -> OrgFacts:
        with self._org_lock:
            if self._org is None:
                try:
                    data = self.client().graphql(queries.ORG_TEAMS, {"org": self.owner})
                    self._org = parse_org(data, self.web, self.opts.team_roles)
                except NoPermission as exc:
                    self._org = OrgFacts(self.owner, f"{self.web}/{self.owner}", (), False, str(exc))
                except ApiError as exc:
                    raise SourceUnavailable(self.client().scrub(str(exc))) from None
                finally:
                    self.publish()
            return self._org

    def publish(self, force: bool = False) -> None:
        """Copy the running totals into the source's stats (read by the runner at the end), and save the
        ETags when they changed: at most every SAVE_ETAGS_S while repos are scanned, and after the last one
        (each save writes every stored answer: once per repo made a 1,000-repo rescan minutes long)."""
        with self.shared.lock:
            stats: dict[str, Any] = {**self.shared.total.to_json(), **self.totals}
            self.source.stats.update(stats)
            if self.shared.waits:
                self.source.target.info["rate_limit_waits"] = list(self.shared.waits[-20:])
            if self.shared.remaining is not None:
                self.source.target.info["rate_limit_remaining"] = self.shared.remaining
            tags = {key: entry.get("etag") for key, entry in self.shared.etags.items()}
            due = force or self.pending <= 0 or time.monotonic() - self._saved_at >= SAVE_ETAGS_S
            if tags != self._saved_tags and due:
                self.cache.save_etags(self.shared.etags)
                self._saved_tags, self._saved_at = tags, time.monotonic()


class RemoteRepo:
    """How the runner gets one listed repo: sync its clone, reuse cached findings or build views."""

    def __init__(self, scan: GitHubScan, repo: dict[str, Any]) -> None:
        self.scan, self.repo = scan, repo
        self.full_name: str = repo["full_name"]
        self.head = ""
        self.unchanged = False  # the batched head check found the cached HEAD: no git, no other call
        self._objects_before = 0

    def prepare(self, target: Target, fingerprint: str) -> list[Finding] | None:
        """Clone or fetch; returns cached findings when HEAD and the fingerprint are unchanged (then, if
        the batched head check already saw the cached HEAD on GitHub, without touching git at all).
        Raises BudgetExhausted (the runner then leaves the repo unscanned) or GitError."""
        scan = self.scan
        if scan.shared.spent() >= scan.shared.budget:
            raise BudgetExhausted(f"not started: API budget of {scan.shared.budget} points spent")
        scan.client().cost = Cost()
        dest = scan.cache.clone_dir(self.full_name)
        head = scan.heads.get(self.full_name)
        cached = scan.cache.load_findings(self.full_name, head, fingerprint) if head else None
        if cached is not None and head and dest.is_dir():
            self.head, self.unchanged = head, True
            target.path = dest
            target.info["clone"] = "unchanged"
        else:
            self._objects_before = clone._objects_bytes(dest)
            synced = clone.sync(self.repo["clone_url"], dest, scan._token)
            self.head = synced.head
            with scan.shared.lock:
                scan.totals["clones" if synced.cloned else "fetches"] += 1
            target.path = synced.path
            target.info["clone"] = "cloned" if synced.cloned else "fetched"
            cached = scan.cache.load_findings(self.full_name, self.head, fingerprint)
        if cached is not None:
            with scan.shared.lock:
                scan.totals["repos_reused"] += 1
                scan.totals["repos_unchanged"] += self.unchanged
            target.info["reused"] = True
        return cached

    def finish(self, target: Target, fingerprint: str, findings: list[Finding] | None) -> None:
        """Record this repo's cost; cache its findings (None: reused, nothing new to store)."""
        scan = self.scan
        fetched = 0
        if not self.unchanged:
            fetched = max(0, clone._objects_bytes(scan.cache.clone_dir(self.full_name)) - self._objects_before)
        with scan.shared.lock:
            scan.totals["bytes_fetched"] += fetched
        target.info["cost"] = {**scan.client().cost.to_json(), "bytes_fetched": fetched}
        if findings is not None and not any(f.outcome is Outcome.ERROR for f in findings):
            # findings with errors (e.g. an API failure) are not cached: the next run tries again
            scan.cache.save_findings(self.full_name, self.head, fingerprint, findings)
        with scan.shared.lock:
            scan.pending -= 1
        scan.publish()

    def role_overrides(self) -> dict[str, str]:
        try:
            return self.scan.org_facts().role_overrides()
        except SourceUnavailable:
            return {}

    def facts(self, index: Any) -> RepoFacts:
        """One GraphQL query; one REST call for scheduled workflow runs when the repo has a schedule."""
        api = self.scan.client()
        data = api.graphql(queries.REPO_FACTS, {"owner": self.repo["owner"]["login"], "name": self.repo["name"]})
        missing = {_part(e.get("path")): e.get("type", "error") for e in data.pop("_errors", [])}
        try:
            org: OrgFacts | None = self.scan.org_facts()
        except SourceUnavailable:
            org = None
        facts = parse_repo(data, org, missing)
        facts.scheduled_workflows = scheduled_workflows(index)
        if facts.scheduled_workflows:
            try:
                body, _ = api.get(f"/repos/{self.full_name}/actions/runs", {"event": "schedule", "per_page": 50})
                facts.schedule_runs = parse_runs(body)
            except NoPermission as exc:
                facts.missing["workflow_runs"] = str(exc)
        return facts


def _part(path: Any) -> str:
    parts = [p for p in path or [] if isinstance(p, str) and p != "repository"]
    return parts[0] if parts else "repository"


def _fail(message: str) -> Any:
    def build() -> Any:
        raise SourceUnavailable(message)

    return build


def _web_base(api_url: str) -> str:
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}"


def scheduled_workflows(index: Any) -> tuple[str, ...]:
    """GitHub Actions workflow files at HEAD with an `on: schedule` trigger (YAML 1.1 reads `on` as True)."""
    out = []
    for path in index.paths(".github/workflows/*.yml", ".github/workflows/*.yaml", kinds=None):
        data = index.yaml_data(path)
        triggers = data.get("on", data.get(True)) if isinstance(data, dict) else None
        if (isinstance(triggers, dict) and "schedule" in triggers) or triggers == "schedule":
            out.append(path)
    return tuple(out)
