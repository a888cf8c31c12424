"""Building the repo index (scanner.facts.repo_index.RepoIndex) of a local repository: the tree at HEAD
through git, or a plain folder from the file system (the reading itself lives in `repo_reader`)."""

from __future__ import annotations

from pathlib import Path

from scanner.collectors import gitcli
from scanner.collectors.repo_reader import read_folder, read_git
from scanner.facts.notebooks import NotebookError, read_notebook
from scanner.facts.repo_index import RepoIndex, Skipped


# building ------------------------------------------------------------------------------------
def build_index(root: Path, name: str | None = None) -> RepoIndex:
    """Index a local repository (at HEAD) or, failing that, a plain folder."""
    root = root.resolve()
    name = name or root.name
    commit = _head(root) if (root / ".git").exists() else None
    if commit:
        files, texts, skipped = read_git(root, commit)
        index = RepoIndex(root, name, files, texts, skipped, commit, gitcli.remote_web_url(root))
    else:
        files, texts, skipped = read_folder(root)
        index = RepoIndex(root, name, files, texts, skipped)
    _skip_malformed_notebooks(index)
    return index


class NoCommits(Exception):
    """A git repository whose HEAD has no commit yet: nothing was committed, so nothing to assess."""


class UnreadableRepo(Exception):
    """A git repository git cannot read (corrupt object store, broken `.git`): never read from the working
    tree instead, which would cite untracked files as evidence."""


def _head(root: Path) -> str:
    """The commit at HEAD of the repository at `root`, or NoCommits / UnreadableRepo."""
    if not gitcli.is_git_repo(root):
        raise UnreadableRepo(f"{root.name}/.git exists but git cannot read it (corrupt or dangling repository)")
    commit = gitcli.head_commit(root)
    if commit:
        return commit
    named = gitcli.run_git(root, "rev-parse", "-q", "--verify", "HEAD", check=False).decode().strip()
    branch = gitcli.run_git(root, "symbolic-ref", "-q", "HEAD", check=False).decode().strip()
    if not named and branch:
        raise NoCommits(f"no commits: HEAD names {branch}, which has no commit yet")
    raise UnreadableRepo(f"HEAD ({named or 'unresolvable'}) cannot be read: missing or corrupt git objects")


def _skip_malformed_notebooks(index: RepoIndex) -> None:
    """A notebook that is not nbformat 4 JSON is skipped whole, with the reason, so that it affects
    only itself (no probe sees its raw text); the good ones are parsed once here."""
    bad = []
    for path in [p for p in index._texts if p.endswith(".ipynb")]:
        try:
            index._nb[path] = read_notebook(index._texts[path])
        except NotebookError as exc:
            bad.append(Skipped(path, f"malformed notebook: {exc}"))
            del index._texts[path]
    if bad:
        index.skipped = sorted([*index.skipped, *bad], key=lambda s: s.path)
