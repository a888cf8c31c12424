"""Build the fixture repositories (fixtures/README.md) into real git repos with scripted histories: one
`git fast-import` run per repo, committer = author, dates pinned, controlled environment, so the shas are
the same on every machine. Used by the golden tests and by `aiops-scan demo`."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from scanner.yamlio import YamlError, load_yaml

ESTATE_NAME = "acme"
MARKER = "aiops-scan-fixture"  # written inside .git/ of every built repo: only those are ever replaced
RENAMES = {"gitignore": ".gitignore", "gitattributes": ".gitattributes"}  # stored undotted in tree/
MODE_FILE, MODE_EXEC, MODE_LINK = "100644", "100755", "120000"
_IDENTITY = re.compile(r"^[^<>\n]+ <[^<>\s]+>$")
_TAG_NAME = re.compile(r"^(?!.*\.\.)[A-Za-z0-9][\w.@#+/-]*$")
_BAD_PATH = re.compile(r'^[/"]|\\|\n|(^|/)(\.{0,2}|\.git)(/|$)')
_TOP_KEYS = {"description", "authors", "commits", "tags", "generated"}
_GENERATED_KEYS = {"path", "kind", "commit", "size", "header", "line", "text", "target"}
Key = tuple[str | int, ...]
Blob = tuple[str, bytes]  # (git file mode, content)
Files = dict[str, Blob]


class FixtureError(ValueError):
    """A fixture is malformed or could not be built; the message names the file and key path."""


def _blob(data: bytes) -> Blob:
    """Files starting with a shebang are executable; everything else is 100644 on every machine."""
    return (MODE_EXEC if data.startswith(b"#!") else MODE_FILE), data


def _emit(out: bytearray, command: str, payload: bytes | None = None) -> None:
    """Append a fast-import command, and its data block when there is a payload."""
    out.extend(command.encode() + (b"" if payload is None else b"data %d\n%s\n" % (len(payload), payload)))


class _Spec:
    """A loaded history.yml whose errors read `.../history.yml:12: commits[3].author: unknown author`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.doc = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise FixtureError(f"{path}: cannot read: {exc}") from None
        except YamlError as exc:
            raise FixtureError(f"{path}:{exc.line or '?'}: invalid YAML: {exc}") from None

    def fail(self, key: Key, message: str) -> NoReturn:
        where = "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if i else k) for i, k in enumerate(key))
        line = self.doc.line(key)
        raise FixtureError(f"{self.path}{f':{line}' if line else ''}: {where or '(top)'}: {message}")

    def mapping(self, value: Any, key: Key, allowed: set[str], required: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, f"expected a mapping, got {value!r}")
        for name in sorted(set(value) - allowed):
            self.fail((*key, name), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for name in sorted(required - set(value)):
            self.fail(key, f"missing key '{name}'")
        return value

    def typed(self, value: Any, key: Key, kind: type, what: str) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)) or value == []:
            self.fail(key, f"expected {what}, got {value!r}")
        return value

    def items(self, value: Any, key: Key) -> list[Any]:
        return [] if value is None else list(self.typed(value, key, list, "a list"))

    def index(self, value: Any, key: Key, count: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < count:
            self.fail(key, f"expected a commit index from 0 to {count - 1}, got {value!r}")
        return value

    def path_of(self, value: Any, key: Key) -> str:
        path = str(self.typed(value, key, str, "a repo-relative path"))
        if _BAD_PATH.search(path):
            self.fail(key, f"not a clean repo-relative path: {path!r}")
        return path

    def when(self, value: Any, key: Key) -> tuple[int, str]:
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        except ValueError:
            moment = None
        if not isinstance(moment, datetime) or moment.utcoffset() is None:
            self.fail(key, f"expected an ISO 8601 date-time with a timezone (2026-03-02T09:30:00+01:00), got {value!r}")
        return int(moment.timestamp()), f"{int(moment.timestamp())} {moment.strftime('%z')}"  # (epoch, git raw date)


def _tree(spec: _Spec, tree: Path) -> Files:
    files: Files = {}
    for path in sorted(tree.rglob("*")):
        if path.is_symlink():
            spec.fail(("generated",), f"symlink in tree/ ({path}): declare symlinks under generated")
        if path.is_file():
            parent, _, name = path.relative_to(tree).as_posix().rpartition("/")
            files[f"{parent}/{RENAMES.get(name, name)}".lstrip("/")] = _blob(path.read_bytes())
    return files


def _generate(spec: _Spec, key: Key, path: str, g: dict[str, Any]) -> Blob:
    if g["kind"] == "symlink":
        return MODE_LINK, spec.typed(g.get("target"), (*key, "target"), str, "a link target").encode()
    if g["kind"] == "latin1":
        data = spec.typed(g.get("text"), (*key, "text"), str, "the text to encode").encode("latin-1", "replace")
        if data.isascii():
            spec.fail((*key, "text"), "has no non-ASCII character (such as é): it would be valid UTF-8")
        return _blob(data)
    if g["kind"] not in ("binary", "text"):
        spec.fail((*key, "kind"), f"unknown kind {g['kind']!r} (known: text, binary, latin1, symlink)")
    size = spec.typed(g.get("size"), (*key, "size"), int, "a size in bytes")
    header = g.get("header", "")
    if not isinstance(header, str) or size <= len(header.encode()):
        spec.fail((*key, "header"), f"expected a string shorter than size, got {header!r}")
    text = bytearray(header.encode())
    if g["kind"] == "binary":  # deterministic noise with NUL bytes from the start: git and the scanner see binary
        noise = bytearray(hashlib.shake_256(path.encode()).digest(size - len(text)))
        noise[::512] = bytes(len(noise[::512]))
        return MODE_FILE, bytes(text + noise)
    line, rows = spec.typed(g.get("line", "{n}"), (*key, "line"), str, "a line template with {n}"), itertools.count(1)
    while len(text) < size:
        text += line.replace("{n}", str(next(rows))).encode() + b"\n"
    return MODE_FILE, bytes(text[: size - 1]) + b"\n"


def _generated(spec: _Spec, raw: Any, count: int, tree: Files) -> dict[str, tuple[int, Blob]]:
    out: dict[str, tuple[int, Blob]] = {}
    for i, item in enumerate(spec.items(raw, ("generated",))):
        key: Key = ("generated", i)
        g = spec.mapping(item, key, _GENERATED_KEYS, {"path", "kind"})
        path = spec.path_of(g["path"], (*key, "path"))
        if path in out or path in tree:
            spec.fail((*key, "path"), f"{path!r} is generated twice or also in tree/")
        out[path] = (spec.index(g.get("commit", count - 1), (*key, "commit"), count), _generate(spec, key, path, g))
    return out


def _file_entry(spec: _Spec, entry: Any, key: Key, tree: Files) -> tuple[str, Blob]:
    """A path (its tree/ version), {path, content} or {path, lines: N} (an earlier version)."""
    m = spec.mapping({"path": entry} if isinstance(entry, str) else entry, key, {"path", "content", "lines"}, {"path"})
    path = spec.path_of(m["path"], (*key, "path") if isinstance(entry, dict) else key)
    if "content" in m and "lines" not in m:
        return path, _blob(spec.typed(m["content"], (*key, "content"), str, "the file's text").encode())
    if path not in tree:
        spec.fail(key, f"{path!r} is not in tree/ (give an earlier version inline with content)")
    if "lines" not in m:
        return path, tree[path]
    lines = tree[path][1].splitlines(keepends=True)
    n = spec.typed(m["lines"], (*key, "lines"), int, "a line count")
    if "content" in m or not 0 < n < len(lines):
        spec.fail((*key, "lines"), f"use either content or lines, 0 < lines < {len(lines)} (the tree/ version)")
    return path, (tree[path][0], b"".join(lines[:n]))


def _changes(spec: _Spec, c: dict[str, Any], key: Key, tree: Files, state: Files) -> dict[str, Blob | None]:
    """The files a commit writes (tree/ or earlier versions) and deletes."""
    changes: dict[str, Blob | None] = {}
    for j, entry in enumerate(spec.items(c.get("files"), (*key, "files"))):
        path, blob = _file_entry(spec, entry, (*key, "files", j), tree)
        if path in changes or state.get(path) == blob:
            spec.fail((*key, "files", j), f"{path!r} is listed twice or unchanged since its previous commit")
        changes[path] = blob
    for j, entry in enumerate(spec.items(c.get("delete"), (*key, "delete"))):
        path = spec.path_of(entry, (*key, "delete", j))
        if path not in state or path in changes:
            spec.fail((*key, "delete", j), f"{path!r} does not exist before this commit")
        changes[path] = None
    return changes


def _commits(spec: _Spec, top: dict[str, Any], authors: dict[str, str], out: bytearray) -> list[tuple[str, int, str]]:
    """Validate the commits, write them to the stream `out`; return (author, epoch, date) per commit."""
    tree = _tree(spec, spec.path.parent / "tree")
    items = spec.items(top["commits"], ("commits",))  # an empty list is an error too
    generated = _generated(spec, top.get("generated"), len(items), tree)
    state: Files = {}
    origin: dict[str, Key] = {}
    stamps: list[tuple[str, int, str]] = []
    for i, item in enumerate(items):
        key: Key = ("commits", i)
        fields = {"author", "date", "message", "co_authors", "files", "delete"}
        c = spec.mapping(item, key, fields, {"author", "date", "message"})
        if (who := authors.get(str(c["author"]))) is None:
            spec.fail((*key, "author"), f"unknown author {c['author']!r} (known: {', '.join(authors)})")
        epoch, when = spec.when(c["date"], (*key, "date"))
        if stamps and epoch < stamps[-1][1]:
            spec.fail((*key, "date"), "earlier than the previous commit")
        message = spec.typed(c["message"], (*key, "message"), str, "a message").strip() + "\n"
        co_authors = [authors.get(str(w), str(w)) for w in spec.items(c.get("co_authors"), (*key, "co_authors"))]
        if not all(_IDENTITY.match(ident) for ident in co_authors):
            spec.fail((*key, "co_authors"), f"expected author keys or 'Name <email>', got {co_authors!r}")
        message += "\n" + "".join(f"Co-authored-by: {ident}\n" for ident in co_authors) if co_authors else ""
        changes = _changes(spec, c, key, tree, state)
        origin.update({path: (*key, "files") for path in changes})
        changes.update({p: blob for p, (at, blob) in generated.items() if at == i})
        if i == len(items) - 1:  # the last commit completes tree/
            changes.update({p: b for p, b in tree.items() if p not in changes and state.get(p) != b})
        stamps.append((who, epoch, when))
        head = f"{who} {when}"
        _emit(out, f"commit refs/heads/main\nmark :{i + 1}\nauthor {head}\ncommitter {head}\n", message.encode())
        for path, blob in sorted(changes.items()):
            _emit(out, f"D {path}\n" if blob is None else f"M {blob[0]} inline {path}\n", blob and blob[1])
        state = {path: blob for path, blob in {**state, **changes}.items() if blob is not None}
    expected = {**tree, **{path: blob for path, (_, blob) in generated.items()}}
    for path in sorted(set(state) | set(expected)):
        if state.get(path) != expected.get(path):
            spec.fail(origin.get(path, ("commits",)), f"{path!r} does not end as in tree/: update or delete it later")
    return stamps


def _tags(spec: _Spec, raw: Any, stamps: list[tuple[str, int, str]], out: bytearray) -> None:
    """Validate the tags and write them to the fast-import stream (the tagger is the commit's author)."""
    items = spec.items(raw, ("tags",))
    for i, item in enumerate(items):
        key: Key = ("tags", i)
        t = spec.mapping(item, key, {"name", "commit", "annotated", "date", "message"}, {"name", "commit"})
        name = spec.typed(t["name"], (*key, "name"), str, "a tag name")
        if not _TAG_NAME.match(name) or name in [earlier["name"] for earlier in items[:i]]:
            spec.fail((*key, "name"), f"invalid or duplicate tag name {name!r}")
        mark = spec.index(t["commit"], (*key, "commit"), len(stamps)) + 1
        author, epoch, when = stamps[mark - 1]
        if not spec.typed(t.get("annotated", False), (*key, "annotated"), bool, "true or false"):
            if {"date", "message"} & set(t):
                spec.fail(key, "only annotated tags have a date or message")
            _emit(out, f"reset refs/tags/{name}\nfrom :{mark}\n\n")
            continue
        if "date" in t:
            tagged, when = spec.when(t["date"], (*key, "date"))
            if tagged < epoch:
                spec.fail((*key, "date"), "earlier than the tagged commit")
        message = spec.typed(t.get("message", name), (*key, "message"), str, "a message").strip() + "\n"
        _emit(out, f"tag {name}\nfrom :{mark}\ntagger {author} {when}\n", message.encode())


def fast_import_stream(fixture_dir: Path) -> bytes:
    """Validate `fixture_dir/history.yml` and `tree/`; return the history as a `git fast-import` stream."""
    spec = _Spec(fixture_dir / "history.yml")
    top = spec.mapping(spec.doc.data, (), _TOP_KEYS, {"authors", "commits"})
    authors: dict[str, str] = {}
    for name, value in spec.typed(top["authors"], ("authors",), dict, "a mapping of author keys").items():
        a = spec.mapping(value, ("authors", name), {"name", "email"}, {"name", "email"})
        authors[name] = f"{a['name']} <{a['email']}>"
        if not _IDENTITY.match(authors[name]):
            spec.fail(("authors", name), f"invalid identity {authors[name]!r}")
    out = bytearray()
    stamps = _commits(spec, top, authors, out)
    _tags(spec, top.get("tags"), stamps, out)
    return bytes(out + b"done\n")


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}  # no GIT_DIR from a hook
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    proc = subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        raise FixtureError(f"{repo}: git {args[0]} failed: {proc.stderr.decode('utf-8', 'replace').strip()}")


