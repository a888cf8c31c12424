"""The clone cache: one blobless, checkout-free clone per repo, updated by `git fetch` on later runs.

Files are never checked out (static only); the repo index reads the tree and fetches the blobs it needs
in one batch. A token, when needed for https remotes, reaches git through the environment
(GIT_CONFIG_COUNT, scoped to the API host), never through arguments, URLs or files.
"""

from __future__ import annotations

import base64
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scanner.collectors.gitcli import GitError, git_env, redact, run_git

CLONE_TIMEOUT_S = 900


@dataclass
class Synced:
    path: Path
    head: str
    cloned: bool  # False: an existing clone was fetched
    bytes_fetched: int


def _objects_bytes(repo: Path) -> int:
    root = repo / ".git" / "objects"
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.is_dir() else 0


def auth_env(clone_url: str, token: str | None) -> dict[str, str]:
    """Environment entries that give git the token for this host only."""
    parts = urlsplit(clone_url)
    if not token or parts.scheme != "https":
        return {}
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.https://{parts.netloc}/.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
    }


def split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """`https://user:pw@host/r.git` -> the URL without them, and environment entries that give them to
    git for that host only, so they are never stored in the clone's config or shown in a message."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.username:
        return url, {}
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    basic = base64.b64encode(f"{parts.username}:{parts.password or ''}".encode()).decode()
    clean = parts._replace(netloc=netloc).geturl()
    return clean, {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.{parts.scheme}://{netloc}/.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
    }


def _git(args: list[str], extra_env: dict[str, str], cwd: Path | None = None) -> None:
    env = git_env()
    env.update(extra_env)
    try:
        proc = subprocess.run(
            ["git", *args], capture_output=True, env=env, timeout=CLONE_TIMEOUT_S, check=False, cwd=cwd
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {args[0]} failed: {type(exc).__name__}") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {redact(err[-1] if err else 'exit ' + str(proc.returncode))}")


def sync(clone_url: str, dest: Path, token: str | None = None) -> Synced:
    """Clone `clone_url` into `dest` (blobless, no checkout), or fetch if it is already there; HEAD
    follows the remote's default branch."""
    clone_url, env = split_credentials(clone_url)
    env = env or auth_env(clone_url, token)
    if env:
        os.environ.update(env)  # lazy blob fetches by later git commands need it too (host-scoped)
    if (dest / ".git").is_dir():
        before = _objects_bytes(dest)
        _git(["-C", str(dest), "fetch", "-q", "--prune", "--tags", "--filter=blob:none", "origin"], env)
        run_git(dest, "remote", "set-head", "origin", "--auto")
        run_git(dest, "update-ref", "HEAD", "refs/remotes/origin/HEAD")
        cloned, fetched = False, _objects_bytes(dest) - before
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _git(["clone", "-q", "--filter=blob:none", "--no-checkout", clone_url, str(dest)], env)
        # no working tree, so git would not see .mailmap: read it from the commit (as bare repos do)
        run_git(dest, "config", "mailmap.blob", "HEAD:.mailmap")
        cloned, fetched = True, _objects_bytes(dest)
    head = run_git(dest, "rev-parse", "HEAD").decode().strip()
    return Synced(dest, head, cloned, max(0, fetched))
