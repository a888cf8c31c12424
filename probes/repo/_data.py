"""Shared helpers for the data-management and infrastructure repo probes (data_*.py, infra_*.py).

Everything here reads the RepoIndex only. Code is searched in its source form: notebooks through their
code cells (outputs and markdown are ignored), other files as text with comment-only lines skipped.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from scanner.facts.paths import DOCS, PRACTICE_KINDS, file_name, match_glob
from scanner.facts.paths import parent_dir as parent_dir  # re-exported: the data probes' helper
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import need
from scanner.views import Views
from scanner.yamlio import YamlDoc

NOTEBOOK = ".ipynb"
OWN_KINDS = PRACTICE_KINDS | {DOCS}  # the org's files, prose included (for policy docs, dbt docs blocks)
COMMENT_LINE = re.compile(r"^\s*(#|--|//|/\*|\*|REM\b)")
PLACEHOLDER = re.compile(
    r"<[^>]*>|\$\{[^}]*\}|\$\(|\{\{|\}\}|%\(|^\$[A-Za-z_]|^%[A-Za-z_]+%$|changeme|change[-_]?me|example|"
    r"xxx|\*{3}|\.\.\.|your[-_ ]|placeholder|redacted|dummy|fake|sample|mock|todo|replace|insert[-_ ]|"
    r"^(?:password|passwd|pass|pwd|secret|none|null|nil|test\w*|admin|root|user(?:name)?|string|value|token|"
    r"key|default|empty|foo|bar|abc123|123456|my[-_]?\w*)$",
    re.IGNORECASE,
)


def unavailable_all(views: Views, signals: Iterable[str]) -> list[Finding]:
    return need(views, signals, views, "repo")


def is_placeholder(value: str) -> bool:
    """Template tokens, env references and stock filler values are intent, not real configuration."""
    value = value.strip().strip("'\"")
    return not value or bool(PLACEHOLDER.search(value))


def is_notebook(path: str) -> bool:
    return path.endswith(NOTEBOOK)


def source_of(index: RepoIndex, path: str) -> str | None:
    """The code of a file: a notebook's code cells, otherwise the file text."""
    if is_notebook(path):
        code = index.notebook(path)
        return code.source if code is not None else None
    return index.text(path)


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    text: str  # the whole line, stripped
    match: str = ""  # the matched text (it may span lines)


TRIPLE = re.compile(r"\"\"\"|'''")
CONTINUED = tuple("([{,=+\\")


def doc_spans(text: str) -> list[tuple[int, int]]:
    """Spans of bare triple-quoted strings in Python source, in order: docstrings and comment-strings
    (a string that starts its line and does not continue an expression). SQL in them is documentation."""
    spans = []
    i = 0
    while m := TRIPLE.search(text, i):
        end = text.find(m.group(0), m.end())
        if end < 0:
            break
        start = text.rfind("\n", 0, m.start()) + 1
        k = start - 1
        while k >= 0 and text[k] in " \t\r\n":
            k -= 1
        if text[start : m.start()].strip().lower() in ("", "r", "u", "b", "f") and (k < 0 or text[k] not in CONTINUED):
            spans.append((m.start(), end))
        i = end + 3
    return spans


