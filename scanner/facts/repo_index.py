"""The repo index: one per repo, built once, shared by every probe.

It lists the files at HEAD (`git ls-tree`, so evidence cites a commit), reads the text files that
probes may need in one `git cat-file --batch` pass, and parses them lazily, once: Python (ast),
notebooks (code cells), YAML/TOML/JSON, and dependency manifests. Reads are bounded: files over a size
cap, binary files, undecodable text and symlinks leaving the repo become `skipped` entries with a
reason, never crashes. A folder that is not a git repo is indexed from the file system (no symlinks
followed at all). The reading itself lives in `scanner.collectors.repo_reader`, the building in
`scanner.collectors.indexer`; this module holds the index as probes see it (no I/O).
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from scanner.facts.notebooks import NotebookCode, notebook_code
from scanner.facts.paths import PRACTICE_KINDS, globs_regex
from scanner.facts.pyparse import parse_module
from scanner.facts.python_facts import TOOL_NAMESPACES, PyFacts, parse_python, without_namespaces
from scanner.facts.python_tables import PyTables
from scanner.model import Location
from scanner.textcap import clip_lines
from scanner.yamlio import YamlDoc, YamlError, load_yaml_all

T = TypeVar("T")
__all__ = ["FileEntry", "Match", "RepoIndex", "Skipped"]


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    kind: str  # see scanner.facts.paths
    blob: str = ""


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class Match:
    path: str
    line: int
    text: str


@dataclass
class ParsedYaml:
    docs: list[YamlDoc] = field(default_factory=list)
    error: str | None = None
    error_line: int | None = None


class RepoIndex:
    """Read-only view of one repository at one commit."""

    def __init__(
        self,
        root: Path,
        name: str,
        files: dict[str, FileEntry],
        texts: dict[str, str],
        skipped: list[Skipped],
        commit: str | None = None,
        web_url: str | None = None,
    ) -> None:
        self.root = root
        self.name = name
        self.files = files
        self._texts = texts
        self.skipped = skipped
        self.commit = commit
        self.web_url = web_url
        self._py: dict[str, PyFacts] = {}
        self._nb: dict[str, NotebookCode | None] = {}
        self._yaml: dict[str, ParsedYaml] = {}
        self._other: dict[str, Any] = {}
        self._kind_lists: dict[frozenset[str] | None, tuple[str, ...]] = {}
        self._listings: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._derived: dict[str, Any] = {}
        self._clipped: dict[str, str] = {}  # path -> the text grep searches
        self._py_answers: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}

    # listing -------------------------------------------------------------------------------
    # Each listing is computed once per argument set and kept: probes ask the same questions of the
    # same index many times (per CI step, per file), and 50,000 paths x a dozen globs adds up.
    def paths(self, *patterns: str, kinds: Iterable[str] | None = PRACTICE_KINDS) -> list[str]:
        """Sorted paths matching any glob in `patterns` (all paths when none), restricted to path
        kinds (default: the organisation's own code and tests; pass kinds=None for every file)."""
        wanted = None if kinds is None else frozenset(kinds)
        candidates = self._by_kinds(wanted)
        if not patterns:
            return list(candidates)
        key = ("glob", patterns, wanted)
        cached = self._listings.get(key)
        if cached is None:
            match = globs_regex(patterns).match
            cached = self._listings[key] = tuple(p for p in candidates if match(p))
        return list(cached)

    def _by_kinds(self, wanted: frozenset[str] | None) -> tuple[str, ...]:
        """Sorted paths of the given kinds, computed once per kind set."""
        cached = self._kind_lists.get(wanted)
        if cached is None:
            ordered = self._kind_lists.get(None) or tuple(sorted(self.files))
            self._kind_lists[None] = ordered
            cached = ordered if wanted is None else tuple(p for p in ordered if self.files[p].kind in wanted)
            self._kind_lists[wanted] = cached
        return cached

    def by_suffix(self, *suffixes: str, kinds: Iterable[str] | None = PRACTICE_KINDS) -> list[str]:
        wanted = None if kinds is None else frozenset(kinds)
        key = ("suffix", suffixes, wanted)
        cached = self._listings.get(key)
        if cached is None:
            cached = self._listings[key] = tuple(p for p in self._by_kinds(wanted) if p.lower().endswith(suffixes))
        return list(cached)

    def by_name(self, *names: str, kinds: Iterable[str] | None = PRACTICE_KINDS) -> list[str]:
        wanted = None if kinds is None else frozenset(kinds)
        key = ("name", names, wanted)
        cached = self._listings.get(key)
        if cached is None:
            named = sorted(p for name in set(names) for p in self._paths_by_name.get(name, ()))
            cached = self._listings[key] = tuple(p for p in named if wanted is None or self.files[p].kind in wanted)
        return list(cached)

    @cached_property
    def _paths_by_name(self) -> dict[str, list[str]]:
        """File name -> the paths of that name (built once: by_name then costs its answer, not the repo)."""
        out: dict[str, list[str]] = {}
        for path in self.files:
            out.setdefault(_name(path), []).append(path)
        return out

    @property
    def files_read(self) -> int:
        """How many files were read as text."""
        return len(self._texts)

    def has(self, path: str) -> bool:
        return path in self.files

    def kind(self, path: str) -> str | None:
        entry = self.files.get(path)
        return entry.kind if entry else None

    # reading -------------------------------------------------------------------------------
    def text(self, path: str) -> str | None:
        """The decoded text of a file, or None if it was not read (see `skipped` for why)."""
        return self._texts.get(path)

    def location(self, path: str, line: int | None = None, snippet: str | None = None) -> Location:
        """A location at this commit; for notebooks the line is mapped to its cell."""
        url = None
        if path.endswith(".ipynb") and line:
            code = self.notebook(path)
            if code is not None:
                cell = code.describe(line)
                snippet = f"{cell}: {snippet}" if snippet else cell
                line = None
        if self.web_url and self.commit:
            url = f"{self.web_url}/blob/{self.commit}/{path}" if path != "." else f"{self.web_url}/tree/{self.commit}"
            if line:
                url += f"#L{line}"
        return Location(path=path, line=line, url=url, commit=self.commit, snippet=_clip(snippet))

    def grep(
        self,
        pattern: str | re.Pattern[str],
        paths: Iterable[str] | None = None,
        *,
        limit: int = 200,
        words: tuple[str, ...] = (),
    ) -> list[Match]:
        """Regex matches, one per line, over the read text of `paths` (default: practice files).
        A str pattern is compiled with re.MULTILINE. Notebooks are searched in their code cells, so
        that the lines agree with `location()`. Lines are matched up to `textcap.MAX_LINE` characters.
        `words` (lower case) is a cheap filter for slow patterns: when every match holds one of them, an
        ASCII text whose lower-case form holds none is skipped without running the regex (a substring
        search is many times faster than a case-insensitive alternation; other texts always run it, as
        Unicode case folding has equivalents that lower() does not give, such as "ſ" for "s")."""
        regex = re.compile(pattern, re.MULTILINE) if isinstance(pattern, str) else pattern
        out: list[Match] = []
        for path in self.paths() if paths is None else paths:
            text = self._grep_text(path)
            if not text or (words and text.isascii() and not _holds_any(text.lower(), words)):
                continue
            line, counted = 1, 0  # line number at offset `counted`: each match counts on from the last one
            last_line = -1
            for m in regex.finditer(text):
                line += text.count("\n", counted, m.start())
                counted = m.start()
                if line == last_line:
                    continue
                last_line = line
                start = text.rfind("\n", 0, m.start()) + 1
                end = text.find("\n", m.end())
                out.append(Match(path, line, text[start : end if end != -1 else len(text)].strip()))
                if len(out) >= limit:
                    return out
        return out

    def _grep_text(self, path: str) -> str | None:
        """The text `grep` searches: the code cells of a notebook, each line clipped (bounded work on huge
        lines); computed once per path."""
        cached = self._clipped.get(path)
        if cached is None:
            if path.endswith(".ipynb"):
                code = self.notebook(path)
                text = code.source if code is not None else None
            else:
                text = self._texts.get(path)
            cached = self._clipped[path] = clip_lines(text) if text else ""
        return cached

    # parsed views (each parsed once) --------------------------------------------------------
    def python(self, path: str) -> PyFacts | None:
        """Static facts for a .py file, or for a notebook's code cells."""
        facts = self._py.get(path)
        if facts is not None:
            return facts
        source = self._python_source(path)
        facts = parse_python(source, path) if source is not None else None
        if facts is not None:
            if self.own_tool_packages:
                facts = without_namespaces(facts, self.own_tool_packages)
            self._py[path] = facts
        return facts

    # Repo-wide questions over the organisation's own Python files and notebooks (`python_files()`):
    # each answer is the set of files whose facts answer yes, from tables built once per index.
    def python_calling(self, *names: str) -> frozenset[str]:
        """Files where `python(path).calls_to(*names)` finds a call."""
        return self._py_answer(("calling", names), self._py_tables.calling)

    def python_calling_under(self, *prefixes: str) -> frozenset[str]:
        """Files where `python(path).calls_under(*prefixes)` finds a call."""
        return self._py_answer(("calling_under", prefixes), self._py_tables.calling_under)

    def python_calling_named(self, *lasts: str) -> frozenset[str]:
        """Files where `python(path).calls_named(*lasts)` finds a call."""
        return self._py_answer(("calling_named", lasts), self._py_tables.calling_named)

    def python_importing(self, *prefixes: str) -> frozenset[str]:
        """Files where `python(path).imported(*prefixes)` is not None."""
        return self._py_answer(("importing", prefixes), self._py_tables.importing)

    def _py_answer(
        self, key: tuple[str, tuple[str, ...]], ask: Callable[[tuple[str, ...]], frozenset[str]]
    ) -> frozenset[str]:
        answer = self._py_answers.get(key)
        if answer is None:
            answer = self._py_answers[key] = ask(key[1])
        return answer

    @cached_property
    def _py_tables(self) -> PyTables:
        return PyTables(self.python_files(), self.python)

    @cached_property
    def own_tool_packages(self) -> frozenset[str]:
        """Top-level packages of this repo that are themselves ML/LLM tools (the repo *is* mlflow,
        langchain, ...). Calls into them are the tool's implementation, not its use (docs/model.md)."""
        found = set()
        for path in self.files:
            parts = path.split("/")
            if parts[0] == "src":
                parts = parts[1:]
            if len(parts) == 2 and parts[1] == "__init__.py" and parts[0] in TOOL_NAMESPACES:
                found.add(parts[0])
        return frozenset(found)

    def python_tree(self, path: str) -> ast.Module | None:
        """The syntax tree of a .py file or of a notebook's code cells, for the few probes that follow
        data flow; parsed once per repo and shared. None when unreadable or not valid Python."""
        return self.derived("ast:" + path, lambda: _parse_tree(self._python_source(path)))

    def _python_source(self, path: str) -> str | None:
        if path.endswith(".ipynb"):
            code = self.notebook(path)
            return code.source if code is not None else None
        return self._texts.get(path)

    def python_files(self, *, notebooks: bool = True, kinds: Iterable[str] | None = PRACTICE_KINDS) -> list[str]:
        suffixes = (".py", ".ipynb") if notebooks else (".py",)
        key = ("python", suffixes, None if kinds is None else frozenset(kinds))
        cached = self._listings.get(key)
        if cached is None:
            texts = self._texts
            cached = self._listings[key] = tuple(p for p in self.by_suffix(*suffixes, kinds=kinds) if p in texts)
        return list(cached)

    def notebook(self, path: str) -> NotebookCode | None:
        if path not in self._nb:
            text = self._texts.get(path)
            self._nb[path] = notebook_code(text) if text is not None else None
        return self._nb[path]

    def yaml(self, path: str) -> ParsedYaml:
        cached = self._yaml.get(path)
        if cached is not None:
            return cached
        text = self._texts.get(path)
        result = ParsedYaml()
        if text is None:
            result.error = "not read"
        else:
            try:
                result.docs = load_yaml_all(text)
            except YamlError as exc:
                result.error, result.error_line = str(exc), exc.line
        self._yaml[path] = result
        return result

    def yaml_data(self, path: str) -> Any:
        """The first YAML document's data, or None when absent or malformed."""
        parsed = self.yaml(path)
        return parsed.docs[0].data if parsed.docs else None

    def json(self, path: str) -> Any:
        key = "json:" + path
        if key not in self._other:
            text = self._texts.get(path)
            try:
                self._other[key] = json.loads(text) if text else None
            except (ValueError, RecursionError):
                self._other[key] = None
        return self._other[key]

    def toml(self, path: str) -> dict[str, Any] | None:
        key = "toml:" + path
        if key not in self._other:
            text = self._texts.get(path)
            try:
                self._other[key] = tomllib.loads(text) if text else None
            except (tomllib.TOMLDecodeError, RecursionError):
                self._other[key] = None
        value = self._other[key]
        return value if isinstance(value, dict) else None

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """A fact derived from this index by a probe group (e.g. all Terraform blocks), computed once
        per repo and shared; probes stay pure because the index itself never changes."""
        if key not in self._derived:
            self._derived[key] = build()
        result: T = self._derived[key]
        return result

    @cached_property
    def dependencies(self) -> dict[str, list[Location]]:
        """Declared dependencies (normalised names) from every manifest, with where they are declared."""
        from scanner.facts.manifests import collect_dependencies

        return collect_dependencies(self)

    def declares(self, *names: str) -> list[Location]:
        out: list[Location] = []
        for name in names:
            out.extend(self.dependencies.get(name.lower().replace("_", "-"), []))
        return out


def _parse_tree(source: str | None) -> ast.Module | None:
    if source is None:
        return None
    try:
        return parse_module(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _holds_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def _name(path: str) -> str:
    """The file name of a repo-relative POSIX path (PurePosixPath(path).name without the object)."""
    return path.rstrip("/").rsplit("/", 1)[-1]


def _clip(text: str | None, width: int = 160) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text if len(text) <= width else text[: width - 1] + "…"
