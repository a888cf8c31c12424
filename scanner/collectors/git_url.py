"""Targets given as git URLs (`https://host/owner/repo.git`, `git@host:owner/repo`, `file:///srv/repo.git`).

Each becomes a blobless, checkout-free clone in the cache folder, updated by `git fetch` on later runs,
and is then scanned like a local repo; its findings are reused while HEAD and the scanner/rules
fingerprint are unchanged. Credentials in a URL (userinfo, or a token in its query string) reach this
repo's git processes only; ids, sources, cache folder names and messages never hold them.
"""

from __future__ import annotations

from pathlib import Path

from scanner.collectors.github import clone
from scanner.collectors.github.cache import ScanCache
from scanner.facts.urls import clean_url, repo_key, web_url
from scanner.model import Finding, Outcome
from scanner.targets import Target

DEFAULT_CACHE = Path(".aiops-scan-cache")


def is_git_url(spec: str) -> bool:
    return "://" in spec or spec.startswith("git@")


class GitUrlRemote:
    """How the runner gets a repo given by URL: sync its clone, or reuse its cached findings."""

    def __init__(self, url: str, cache: ScanCache, key: str) -> None:
        self.url, self.cache, self.key = url, cache, key
        self.head = ""
        # two spellings of one repo (`.git`, trailing slash, host case, https or ssh) share one clone:
        # the targets resolver keeps the first
        self.identity = str(cache.clone_dir(key).absolute())

    def prepare(self, target: Target, fingerprint: str) -> list[Finding] | None:
        synced = clone.sync(self.url, self.cache.clone_dir(self.key))
        self.head = synced.head
        target.path = synced.path
        target.info["clone"] = "cloned" if synced.cloned else "fetched"
        cached = self.cache.load_findings(self.key, self.head, fingerprint)
        if cached is not None:
            target.info["reused"] = True
        return cached

    def finish(self, target: Target, fingerprint: str, findings: list[Finding] | None) -> None:
        if findings is not None and not any(f.outcome is Outcome.ERROR for f in findings):
            self.cache.save_findings(self.key, self.head, fingerprint, findings)

    def role_overrides(self) -> dict[str, str]:
        return {}


def url_target(url: str, cache_dir: Path | None) -> Target:
    """One repo target for a git URL; its id is the repository's name."""
    key = repo_key(url)
    host, _, path = key.partition("/")
    name = Path(path or host).name.removesuffix(".git") or "repo"
    cache = ScanCache(cache_dir or DEFAULT_CACHE, host or "local")
    info = {"url": web_url(url) or clean_url(url), "source": clean_url(url)}
    return Target(name, "repo", remote=GitUrlRemote(url, cache, path or key), info=info)
