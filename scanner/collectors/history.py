"""The history view: who changed what, and when, over a window ending at HEAD's commit date.

One `git log` process reads the window (mailmapped identities, Co-authored-by trailers, changed paths),
one `git for-each-ref` reads the tags. Bots, merge commits and generated/vendored paths (lockfiles
included) are left out. Each author gets a role: the domain (docs/model.md) holding the largest
share of the files they changed, project boilerplate ignored, unless `role_overrides` names one.
The window ends at the HEAD commit's date, not "now", so a repo with pinned dates always reads the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

from scanner.collectors import gitcli
from scanner.facts import roles
from scanner.facts.history import WINDOW_DAYS, Commit, History, HistoryError, Tag
from scanner.facts.paths import GENERATED, VENDORED, kind_in, vendored_packages
from scanner.facts.repo_index import RepoIndex
from scanner.facts.roles import file_domain, identity_key, is_bot

_FIELDS = ("%H", "%P", "%aN", "%aE", "%ae", "%at", "%ct", "%(trailers:key=Co-authored-by,valueonly,separator=%x1d)")
LOG_FORMAT = "%x1e" + "%x1f".join(_FIELDS) + "%x1f%s%x1f"
TAG_FIELDS = "refname:strip=2 objecttype objectname *objectname taggerdate:unix committerdate:unix *committerdate:unix"
TAG_FORMAT = "%1f".join(f"%({name})" for name in TAG_FIELDS.split())
LOG_FLAGS = "--no-merges --no-renames --root --name-status -z --no-show-signature"
_IGNORED_KINDS = frozenset({GENERATED, VENDORED})


# building ------------------------------------------------------------------------------------
def build_history(
    root: Path,
    *,
    window_days: int = WINDOW_DAYS,
    index: RepoIndex | None = None,
    role_overrides: Mapping[str, str] | None = None,
) -> History:
    """Read the history of the repository at `root`. Raises HistoryError when it cannot."""
    overrides = roles.normalize_overrides(role_overrides or {})
    root = root.resolve()
    if not gitcli.is_git_repo(root):
        raise HistoryError(f"{root.name}: not the top of a git repository")
    try:
        head, end = _head(root)
        start = end - timedelta(days=window_days)
        since = f"--since=@{int(start.timestamp())}"
        raw = gitcli.run_git(root, "log", *LOG_FLAGS.split(), f"--format={LOG_FORMAT}", since, head, "--")
        tags = _tags(gitcli.run_git(root, "for-each-ref", f"--format={TAG_FORMAT}", "refs/tags"))
        shallow = gitcli.run_git(root, "rev-parse", "--is-shallow-repository").strip() == b"true"
    except gitcli.GitError as exc:
        raise HistoryError(f"{root.name}: {exc}") from None
    parsed = _parse_log(raw, root, vendored_packages(index.files) if index else frozenset())
    if shallow and parsed.saw_root:
        raise HistoryError(f"{root.name}: shallow clone cut inside the {window_days}-day window (fetch full history)")
    files = {p for c in parsed.commits for p in c.files}
    domains = {p: file_domain(p, index) for p in sorted(files)}
    authors = roles.build_authors(parsed.commits, parsed.contacts, domains, overrides)
    return History(
        head=head,
        window_start=start,
        window_end=end,
        window_days=window_days,
        commits=parsed.commits,
        authors=MappingProxyType(authors),
        tags=tags,
        file_domains=MappingProxyType(domains),
        bot_commits=parsed.bots,
        ignored_changes=parsed.ignored,
        covers_start=parsed.saw_root,
        shallow=shallow,
        web_url=index.web_url if index is not None else gitcli.remote_web_url(root),
    )


def _head(root: Path) -> tuple[str, datetime]:
    sha = gitcli.head_commit(root)
    if sha is None:
        raise HistoryError(f"{root.name}: the repository has no commits")
    stamp = gitcli.run_git(root, "log", "-1", "--format=%ct", sha).decode().strip()
    return sha, datetime.fromtimestamp(int(stamp or "0"), UTC)


@dataclass
class _Parsed:
    commits: tuple[Commit, ...] = ()
    contacts: dict[str, tuple[str, str]] = field(default_factory=dict)  # identity key -> (name, email)
    bots: int = 0
    ignored: int = 0
    saw_root: bool = False


def _stamp(raw: str) -> datetime:
    return datetime.fromtimestamp(int(raw or "0"), UTC)


def _parse_log(raw: bytes, root: Path, vendored: frozenset[str] = frozenset()) -> _Parsed:
    """The commits of the log (`vendored`: third-party package folders at HEAD, whose changes are left out)."""
    out = _Parsed()
    commits: list[Commit] = []
    learned: dict[str, tuple[str, str]] = {}  # raw author email -> mailmapped (name, email)
    trailers: dict[int, list[str]] = {}  # commit position -> raw Co-authored-by contacts
    for record in raw.split(b"\x1e")[1:]:
        parts = record.decode("utf-8", "replace").split("\x1f", len(_FIELDS))
        if len(parts) <= len(_FIELDS):
            continue  # not a record of LOG_FORMAT
        sha, parents, name, email, raw_email, at, ct, co = parts[:8]
        subject, _, tail = parts[8].partition("\x1f")
        out.saw_root |= not parents.strip()
        if is_bot(name, email):
            out.bots += 1
            continue
        learned.setdefault(raw_email.lower(), (name, email))
        key = identity_key(name, email)
        out.contacts.setdefault(key, (name, email))
        files, added, deleted = _changes(tail, out, vendored)
        commits.append(
            Commit(sha, key, _stamp(at), _stamp(ct), subject.strip(), files, added, deleted, (), not parents.strip())
        )
        if co.strip():
            trailers[len(commits) - 1] = [t.strip() for t in co.split("\x1d") if t.strip()]
    mapped = _mailmap_contacts(root, {c for cs in trailers.values() for c in cs}, learned)
    for pos, contacts in trailers.items():
        keys: list[str] = []
        for name, email in (mapped[c] for c in contacts if c in mapped):
            key = identity_key(name, email)
            if not is_bot(name, email) and key != commits[pos].author and key not in keys:
                keys.append(key)
                out.contacts.setdefault(key, (name, email))
        commits[pos] = replace(commits[pos], co_authors=tuple(keys))
    out.commits = tuple(commits)
    return out


def _changes(
    tail: str, out: _Parsed, vendored: frozenset[str]
) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    items = tail.lstrip("\0\n").split("\0")
    files: list[str] = []
    added: set[str] = set()
    deleted: set[str] = set()
    for status, path in zip(items[::2], items[1::2], strict=False):
        if not path:
            continue
        if kind_in(path, vendored) in _IGNORED_KINDS:
            out.ignored += 1
            continue
        files.append(path)
        if status.startswith(("A", "D")):
            (added if status[0] == "A" else deleted).add(path)
    return tuple(files), frozenset(added), frozenset(deleted)


def _mailmap_contacts(
    root: Path, contacts: set[str], learned: dict[str, tuple[str, str]]
) -> dict[str, tuple[str, str]]:
    """Co-author contacts -> (name, email) through .mailmap: identities seen as authors are already
    mapped; the rest go through `git check-mailmap` when the repo has a .mailmap."""
    out: dict[str, tuple[str, str]] = {}
    unknown = []
    for contact in sorted(contacts):
        parsed = roles.parse_contact(contact)
        if parsed is None:
            continue
        name, email = parsed
        if email.lower() in learned:
            out[contact] = learned[email.lower()]
        else:
            out[contact] = (name, email)
            unknown.append(contact)
    if not unknown or not (root / ".mailmap").is_file():
        return out
    for i in range(0, len(unknown), 200):
        chunk = unknown[i : i + 200]
        try:
            lines = gitcli.run_git(root, "check-mailmap", *chunk).decode("utf-8", "replace").splitlines()
        except gitcli.GitError:
            break
        for contact, line in zip(chunk, lines, strict=False):
            out[contact] = roles.parse_contact(line) or out[contact]
    return out


def _tags(raw: bytes) -> tuple[Tag, ...]:
    out = []
    for line in raw.decode("utf-8", "replace").splitlines():
        fields = line.split("\x1f")
        if len(fields) != 7:
            continue
        name, otype, sha, peeled, tagger_date, commit_date, peeled_date = fields
        if otype == "tag" and peeled:
            stamp = tagger_date or peeled_date
            out.append(Tag(name, peeled, _stamp(stamp), annotated=True))
        elif otype == "commit":
            out.append(Tag(name, sha, _stamp(commit_date), annotated=False))
    return tuple(sorted(out, key=lambda t: (t.date, t.name)))


__all__ = ["build_history"]
