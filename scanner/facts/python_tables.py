"""Repo-wide tables of Python facts: which files call a name, call into a namespace or import a module.

A probe that looks for, say, `mlflow.log_metric` calls asks the tables for the few files that make one
instead of asking each of a monorepo's modules in turn. The tables are inverted from the per-file
`PyFacts`, built once per repo index; each answer equals what asking every file would give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from scanner.facts.python_facts import PyFacts, last_segment, root_segment


class PyTables:
    """Files by call last-segment, call root and imported module (each module and its dotted parents)."""

    def __init__(self, paths: Iterable[str], facts_of: Callable[[str], PyFacts | None]) -> None:
        self._facts_of = facts_of
        self._by_last: dict[str, list[str]] = {}
        self._by_root: dict[str, list[str]] = {}
        self._by_import: dict[str, list[str]] = {}
        for path in paths:
            facts = facts_of(path)
            if facts is None:
                continue
            by_last, by_root = facts.call_groups()
            for table, keys in (
                (self._by_last, by_last),
                (self._by_root, by_root),
                (self._by_import, facts.imported_modules()),
            ):
                for key in keys:
                    table.setdefault(key, []).append(path)

    def calling(self, names: tuple[str, ...]) -> frozenset[str]:
        """Files where `PyFacts.calls_to(*names)` is not empty."""
        candidates = {p for n in names for p in self._by_last.get(last_segment(n), ())}
        return frozenset(p for p in candidates if self._call(p, names))

    def calling_under(self, prefixes: tuple[str, ...]) -> frozenset[str]:
        """Files where `PyFacts.calls_under(*prefixes)` is not empty."""
        candidates = {p for prefix in prefixes for p in self._by_root.get(root_segment(prefix), ())}
        return frozenset(p for p in candidates if self._call_under(p, prefixes))

    def calling_named(self, lasts: tuple[str, ...]) -> frozenset[str]:
        """Files with a call whose last name segment is one of `lasts` (`PyFacts.calls_named`)."""
        return frozenset(p for last in lasts for p in self._by_last.get(last, ()))

    def importing(self, prefixes: tuple[str, ...]) -> frozenset[str]:
        """Files where `PyFacts.imported(*prefixes)` is not None."""
        return frozenset(p for prefix in prefixes for p in self._by_import.get(prefix, ()))

    def _call(self, path: str, names: tuple[str, ...]) -> bool:
        facts = self._facts_of(path)
        return facts is not None and bool(facts.calls_to(*names))

    def _call_under(self, path: str, prefixes: tuple[str, ...]) -> bool:
        facts = self._facts_of(path)
        return facts is not None and bool(facts.calls_under(*prefixes))
