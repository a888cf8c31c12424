"""Small, safe wrappers around the git command line (bulk plumbing is faster than GitPython).

Every git process runs in its own process group and is tracked, so `terminate_children()` (called on
SIGTERM) ends it with its helpers (remote-https, index-pack). Credentials of a cloned repo are given to
its git processes only, through their environment (`set_credentials`), never through argv or files.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from scanner.facts.urls import redact, web_url

GIT_ENV = {
    # Never prompt, never read the user's or system's config hooks/pagers, stable output.
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "LC_ALL": "C",
    "GIT_CONFIG_NOSYSTEM": "1",
}
ERROR_LINES, ERROR_CHARS = 4, 500  # the tail of git's stderr kept in an error message


class GitError(RuntimeError):
    pass


_lock = threading.RLock()  # re-entrant: terminate_children may run in a signal handler
_children: set[subprocess.Popen[bytes]] = set()
_stopping = False
_credentials: dict[str, dict[str, str]] = {}  # resolved repo path -> GIT_CONFIG_* entries


def _repo_id(repo: Path) -> str:
    return str(repo.resolve())


def set_credentials(repo: Path, config: dict[str, str]) -> None:
    """Give `repo`'s later git processes (fetches, lazy blob fetches) these `GIT_CONFIG_*` entries."""
    with _lock:
        if config:
            _credentials[_repo_id(repo)] = dict(config)
        else:
            _credentials.pop(_repo_id(repo), None)


def add_config(env: dict[str, str], config: dict[str, str]) -> dict[str, str]:
    """`env` plus the `GIT_CONFIG_KEY_i`/`VALUE_i` pairs of `config` (numbered from 0), appended after
    any the environment already holds."""
    count = int(config.get("GIT_CONFIG_COUNT", "0") or 0)
    if not count:
        return env
    try:
        base = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
    except ValueError:
        base = 0
    for i in range(count):
        env[f"GIT_CONFIG_KEY_{base + i}"] = config[f"GIT_CONFIG_KEY_{i}"]
        env[f"GIT_CONFIG_VALUE_{base + i}"] = config[f"GIT_CONFIG_VALUE_{i}"]
    env["GIT_CONFIG_COUNT"] = str(base + count)
    return env


def git_env(repo: Path | None = None, config: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of one git process: ours, plus `repo`'s credentials and `config` entries."""
    env = dict(os.environ)
    env.update(GIT_ENV)
    if repo is not None and _credentials:
        with _lock:
            stored = _credentials.get(_repo_id(repo))
        if stored:
            add_config(env, stored)
    if config:
        add_config(env, config)
    return env


def _spawn(cmd: list[str], env: dict[str, str], **kwargs: object) -> subprocess.Popen[bytes]:
    """Start a tracked git process in its own process group (refused once the run is ending)."""
    with _lock:
        if _stopping:
            raise GitError(f"git {_verb(cmd)} not started: the run is ending")
        proc = subprocess.Popen(cmd, env=env, process_group=0, **kwargs)  # type: ignore[call-overload]
        _children.add(proc)
    return proc


def _kill_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _release(proc: subprocess.Popen[bytes]) -> None:
    with _lock:
        _children.discard(proc)


def run_proc(
    cmd: list[str], env: dict[str, str], timeout: float, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run one git command to completion; on a timeout or any interruption its whole group is killed."""
    try:
        proc = _spawn(
            cmd,
            env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
        )
    except OSError as exc:
        raise GitError(f"git {_verb(cmd)} failed: {type(exc).__name__}") from None
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc, signal.SIGKILL)
        proc.communicate()
        raise GitError(f"git {_verb(cmd)} failed: timed out after {timeout:.0f} s") from None
    except BaseException:
        _kill_group(proc, signal.SIGKILL)
        proc.wait()
        raise
    finally:
        _release(proc)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def terminate_children(grace_s: float = 2.0) -> int:
    """End every running git process and its helpers (SIGTERM, then SIGKILL after `grace_s`), and refuse
    to start new ones. For the CLI's SIGTERM handler; returns how many were running."""
    global _stopping
    with _lock:
        _stopping = True
        running = [p for p in _children if p.poll() is None]
    for proc in running:
        _kill_group(proc, signal.SIGTERM)
    for proc in running:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace_s)
        _kill_group(proc, signal.SIGKILL)  # helpers that outlived their parent
    return len(running)


def allow_children() -> None:
    """Allow git processes again after `terminate_children` (tests; a long-lived caller)."""
    global _stopping
    with _lock:
        _stopping = False


def _verb(cmd: list[str]) -> str:
    """The git subcommand of a command line (`git -C X -c k=v fetch ...` -> fetch)."""
    args, i = cmd[1:], 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in ("-C", "-c") else 1
    return args[i] if i < len(args) else "command"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]|\x1b\[[0-9;?]*[A-Za-z]")


def git_error(what: str, stderr: bytes, returncode: int) -> str:
    """`git WHAT failed: ...` with the meaningful tail of git's stderr: its last few non-empty lines
    (progress lines dropped), redacted, without control characters, bounded in length."""
    text = stderr[-64 * 1024 :].decode("utf-8", "replace")
    lines = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = _CONTROL.sub("", raw.rsplit("\r", 1)[-1]).strip()  # a progress line keeps its last state
        if line and not re.match(r"^(remote: )?(Counting|Compressing|Receiving|Resolving|Enumerating)", line):
            lines.append(line)
    tail = redact(" | ".join(lines[-ERROR_LINES:]))
    if len(tail) > ERROR_CHARS:
        tail = "..." + tail[-(ERROR_CHARS - 3) :]
    return f"git {what} failed: {tail or f'exit {returncode}'}"


def run_git(repo: Path, *args: str, check: bool = True, timeout: float = 120) -> bytes:
    cmd = ["git", "-C", str(repo), "-c", "core.quotepath=off", *args]
    proc = run_proc(cmd, git_env(repo), timeout)
    if check and proc.returncode != 0:
        raise GitError(git_error(args[0], proc.stderr, proc.returncode))
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
    proc = _spawn(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        git_env(repo),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
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
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _kill_group(proc, signal.SIGKILL)
            proc.wait()
        _release(proc)


def remote_web_url(repo: Path) -> str | None:
    """The browsable https URL of `origin` when it is a GitHub-like remote, without credentials."""
    try:
        url = run_git(repo, "config", "--get", "remote.origin.url", check=False).decode().strip()
    except GitError:
        return None
    return web_url(url)


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
        proc = run_proc(cmd, git_env(repo), 600, stdin="\n".join(missing).encode())
        if proc.returncode != 0:
            raise GitError(git_error(f"fetch of {len(missing)} blobs", proc.stderr, proc.returncode))
    return len(missing)