def in_spans(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether `pos` falls inside one of the ordered, non-overlapping `spans`."""
    i = bisect.bisect_right(spans, (pos, math.inf)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def grep_code(
    index: RepoIndex, pattern: str | re.Pattern[str], paths: Iterable[str], *, words: tuple[str, ...] = ()
) -> list[Hit]:
    """Matches of `pattern` over the code of `paths`, one per line, at the line where each starts.
    Comment lines and Python docstrings are skipped. `words` are lower-case literals of which every
    match contains one: the regex then runs only around their occurrences (a large speed-up)."""
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    regex = re.compile(regex.pattern, regex.flags | re.MULTILINE)
    out: list[Hit] = []
    for path in paths:
        text = source_of(index, path)
        if not text:
            continue
        spans: list[tuple[int, int]] | None = None
        seen = -1
        for a, b in _windows(text, words) if words else [(0, len(text))]:
            for m in regex.finditer(text, a, b):
                pos = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
                start = text.rfind("\n", 0, pos) + 1
                end = text.find("\n", pos)
                line = text[start : end if end >= 0 else len(text)]
                if start <= seen or COMMENT_LINE.match(line):
                    continue
                if path.endswith((".py", NOTEBOOK)):
                    spans = doc_spans(text) if spans is None else spans
                    if in_spans(spans, pos):
                        continue
                seen = start
                out.append(Hit(path, text.count("\n", 0, start) + 1, line.strip(), m.group(0)[:500]))
    return out


def _windows(text: str, words: tuple[str, ...], context: int = 2) -> list[tuple[int, int]]:
    """Merged spans of the lines around each occurrence of `words` (case-insensitive)."""
    low = text.lower()
    spans = []
    for word in words:
        i = low.find(word)
        while i >= 0:
            a = b = i
            for _ in range(context + 1):
                a = text.rfind("\n", 0, max(a - 1, 0)) + 1 if a else 0
            for _ in range(context + 1):
                b = text.find("\n", b + 1) if b >= 0 else -1
            spans.append((a, b if b >= 0 else len(text)))
            i = low.find(word, i + len(word))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def loc(index: RepoIndex, path: str, line: int | None, snippet: str | None = None) -> Location:
    """A location; for notebooks the index names the cell in the snippet."""
    return index.location(path, line, snippet)


def hit_locs(index: RepoIndex, hits: Iterable[Hit]) -> list[Location]:
    return [loc(index, h.path, h.line, h.text) for h in hits]


def code_confidence(paths: Iterable[str]) -> str:
    """Evidence only in notebooks is lab practice (low); in modules or config it is medium."""
    paths = list(paths)
    return "low" if paths and all(is_notebook(p) for p in paths) else "medium"


def yaml_docs(index: RepoIndex, paths: Iterable[str]) -> Iterator[tuple[str, YamlDoc]]:
    """Every parsed YAML document (mapping at the top) of `paths`; malformed files are skipped."""
    for path in paths:
        for doc in index.yaml(path).docs:
            if isinstance(doc.data, dict):
                yield path, doc


def walk(data: Any, keypath: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every (keypath, value) pair of nested dicts and lists, the root included."""
    yield keypath, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*keypath, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from walk(value, (*keypath, i))


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def under(path: str, root: str) -> bool:
    return not root or path.startswith(root.rstrip("/") + "/")


# CODEOWNERS --------------------------------------------------------------------------------------
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class OwnerRule:
    pattern: str
    owners: tuple[str, ...]
    path: str
    line: int

    @property
    def catch_all(self) -> bool:
        return self.pattern in ("*", "/*", "**", "/**")


def codeowners(index: RepoIndex) -> list[OwnerRule]:
    """Rules of the first CODEOWNERS file GitHub would use (.github/, root, docs/)."""
    for path in CODEOWNERS_PATHS:
        text = index.text(path)
        if text is None:
            continue
        rules = []
        for n, raw in enumerate(text.splitlines(), 1):
            parts = raw.split("#", 1)[0].split()
            if len(parts) >= 2:
                rules.append(OwnerRule(parts[0], tuple(parts[1:]), path, n))
        return rules
    return []


def owner_of(rules: list[OwnerRule], path: str) -> OwnerRule | None:
    """The last matching rule (CODEOWNERS is last-match-wins)."""
    found = None
    for rule in rules:
        if gitignore_match(rule.pattern, path):
            found = rule
    return found


def gitignore_match(pattern: str, path: str) -> bool:
    """gitignore-style matching (CODEOWNERS, .gitattributes), simplified: a pattern without an inner
    slash matches at any depth; a directory pattern matches everything below it."""
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    pat = pattern.strip("/")
    if pattern.endswith("/") or ("." not in file_name(pat) and "*" not in pat):
        pat = pat + "/**"
    if not anchored:
        pat = "**/" + pat
    return match_glob(path, pat) or match_glob(path, pat.removesuffix("/**"))
