"""The clone cache: one blobless, checkout-free clone per repo, updated by `git fetch` on later runs.

Files are never checked out (static only); the repo index reads the tree and fetches the blobs it needs
in one batch. Credentials (a token for the API host, or those of a URL) reach this repo's git processes
only, through their environment (`gitcli.set_credentials`), never through arguments, URLs or files.
A clone is made under a temporary name and renamed when complete; an entry without a valid HEAD (a
clone killed by an older version, or a hand-made folder) is cloned again. One folder is synced by one
thread or process at a time (a lock file beside it).
"""

from __future__ import annotations

import base64
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scanner.collectors.gitcli import (
    GitError,
    git_env,
    git_error,
    head_commit,
    run_git,
    run_proc,
    set_credentials,
)
from scanner.facts.urls import clean_url

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: the in-process lock only
    fcntl = None  # type: ignore[assignment]

CLONE_TIMEOUT_S = 900
STALE_TMP_S = 2 * CLONE_TIMEOUT_S  # a temporary clone older than this was left by a killed run
_QUERY_TOKENS = ("access_token", "private_token", "token", "oauth_token")


@dataclass
class Synced:
    path: Path
    head: str
    cloned: bool  # False: an existing clone was fetched
    bytes_fetched: int


def _objects_bytes(repo: Path) -> int:
    root = repo / ".git" / "objects"
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.is_dir() else 0


def _header(netloc: str, scheme: str, user: str, secret: str) -> dict[str, str]:
    basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.{scheme}://{netloc}/.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
    }


def auth_env(clone_url: str, token: str | None) -> dict[str, str]:
    """Environment entries that give git the token for this host only."""
    parts = urlsplit(clone_url)
    if not token or parts.scheme != "https":
        return {}
    return _header(parts.netloc, "https", "x-access-token", token)


def split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """`https://user:pw@host/r.git` -> the URL without them, and environment entries that give them to
    git for that host only, so they are never stored in the clone's config or shown in a message.
    The query string goes too (git cannot send one); a token there (`?access_token=`, `?private_token=`)
    becomes the password of user `oauth2`, which GitLab, GitHub and Gitea accept."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url, {}
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{host}:{parts.port}" if parts.port else host
    clean = parts._replace(netloc=netloc, query="", fragment="").geturl()
    if parts.username:
        return clean, _header(netloc, parts.scheme, parts.username, parts.password or "")
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        if name.lower() in _QUERY_TOKENS and value:
            return clean, _header(netloc, parts.scheme, "oauth2", value)
    return clean, {}


def _git(args: list[str], extra_env: dict[str, str], cwd: Path | None = None) -> None:
    proc = run_proc(["git", *args], git_env(config=extra_env), CLONE_TIMEOUT_S, cwd=cwd)
    if proc.returncode != 0:
        verb = args[2] if args[0] == "-C" else args[0]
        raise GitError(git_error(verb, proc.stderr, proc.returncode))


_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


@contextmanager
def _folder_lock(dest: Path) -> Iterator[None]:
    """One sync of `dest` at a time: a lock per folder in this process, and a lock file for others."""
    key = str(dest.resolve())
    with _thread_locks_guard:
        lock = _thread_locks.setdefault(key, threading.Lock())
    with lock:
        if fcntl is None:
            yield
            return
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest.parent / f".{dest.name}.lock", "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _sound(dest: Path) -> bool:
    """A complete clone: a git folder with a commit at HEAD and an origin to fetch from."""
    if not (dest / ".git").is_dir() or head_commit(dest) is None:
        return False
    try:
        return bool(run_git(dest, "config", "--get", "remote.origin.url", check=False).strip())
    except GitError:
        return False


def _remove(path: Path) -> None:
    """Delete a folder: renamed first, so that a run killed meanwhile leaves only a temporary name."""
    if not path.exists():
        return
    doomed = path.with_name(f".tmp-{path.name}-{uuid.uuid4().hex[:8]}")
    os.replace(path, doomed)
    shutil.rmtree(doomed, ignore_errors=True)


def _sweep(parent: Path, name: str) -> None:
    """Remove temporary clones of `name` left by killed runs (old enough not to be in progress)."""
    now = time.time()
    for tmp in parent.glob(f".tmp-{name}-*"):
        try:
            if now - tmp.stat().st_mtime > STALE_TMP_S:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            continue


def sync(clone_url: str, dest: Path, token: str | None = None) -> Synced:
    """Clone `clone_url` into `dest` (blobless, no checkout), or fetch if it is already there; HEAD
    follows the remote's default branch."""
    clone_url, env = split_credentials(clone_url)
    env = env or auth_env(clone_url, token)
    with _folder_lock(dest):
        if _sound(dest):
            set_credentials(dest, env)  # lazy blob fetches by later git commands of this repo need them
            before = _objects_bytes(dest)
            _git(["-C", str(dest), "fetch", "-q", "--prune", "--tags", "--filter=blob:none", "origin"], env)
            run_git(dest, "remote", "set-head", "origin", "--auto")
            run_git(dest, "update-ref", "HEAD", "refs/remotes/origin/HEAD")
            cloned, fetched = False, _objects_bytes(dest) - before
        else:
            _sweep(dest.parent, dest.name)
            _remove(dest)  # a half-done entry
            tmp = dest.with_name(f".tmp-{dest.name}-{uuid.uuid4().hex[:8]}")
            try:
                _git(["clone", "-q", "--filter=blob:none", "--no-checkout", clone_url, str(tmp)], env)
                # no working tree, so git would not see .mailmap: read it from the commit (as bare repos do)
                run_git(tmp, "config", "mailmap.blob", "HEAD:.mailmap")
                if head_commit(tmp) is None:
                    raise GitError(f"git clone of {clean_url(clone_url)} gave no commit at HEAD")
                os.replace(tmp, dest)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            set_credentials(dest, env)
            cloned, fetched = True, _objects_bytes(dest)
        head = run_git(dest, "rev-parse", "HEAD").decode().strip()
    return Synced(dest, head, cloned, max(0, fetched))
