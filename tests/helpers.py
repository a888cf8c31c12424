"""Test helpers: build real git repositories with pinned authors and dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scanner.collectors.indexer import build_index
from scanner.facts.repo_index import RepoIndex
from scanner.views import Views

DEFAULT_AUTHOR = ("Ada Lovelace", "ada@example.org")
DEFAULT_DATE = "2026-01-15T10:00:00+00:00"


def git(repo: Path, *args: str, author: tuple[str, str] = DEFAULT_AUTHOR, date: str = DEFAULT_DATE) -> str:
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME=author[0],
        GIT_AUTHOR_EMAIL=author[1],
        GIT_COMMITTER_NAME=author[0],
        GIT_COMMITTER_EMAIL=author[1],
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    out = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)
    return out.stdout.decode()


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_repo(
    tmp_path: Path,
    files: dict[str, str | bytes],
    *,
    name: str = "repo",
    author: tuple[str, str] = DEFAULT_AUTHOR,
    date: str = DEFAULT_DATE,
    message: str = "initial commit",
) -> Path:
    """A real git repo holding `files` in one commit."""
    root = tmp_path / name
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, author=author, date=date)
    return root


def commit(
    root: Path,
    files: dict[str, str | bytes],
    *,
    author: tuple[str, str] = DEFAULT_AUTHOR,
    date: str = DEFAULT_DATE,
    message: str = "change",
) -> None:
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message, author=author, date=date)


def index_of(tmp_path: Path, files: dict[str, str | bytes]) -> RepoIndex:
    return build_index(make_repo(tmp_path, files))


def repo_views(tmp_path: Path, files: dict[str, str | bytes]) -> Views:
    """Views with only the repo index, for repo-probe table tests."""
    return Views(subject="repo", repo=index_of(tmp_path, files))
