"""Safe, bounded YAML loading that remembers where every key and item came from.

`load_yaml(text)` returns plain Python data (dicts, lists, scalars) plus a map from each value's path
(a tuple of keys and indexes) to its 1-based line. It uses PyYAML's safe composer, caps the input size,
the nesting depth and the number of nodes (so alias bombs cannot blow up), and never constructs
arbitrary objects. The nodes come from libyaml (PyYAML's C parser, about ten times faster) when it is
installed; a text libyaml refuses, or one where the two parsers are known to differ (`_PURE_ONLY`), is
read by the pure-Python parser, whose error is the one reported: results never depend on the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000

PathKey = tuple[str | int, ...]
_STR_TAG = "tag:yaml.org,2002:str"


class YamlError(ValueError):
    """A YAML document could not be loaded; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class YamlDoc:
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, path: PathKey, default: int | None = None) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return default
            path = path[:-1]


class _Builder:
    def __init__(self) -> None:
        self.nodes = 0
        self.lines: dict[PathKey, int] = {}

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlError(f"more than {MAX_NODES} nodes (alias expansion?)", node.start_mark.line + 1)
        if depth > MAX_DEPTH:
            raise YamlError(f"nested deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in _merged_pairs(node):
                # Keys keep their source text: `on:` in a workflow stays "on", never True.
                skey = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "<complex key>"
                self.lines[(*path, skey)] = key_node.start_mark.line + 1
                out[skey] = self.build(value_node, (*path, skey), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    @staticmethod
    def _scalar(node: yaml.Node) -> Any:
        if node.tag == _STR_TAG:
            return node.value  # what the constructor returns for a string, without building one
        # a fresh constructor per scalar (no state shared), without the reader and parser a SafeLoader builds
        try:
            return yaml.constructor.SafeConstructor().construct_object(node, deep=False)
        except yaml.YAMLError:
            return node.value


def _merged_pairs(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    """Mapping pairs with `<<` merge keys applied (explicit keys win)."""
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:merge":
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for src in sources:
                if isinstance(src, yaml.MappingNode):
                    merged.extend(_merged_pairs(src))
        else:
            pairs.append((key_node, value_node))
    explicit = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
    return [p for p in merged if not (isinstance(p[0], yaml.ScalarNode) and p[0].value in explicit)] + pairs


def _flow_depth_problem(text: str) -> YamlError | None:
    """PyYAML scans a line of unclosed `[`/`{` in quadratic time (seconds for 80 KB) before its depth
    can be checked; refuse a line opening more than MAX_DEPTH of them (quotes are not told apart: such a
    line is pathological either way)."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.count("[") + line.count("{") <= MAX_DEPTH:
            continue
        depth = 0
        for ch in line:
            if ch in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return YamlError(f"nested deeper than {MAX_DEPTH} levels", number)
            elif ch in "]}" and depth:
                depth -= 1
    return None


def load_yaml_all(text: str) -> list[YamlDoc]:
    """Load every document of a YAML stream. Raises YamlError with a line number."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise YamlError(f"larger than {MAX_BYTES} bytes")
    problem = _flow_depth_problem(text)
    if problem is not None:
        raise problem
    try:
        if _FAST_LOADER is not None and not _PURE_ONLY.search(text):
            try:
                return _load_docs(text, _FAST_LOADER)
            except YamlError:
                raise
            except Exception:  # refused by libyaml (or not encodable for it): the pure parser says why
                pass
        return _load_docs(text, yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlError(f"{exc.problem or exc.context or 'invalid YAML'}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc)) from None
    except RecursionError:
        raise YamlError(f"nested deeper than {MAX_DEPTH} levels") from None


# the org scan of the fixture organisation spent a fifth of its CPU composing YAML in pure Python
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)
# where the two parsers may differ (found by tests/fuzz): libyaml reads a tab as white space where PyYAML
# refuses it, accepts a comment right after a block scalar indicator (`|#`), and scans tags (`!...`)
# differently; texts with any of them (or a `!` that may start a tag) go to PyYAML alone
_PURE_ONLY = re.compile(r"\t|[|>][-+0-9]*#|(?:^|[\s\[\]{},])!")


def _load_docs(text: str, loader: Any) -> list[YamlDoc]:
    docs: list[YamlDoc] = []
    for node in yaml.compose_all(text, Loader=loader):
        if node is None:
            continue
        builder = _Builder()
        data = builder.build(node, (), 0)
        docs.append(YamlDoc(data, builder.lines))
    return docs


def load_yaml(text: str) -> YamlDoc:
    """Load a single-document YAML text (an empty text gives None data)."""
    docs = load_yaml_all(text)
    if not docs:
        return YamlDoc(None, {})
    return docs[0]