def clear_built(path: Path, ours: bool) -> None:
    """Delete `path` if it is empty or was built here; refuse anything else."""
    if path.is_symlink() or (path.exists() and not (path.is_dir() and (ours or not any(path.iterdir())))):
        raise FixtureError(f"refusing to replace {path}: it exists and was not built from fixtures")
    if path.exists():
        shutil.rmtree(path)


def build_repo(fixture_dir: Path, dest: Path) -> Path:
    """Build `fixture_dir` into the git repo `dest/<fixture name>` (rebuilt if it exists); return its path."""
    stream = fast_import_stream(fixture_dir)
    repo = dest / fixture_dir.name
    clear_built(repo, (repo / ".git" / MARKER).is_file())
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main", "--template=")
    _git(repo, "fast-import", "--quiet", "--done", "--date-format=raw", stdin=stream)
    _git(repo, "reset", "-q", "--hard")
    (repo / ".git" / MARKER).write_text(f"{fixture_dir.name}\n", encoding="utf-8")
    return repo


def build_estate(fixtures_root: Path, dest: Path, names: list[str] | None = None, *, estate: str = ESTATE_NAME) -> Path:
    """Build fixtures `names` (default: all) into a recreated `dest/<estate>/<name>/`; return `dest/<estate>`."""
    root = dest / estate
    clear_built(root, root.is_dir() and all((p / ".git" / MARKER).is_file() for p in root.iterdir()))
    root.mkdir(parents=True)
    for name in sorted(p.parent.name for p in fixtures_root.glob("*/history.yml")) if names is None else names:
        build_repo(fixtures_root / name, root)
    return root
