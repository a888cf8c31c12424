"""Small, safe wrappers around the git command line (bulk plumbing is faster than GitPython)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

GIT_ENV = {
    # Never prompt, never read the user's or system's config hooks/pagers, stable output.
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "LC_ALL": "C",
    "GIT_CONFIG_NOSYSTEM": "1",
}


class GitError(RuntimeError):
    pass


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_ENV)
    return env


def run_git(repo: Path, *args: str, check: bool = True, timeout: float = 120) -> bytes:
    cmd = ["git", "-C", str(repo), "-c", "core.quotepath=off", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, env=git_env(), timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {args[0]} failed: {type(exc).__name__}") from None
    if check and proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {redact(err[-1] if err else 'exit ' + str(proc.returncode))}")
    return proc.stdout


def is_git_repo(path: Path) -> bool:
    if not (path / ".git").exists():
        return False
    try:
        out = run_git(path, "rev-parse", "--show-toplevel", timeout=20).decode().strip()
    except GitError:
        return False
    return Path(out).resolve() == path.resolve()


def head_commit(repo: Path) -> str | None:
    try:
        return run_git(repo, "rev-parse", "--verify", "-q", "HEAD^{commit}").decode().strip() or None
    except GitError:
        return None


def read_blobs(repo: Path, shas: Iterable[str], max_bytes: int) -> Iterator[tuple[str, bytes | None]]:
    """Stream blob contents through one `git cat-file --batch` process. Blobs larger than
    `max_bytes` are not read (None). Only objects named by sha are read: nothing is checked out."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return
    proc = subprocess.Popen(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=git_env(),
    )
    assert proc.stdin and proc.stdout
    import threading

    def feed() -> None:
        assert proc.stdin
        try:
            for sha in wanted:
                proc.stdin.write(sha.encode() + b"\n")
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for sha in wanted:
            header = proc.stdout.readline()
            if not header:
                break
            fields = header.split()
            if len(fields) < 3 or fields[1] == b"missing":
                yield sha, None
                continue
            size = int(fields[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)  # trailing newline
            yield sha, (data if size <= max_bytes else None)
    finally:
        writer.join(timeout=5)
        proc.stdout.close()
        proc.wait(timeout=30)


_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_TOKENISH = re.compile(r"(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})")


def redact(text: str) -> str:
    """Remove credentials from URLs and token-looking strings in messages."""
    return _TOKENISH.sub("***", _USERINFO.sub("", text))


def remote_web_url(repo: Path) -> str | None:
    """The browsable https URL of `origin` when it is a GitHub-like remote, without credentials."""
    try:
        url = run_git(repo, "config", "--get", "remote.origin.url", check=False).decode().strip()
    except GitError:
        return None
    return web_url(url)


def repo_key(url: str) -> str:
    """A repository's identity across URL forms: `git@github.com:acme/churn.git` -> `github.com/acme/churn`."""
    web = web_url(url) or _USERINFO.sub("", url)  # never a password in a key (it names the cache folder)
    key = re.sub(r"^[a-z+]+://", "", web.strip()).removesuffix("/").removesuffix(".git")
    return key.lower()


def web_url(url: str) -> str | None:
    if not url:
        return None
    url = _USERINFO.sub("", url)
    m = re.match(r"^(?:ssh://)?git@([^:/]+)[:/](.+?)(?:\.git)?/?$", url)
    if m:
        return f"https://{m.group(1)}/{m.group(2)}"
    m = re.match(r"^https?://([^/]+)/(.+?)(?:\.git)?/?$", url)
    if m:
        return f"https://{m.group(1)}/{m.group(2)}"
    return None


def is_partial_clone(repo: Path) -> bool:
    """A clone made with --filter (blobs fetched on demand from the promisor remote)."""
    try:
        return run_git(repo, "config", "--get", "remote.origin.promisor", check=False).strip() == b"true"
    except GitError:
        return False


def prefetch_blobs(repo: Path, commit: str, shas: Iterable[str]) -> int:
    """Fetch the missing ones of `shas` (blobs of `commit`) in ONE `git fetch`, instead of one lazy
    fetch per object. Returns how many were missing."""
    wanted = set(shas)
    listing = run_git(repo, "rev-list", "--objects", "--missing=print", "--no-walk", commit, timeout=300)
    missing = [line[1:41] for line in listing.decode().splitlines() if line.startswith("?") and line[1:41] in wanted]
    if missing:
        cmd = ["git", "-C", str(repo), "-c", "fetch.negotiationAlgorithm=noop", "fetch", "-q", "--no-tags"]
        cmd += ["--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none", "--stdin", "origin"]
        proc = subprocess.run(
            cmd, input="\n".join(missing).encode(), capture_output=True, env=git_env(), timeout=600, check=False
        )
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git fetch of {len(missing)} blobs failed: {redact(err[-1] if err else '')}")
    return len(missing)
