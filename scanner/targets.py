"""Turning command-line targets into repos to scan: a repo, a folder of repos (an estate), or a plain
folder (indexed from the file system, without history)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.collectors.gitcli import is_git_repo


@dataclass
class Target:
    id: str
    kind: str  # repo | github_org | mlflow | catalog
    status: str = "ok"  # ok | error | skipped
    error: str = ""
    path: Path | None = None
    estate: str | None = None
    info: dict[str, Any] = field(default_factory=dict)
    # extra per-repo views (e.g. "github": the API facts of this repo), built from its index on demand
    view_builders: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    # a remote repo (e.g. from github:ORG): prepare(target, fingerprint) syncs its clone into `path` and
    # may return cached findings; finish(target, fingerprint, findings) records cost and caches
    remote: Any = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "status": self.status}
        if self.error:
            out["error"] = self.error
        if self.path is not None:
            out["path"] = str(self.path)
        if self.estate:
            out["estate"] = f"org:{self.estate}"
        out.update(self.info)
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Target:
        """A target back from the evidence JSON (`to_json`), for re-assessment: nothing to scan in it."""
        core = ("id", "kind", "status", "error", "path", "estate")
        estate = str(d["estate"]).removeprefix("org:") if d.get("estate") else None
        path = Path(d["path"]) if d.get("path") else None
        info = {k: v for k, v in d.items() if k not in core}
        return cls(d["id"], d["kind"], d["status"], d.get("error", ""), path, estate, info)


class UsageError(ValueError):
    pass


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _is_remote(spec: str) -> bool:
    return spec.startswith(("github:", "git@")) or "://" in spec


def check_local_targets(specs: list[str]) -> None:
    """A local target that does not exist or is not a folder is a usage error (a typo must not pass as a
    scan with one failed target): raised before anything is scanned."""
    for spec in specs:
        if _is_remote(spec):
            continue
        path = Path(spec).expanduser()
        if not path.exists():
            raise UsageError(f"{spec}: no such folder (a target is a repo, a folder of repos, a URL or github:ORG)")
        if not path.is_dir():
            raise UsageError(f"{spec}: not a folder (a target is a repo, a folder of repos, a URL or github:ORG)")


def resolve_targets(
    specs: list[str],
    remote: Callable[[str], list[Target]] | None = None,
    git_url: Callable[[str], Target] | None = None,
) -> list[Target]:
    """Local folders, `github:ORG[/REPO]` through `remote` (which lists and plans those repos), and git
    URLs through `git_url` (which plans a cached clone)."""
    targets: list[Target] = []
    taken: set[str] = set()
    remotes: dict[str, Target] = {}  # one target per clone folder: a repo under two URL spellings
    for spec in specs:
        if spec.startswith("github:") and remote is not None:
            for target in remote(spec):
                target.id = _unique(target.id, taken)
                targets.append(target)
            continue
        if git_url is not None and not spec.startswith("github:") and ("://" in spec or spec.startswith("git@")):
            target = git_url(spec)
            identity = getattr(target.remote, "identity", None)
            first = remotes.get(identity) if identity else None
            if first is not None:
                first.info.setdefault("also_given_as", []).append(target.info.get("source", target.id))
                continue
            if identity:
                remotes[identity] = target
            target.id = _unique(target.id, taken)
            targets.append(target)
            continue
        if spec.startswith("github:") or "://" in spec or spec.startswith("git@"):
            raise UsageError(f"{spec}: not a local folder; scan github:ORG or github:ORG/REPO, or clone it first")
        check_local_targets([spec])
        path = Path(spec).expanduser().resolve()
        if is_git_repo(path):
            targets.append(Target(_unique(path.name, taken), "repo", path=path))
            continue
        children = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
        repos = [c for c in children if is_git_repo(c)]
        if not repos:
            targets.append(Target(_unique(path.name, taken), "repo", path=path, info={"git": False}))
            continue
        for child in children:
            if child in repos:
                targets.append(Target(_unique(child.name, taken), "repo", path=child, estate=path.name))
            else:
                targets.append(
                    Target(
                        _unique(child.name, taken),
                        "repo",
                        "skipped",
                        "not a git repository",
                        path=child,
                        estate=path.name,
                    )
                )
    return targets
