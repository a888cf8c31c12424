"""dbt artifacts committed in scanned repos (`target/manifest.json`, with catalog.json and
run_results.json beside it): such a repo gets its own catalog view, read from the blobs at HEAD (like
all repo evidence), so the catalog probes also run on it. Plain folders are read from disk."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from scanner.collectors.catalogs import dbt
from scanner.collectors.gitcli import GitError, run_git
from scanner.targets import Target

MANIFEST = re.compile(r"^(?:[^/]+/){0,2}target/manifest\.json$")
IGNORED = {"examples", "example", "tests", "site-packages", "node_modules", ".venv", "venv", "dbt_packages"}
ARTIFACTS = ("manifest.json", "catalog.json", "run_results.json")


def _tracked(root: Path) -> list[str] | None:
    """Regular files at HEAD (symlinks are blobs holding a path: never read as artifacts), or None when
    the folder is not a git repository with a commit."""
    try:
        raw = run_git(root, "ls-tree", "-r", "-z", "HEAD")
    except GitError:
        return None
    out = []
    for record in raw.split(b"\0"):
        meta, _, path = record.partition(b"\t")
        if meta.startswith((b"100644 blob", b"100755 blob")):
            out.append(path.decode("utf-8", "replace"))
    return out


def _inside(root: Path, rel: str) -> bool:
    """Whether `rel` is a regular file reached without crossing a symlink (none is followed out)."""
    here = root
    for part in PurePosixPath(rel).parts:
        here = here / part
        if here.is_symlink():
            return False
    return here.is_file()


def find_manifest(root: Path, git: bool) -> str | None:
    """The shallowest dbt manifest (depth-bounded), outside vendored or example folders."""
    on_disk = (p for d in range(3) for p in root.glob("*/" * d + "target/manifest.json"))  # depth-bounded
    paths = _tracked(root) if git else [r for p in on_disk if _inside(root, r := p.relative_to(root).as_posix())]
    found = [p for p in paths or [] if MANIFEST.match(p) and not IGNORED & set(PurePosixPath(p).parts)]
    return min(found, key=lambda p: (p.count("/"), p)) if found else None


def _read(root: Path, git: bool, folder: str, have: set[str]) -> Any:
    docs = {}
    for name in ARTIFACTS:
        rel = f"{folder}/{name}"
        if rel in have:
            raw = run_git(root, "cat-file", "blob", f"HEAD:{rel}") if git else (root / rel).read_bytes()
            docs[name] = dbt.parse(rel, raw)
    return dbt.from_documents(docs, (root / folder).resolve().as_uri() + "/")


def attach_dbt_artifacts(targets: list[Target]) -> None:
    for target in targets:
        if target.kind != "repo" or target.status != "ok" or target.path is None:
            continue
        root, git = target.path, target.info.get("git") is not False
        manifest = find_manifest(root, git)
        if manifest is None:
            continue
        folder = str(PurePosixPath(manifest).parent)
        wanted = [f"{folder}/{n}" for n in ARTIFACTS]
        present = (_tracked(root) or []) if git else [p for p in wanted if _inside(root, p)]
        have = set(wanted) & set(present)
        target.info["dbt_artifacts"] = folder

        def build(_index: Any, root: Path = root, git: bool = git, folder: str = folder, have: set[str] = have) -> Any:
            return _read(root, git, folder, have)

        target.view_builders["catalog"] = build
