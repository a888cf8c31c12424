"""Reading a repository's files for the index: the tree at HEAD through git (ls-tree and one
cat-file --batch pass; blobs of a partial clone fetched in one batch), or a plain folder from the file
system. Reads are bounded: files over a size cap, binary files, undecodable text and symlinks leaving
the repo become `Skipped` entries with a reason; symlinks are never followed out of the repo."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path, PurePosixPath

from scanner.collectors import gitcli
from scanner.facts.paths import VENDORED, file_name, kind_in, path_kind, vendored_packages
from scanner.facts.repo_index import FileEntry, Skipped

MAX_FILE_BYTES = 1024 * 1024
MAX_NOTEBOOK_BYTES = 8 * 1024 * 1024

TEXT_EXTENSIONS = frozenset(  # file endings worth reading as text
    (
        "py ipynb yml yaml toml json jsonl cfg ini txt md rst sql tf tfvars hcl bicep sh bash ps1 js jsx "
        "ts tsx mjs cjs go java cs kt scala r j2 jinja jinja2 prompty prompt xml properties env conf cron "
        "timer dvc mdx html qmd rail co gradle sbt mk make dockerfile rb rake"
    ).split()
)
TEXT_NAMES = frozenset(
    {
        "Dockerfile",
        "Jenkinsfile",
        "Makefile",
        "CODEOWNERS",
        ".mailmap",
        "MLproject",
        "Procfile",
        ".gitlab-ci.yml",
        "requirements.txt",
        "Pipfile",
        ".env",
        ".env.example",
        ".env.sample",
        "config",
        "crontab",
        "MLmodel",
        "Containerfile",
        ".dvcignore",
        ".gitattributes",
        "Chart.yaml",
        "skprompt.txt",
        "Gemfile",
    }
)
FILE_MODE_SYMLINK = "120000"
FILE_MODE_SUBMODULE = "160000"


BINARY_EXTENSIONS = frozenset({"pyc", "pyo", "so", "dll", "exe", "whl", "zip", "gz", "png", "jpg", "pdf"})


def wants_text(path: str, kind: str | None = None) -> bool:
    """Whether a file is worth reading as text (`kind`: the path's kind, when known). Vendored copies are
    never read."""
    if (kind or path_kind(path)) == VENDORED:
        return False
    name = file_name(path)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in BINARY_EXTENSIONS:
        return False
    if name in TEXT_NAMES or name.startswith(("requirements", "Dockerfile", "Jenkinsfile", ".env")):
        return True
    return ext in TEXT_EXTENSIONS


def _decode(path: str, data: bytes) -> tuple[str | None, str | None]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # e.g. Windows tools' requirements.txt
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            return None, f"undecodable text (UTF-16 BOM, bad data at byte {exc.start})"
    if b"\x00" in data[:8192]:
        return None, "binary content"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, f"undecodable text (not UTF-8: byte {exc.start})"


def _cap(path: str) -> int:
    return MAX_NOTEBOOK_BYTES if path.endswith(".ipynb") else MAX_FILE_BYTES


Listing = tuple[dict[str, FileEntry], dict[str, str], list[Skipped]]


def read_git(root: Path, commit: str) -> Listing:
    """Files, texts and skipped entries of the tree at `commit`."""
    # In a partial (blobless) clone, object sizes would force a fetch of every blob: list without
    # them (size 0 until read) and fetch the blobs we read in one batch (gitcli.prefetch_blobs).
    partial = gitcli.is_partial_clone(root)
    raw = gitcli.run_git(root, "ls-tree", "-r", "-z", *(() if partial else ("-l",)), "--full-tree", commit)
    files: dict[str, FileEntry] = {}
    skipped: list[Skipped] = []
    to_read: dict[str, list[str]] = {}
    symlinks: dict[str, str] = {}
    records = []
    for record in raw.split(b"\0"):
        if record:
            meta, _, rawpath = record.partition(b"\t")
            records.append((meta.decode().split(), rawpath.decode("utf-8", "replace")))
    vendored = vendored_packages(path for _, path in records)
    for (mode, otype, sha, *rest), path in records:
        size = rest[0] if rest else "0"
        if mode == FILE_MODE_SUBMODULE or otype == "commit":
            skipped.append(Skipped(path, "git submodule (not the repo's own code; not followed)"))
            continue
        nbytes = int(size) if size.isdigit() else 0
        entry = FileEntry(path, nbytes, kind_in(path, vendored), sha)
        files[path] = entry
        if mode == FILE_MODE_SYMLINK:
            symlinks[path] = sha
            continue
        if wants_text(path, entry.kind):
            if nbytes > _cap(path):
                skipped.append(Skipped(path, f"too large to read ({nbytes} bytes > {_cap(path)})"))
            else:
                to_read.setdefault(sha, []).append(path)
    if partial:
        gitcli.prefetch_blobs(root, commit, [*symlinks.values(), *to_read])
    # Symlinks: follow only to a file inside the repo; the link text is the target.
    link_targets = dict(gitcli.read_blobs(root, symlinks.values(), 4096))
    for path, sha in symlinks.items():
        target = _resolve_link(path, (link_targets.get(sha) or b"").decode("utf-8", "replace"))
        if target is None:
            skipped.append(Skipped(path, "symlink pointing outside the repo (not followed)"))
            del files[path]
        elif target in files and target not in symlinks and files[target].blob and wants_text(path, files[path].kind):
            # only to a file: a link to a link (or to itself) would read the link text as the file
            to_read.setdefault(files[target].blob, []).append(path)
    texts: dict[str, str] = {}
    for sha, data in gitcli.read_blobs(root, to_read.keys(), MAX_NOTEBOOK_BYTES):
        for path in to_read[sha]:
            if data is None:
                skipped.append(Skipped(path, "unreadable (object missing or over the size cap)"))
                continue
            text, why = _decode(path, data)
            if text is None:
                skipped.append(Skipped(path, why or "unreadable"))
            else:
                texts[path] = text
                if partial:
                    files[path] = FileEntry(path, len(data), files[path].kind, files[path].blob)
    return files, texts, sorted(skipped, key=lambda s: s.path)


def _resolve_link(link_path: str, target: str) -> str | None:
    if not target or target.startswith("/"):
        return None
    parts: list[str] = list(PurePosixPath(link_path).parent.parts)
    for part in PurePosixPath(target).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts) if parts else None


def read_folder(root: Path) -> Listing:
    """Files, texts and skipped entries of a plain folder (no symlink is followed)."""
    files: dict[str, FileEntry] = {}
    texts: dict[str, str] = {}
    skipped: list[Skipped] = []
    vendored: frozenset[str] = frozenset()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        # top-down: a vendored package is known before any file under it
        folder = Path(dirpath).relative_to(root).as_posix()
        vendored |= vendored_packages(f"{folder}/{f}" for f in filenames)
        for d in sorted(dirnames):
            if (Path(dirpath) / d).is_symlink():
                skipped.append(Skipped((Path(dirpath) / d).relative_to(root).as_posix(), "symlink (not followed)"))
        dirnames[:] = sorted(d for d in dirnames if d != ".git" and not (Path(dirpath) / d).is_symlink())
        for fname in sorted(filenames):
            full = Path(dirpath) / fname
            rel = full.relative_to(root).as_posix()
            try:
                st = full.lstat()
            except OSError as exc:
                skipped.append(Skipped(rel, f"unreadable: {exc.strerror or type(exc).__name__}"))
                continue
            if stat.S_ISLNK(st.st_mode):
                skipped.append(Skipped(rel, "symlink (not followed)"))
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            files[rel] = FileEntry(rel, st.st_size, kind_in(rel, vendored))
            if not wants_text(rel, files[rel].kind):
                continue
            if st.st_size > _cap(rel):
                skipped.append(Skipped(rel, f"too large to read ({st.st_size} bytes > {_cap(rel)})"))
                continue
            try:
                data = full.read_bytes()
            except OSError as exc:
                skipped.append(Skipped(rel, f"unreadable: {exc.strerror or type(exc).__name__}"))
                continue
            text, why = _decode(rel, data)
            if text is None:
                skipped.append(Skipped(rel, why or "unreadable"))
            else:
                texts[rel] = text
    return files, texts, skipped
