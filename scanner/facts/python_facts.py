"""Static facts about Python source, by `ast` only: the code is parsed, never imported or run.

Names are resolved through the module's imports, so `import mlflow as ml; ml.log_metric(...)` and
`from mlflow import log_metric; log_metric(...)` both record the call `mlflow.log_metric`. Calls on
objects keep their attribute chain (`client.chat.completions.create`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, ClassVar

from scanner.facts.pyparse import parse_module

# Import names of ML/LLM tools whose use the probes look for. A repo that *contains* one of these
# packages develops the tool; its calls into it are implementation, not practice.
TOOL_NAMESPACES = frozenset(
    [
        "mlflow",
        "wandb",
        "dvc",
        "dvclive",
        "evidently",
        "whylogs",
        "nannyml",
        "great_expectations",
        "feast",
        "dagster",
        "prefect",
        "airflow",
        "kfp",
        "zenml",
        "metaflow",
        "langchain",
        "langchain_core",
        "langchain_community",
        "langgraph",
        "llama_index",
        "openai",
        "anthropic",
        "litellm",
        "langfuse",
        "langsmith",
        "ragas",
        "deepeval",
        "dspy",
        "guardrails",
        "nemoguardrails",
        "promptflow",
        "bentoml",
        "kserve",
        "seldon_core",
        "mlrun",
        "clearml",
        "comet_ml",
        "neptune",
        "sagemaker",
        "haystack",
        "semantic_kernel",
        "chromadb",
        "qdrant_client",
        "weaviate",
        "pinecone",
        "transformers",
        "sklearn",
        "torch",
        "tensorflow",
        "keras",
        "xgboost",
        "lightgbm",
        "catboost",
        "ray",
        "pandera",
        "soda",
        "deepchecks",
        "lm_eval",
    ]
)

SKIP_DECORATORS = ("pytest.mark.skip", "unittest.skip", "pytest.mark.xfail", "skip", "unittest.expectedFailure")


@dataclass(frozen=True)
class Call:
    name: str  # resolved dotted name, e.g. "mlflow.log_metric" or "client.chat.completions.create"
    line: int
    kwargs: tuple[str, ...] = ()
    str_args: tuple[str, ...] = ()  # literal string arguments (positional and keyword)


@dataclass(frozen=True)
class TestFunction:
    name: str
    line: int
    skipped: bool
    trivial: bool  # body is only `pass`, `...`, a docstring or `assert True`
    markers: tuple[str, ...] = ()


@dataclass
class PyFacts:
    imports: dict[str, int] = field(default_factory=dict)  # module (and each parent) -> first line
    calls: list[Call] = field(default_factory=list)
    strings: list[tuple[int, str]] = field(default_factory=list)  # string constants >= 8 chars
    tests: list[TestFunction] = field(default_factory=list)
    classes: list[tuple[str, tuple[str, ...], int]] = field(default_factory=list)  # name, bases, line
    functions: dict[str, int] = field(default_factory=dict)  # every def name -> line
    decorators: list[tuple[str, int]] = field(default_factory=list)
    # `name = Callee(...)` anywhere in the file: (assigned name, resolved callee), both as call names read
    bindings: list[tuple[str, str]] = field(default_factory=list)
    main_guard: bool = False
    error: str | None = None
    dropped_statements: int = 0  # top-level statements skipped as unparsable (e.g. newer syntax)

    def _index(self) -> tuple[dict[str, list[Call]], dict[str, list[Call]]]:
        """Calls grouped by last name segment and by root segment, built once per file."""
        cached = self.__dict__.get("_call_index")
        if cached is None:
            by_last: dict[str, list[Call]] = {}
            by_root: dict[str, list[Call]] = {}
            for call in self.calls:
                by_last.setdefault(call.name.rsplit(".", 1)[-1], []).append(call)
                by_root.setdefault(call.name.split(".", 1)[0], []).append(call)
            cached = self.__dict__["_call_index"] = (by_last, by_root)
        return cached

    def call_groups(self) -> tuple[dict[str, list[Call]], dict[str, list[Call]]]:
        """This file's calls by last name segment and by root segment (for repo-wide tables)."""
        return self._index()

    def imported_modules(self) -> dict[str, int]:
        """Each imported module and each of its dotted parents -> the first line importing it."""
        return self._first_under()

    def imported(self, *prefixes: str) -> int | None:
        """First line importing any module equal to or under one of `prefixes`, else None."""
        first = self._first_under()
        best = None
        for prefix in prefixes:
            line = first.get(prefix)
            if line is not None and (best is None or line < best):
                best = line
        return best

    def _first_under(self) -> dict[str, int]:
        """Each imported module and each of its dotted parents -> the first line importing it or
        anything under it; built once per file, so `imported` is a few dict look-ups."""
        cached = self.__dict__.get("_first_under_cache")
        if cached is None:
            cached = {}
            for mod, line in self.imports.items():
                parts = mod.split(".")
                for i in range(1, len(parts) + 1):
                    key = ".".join(parts[:i])
                    if line < cached.get(key, line + 1):
                        cached[key] = line
            self.__dict__["_first_under_cache"] = cached
        return cached

    def calls_to(self, *names: str) -> list[Call]:
        """Calls whose resolved name equals, or ends with `.` + one of, `names`."""
        by_last = self._index()[0]
        groups = [(n, group) for n in names if (group := by_last.get(last_segment(n)))]
        if not groups:  # most files call none of the names: answer from the index alone
            return []
        found = {id(c): c for n, group in groups for c in group if c.name == n or c.name.endswith("." + n)}
        return sorted(found.values(), key=_line)

    def calls_under(self, *prefixes: str) -> list[Call]:
        """Calls into a module namespace, e.g. calls_under("mlflow") finds mlflow.sklearn.autolog."""
        by_root = self._index()[1]
        groups = [(p, group) for p in prefixes if (group := by_root.get(root_segment(p)))]
        if not groups:
            return []
        found = {id(c): c for p, group in groups for c in group if under_module(c.name, p)}
        return sorted(found.values(), key=_line)

    def calls_named(self, *lasts: str) -> list[Call]:
        """Calls whose last name segment is one of `lasts` (`x.predict(...)`, `predict(...)`), in
        source order."""
        by_last = self._index()[0]
        if not any(last in by_last for last in lasts):
            return []
        wanted = set(lasts)
        return [c for c in self.calls if c.name.rsplit(".", 1)[-1] in wanted]

    @property
    def empty(self) -> bool:
        return not (self.calls or self.functions or self.classes)


def under_module(name: str, prefix: str) -> bool:
    """`name` is the module or name `prefix` or lies under it (`a.b.c` is under `a.b`, `a.bc` is not)."""
    return name == prefix or name.startswith(prefix + ".")


def _line(call: Call) -> int:
    return call.line


@lru_cache(maxsize=4096)
def last_segment(name: str) -> str:
    """`a.b.c` -> `c` (cached: probes ask about the same few hundred names in every file)."""
    return name.rsplit(".", 1)[-1]


@lru_cache(maxsize=4096)
def root_segment(name: str) -> str:
    """`a.b.c` -> `a`."""
    return name.split(".", 1)[0]


_LEAVES = (ast.Name, ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop, ast.alias)
# Fields that hold names, numbers, flags or leaves (contexts, operators, import aliases), never a node
# worth visiting: `generic_visit` does not look at them.
_SCALAR_FIELDS = frozenset(
    "ctx id attr name names arg asname module level kind type_comment conversion is_async simple op ops tag"
    " kwd_attrs rest".split()
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS[kind] = tuple(f for f in getattr(kind, "_fields", ()) if f not in _SCALAR_FIELDS)
    return fields


class _Visitor(ast.NodeVisitor):
    # visit/generic_visit do what ast.NodeVisitor's do, in the same order, with the handler looked up
    # once per node type instead of by name for every node, and children that could add nothing
    # (names, contexts, operators, plain values) skipped without a call: parsing is most of a large
    # repo's scan.
    _handlers: ClassVar[dict[type, Callable[[_Visitor, Any], None]]] = {}

    def __init__(self, facts: PyFacts) -> None:
        self.facts = facts
        self.aliases: dict[str, str] = {}
        self.class_depth: list[str] = []

    @classmethod
    def _handler(cls, kind: type) -> Callable[[_Visitor, Any], None]:
        handler = cls._handlers.get(kind)
        if handler is None:
            handler = getattr(cls, "visit_" + kind.__name__, None)
            if handler is None:
                # values that are not nodes, and nodes without AST children (names, contexts,
                # operators, import aliases) and no handler of their own: visiting them does nothing
                leaf = not issubclass(kind, ast.AST) or issubclass(kind, _LEAVES)
                handler = _Visitor._leaf if leaf else _Visitor.generic_visit
            cls._handlers[kind] = handler
        return handler

    def visit(self, node: ast.AST) -> None:
        self._handler(type(node))(self, node)

    def _leaf(self, node: ast.AST) -> None:
        pass

    def generic_visit(self, node: ast.AST) -> None:
        handlers = self._handlers
        leaf = _Visitor._leaf
        fields = _CHILD_FIELDS.get(type(node))
        if fields is None:
            fields = _child_fields(type(node))
        for name in fields:
            value = getattr(node, name, None)
            for item in value if type(value) is list else (value,):
                handler = handlers.get(type(item)) or self._handler(type(item))
                if handler is not leaf:
                    handler(self, item)

    # imports ---------------------------------------------------------------
    def _add_import(self, module: str, line: int) -> None:
        parts = module.split(".")
        for i in range(1, len(parts) + 1):
            self.facts.imports.setdefault(".".join(parts[:i]), line)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add_import(alias.name, node.lineno)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                self.aliases.setdefault(root, root)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            base = "." * node.level + (node.module or "")
        else:
            base = node.module
        if not node.level and node.module:
            self._add_import(node.module, node.lineno)
        for alias in node.names:
            if alias.name == "*":
                continue
            full = f"{base}.{alias.name}" if base else alias.name
            if not node.level:
                self.facts.imports.setdefault(full, node.lineno)
            self.aliases[alias.asname or alias.name] = full.lstrip(".")

    # names -----------------------------------------------------------------
    def resolve(self, node: ast.AST) -> str | None:
        return dotted_name(node, self.aliases)

    def visit_Call(self, node: ast.Call) -> None:
        name = self.resolve(node.func)
        if name:
            strs = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            strs += [
                k.value.value
                for k in node.keywords
                if isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
            ]
            kwargs = tuple(k.arg for k in node.keywords if k.arg)
            self.facts.calls.append(Call(name, node.lineno, kwargs, tuple(strs)))
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        if isinstance(node.value, ast.Call) and (callee := self.resolve(node.value.func)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if name := self.resolve(target):
                    self.facts.bindings.append((name, callee))
        self.generic_visit(node)

    visit_AnnAssign = visit_Assign

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and len(node.value) >= 8:
            self.facts.strings.append((node.lineno, node.value))

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        if len(text) >= 8:
            self.facts.strings.append((node.lineno, text))
        self.generic_visit(node)

    # definitions -----------------------------------------------------------
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = tuple(b for b in (self.resolve(x) for x in node.bases) if b)
        self.facts.classes.append((node.name, bases, node.lineno))
        self._decorators(node.decorator_list)
        self.class_depth.append(node.name)
        self.generic_visit(node)
        self.class_depth.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.facts.functions.setdefault(node.name, node.lineno)
        decos = self._decorators(node.decorator_list)
        if node.name.startswith("test"):
            skipped = any(d.endswith(SKIP_DECORATORS) or d in SKIP_DECORATORS for d in decos)
            markers = tuple(d.split("pytest.mark.", 1)[1] for d in decos if "pytest.mark." in d)
            self.facts.tests.append(TestFunction(node.name, node.lineno, skipped, _trivial(node.body), markers))
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _decorators(self, decorators: list[ast.expr]) -> list[str]:
        names = []
        for deco in decorators:
            target = deco.func if isinstance(deco, ast.Call) else deco
            name = self.resolve(target)
            if name:
                names.append(name)
                self.facts.decorators.append((name, deco.lineno))
        return names

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__":
            self.facts.main_guard = True
        self.generic_visit(node)


def dotted_name(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """The dotted name of an expression through import aliases: `ml.log_metric` -> `mlflow.log_metric`,
    `OpenAI().chat.completions.create` -> `openai.OpenAI().chat.completions.create`."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(aliases.get(node.id, node.id))
    elif isinstance(node, ast.Call):
        inner = dotted_name(node.func, aliases)
        if inner is None:
            return None
        parts.append(inner + "()")
    else:
        return None
    return ".".join(reversed(parts))


def without_namespaces(facts: PyFacts, roots: frozenset[str]) -> PyFacts:
    """The same facts minus imports and calls into the given top-level packages."""

    def foreign(name: str) -> bool:
        return name.split(".", 1)[0] not in roots

    return replace(
        facts,
        imports={m: line for m, line in facts.imports.items() if foreign(m)},
        calls=[c for c in facts.calls if foreign(c.name)],
        decorators=[d for d in facts.decorators if foreign(d[0])],
        classes=[(n, tuple(b for b in bases if foreign(b)), line) for n, bases, line in facts.classes],
    )


def _trivial(body: list[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring or `...`
        if isinstance(stmt, ast.Assert) and isinstance(stmt.test, ast.Constant) and stmt.test.value:
            continue
        return False
    return True


MAX_REPAIRS = 20


def _blank_statement(lines: list[str], line: int) -> bool:
    """Blank the top-level statement holding 1-based `line` (with its decorators); False if nothing changed."""
    if not 1 <= line <= len(lines):
        return False

    def top(i: int) -> bool:
        text = lines[i]
        return bool(text.strip()) and not text[0].isspace() and not text.lstrip().startswith("#")

    start = line - 1
    while start > 0 and not top(start):
        start -= 1
    while start > 0 and lines[start - 1].startswith("@"):
        start -= 1
    end = line
    while end < len(lines) and not (top(end) and not lines[end].startswith(("@", ")", "]", "}"))):
        end += 1
    if not any(lines[i].strip() for i in range(start, end)):
        return False
    for i in range(start, end):
        lines[i] = ""
    return True


def _parse_tolerant(source: str, filename: str) -> tuple[ast.Module, int]:
    """Parse; on a syntax error (often syntax newer than this interpreter, e.g. `type X = ...` or PEP 758
    excepts), blank the failing top-level statement and retry, so one statement does not drop the file's
    facts. Returns the tree and the number of statements dropped; raises when the file cannot be repaired."""
    try:
        return parse_module(source, filename), 0
    except SyntaxError as exc:
        first: SyntaxError = exc
    error = first
    lines = source.splitlines()
    for dropped in range(1, MAX_REPAIRS + 1):
        if error.lineno is None or not _blank_statement(lines, error.lineno):
            break
        try:
            tree = parse_module("\n".join(lines), filename)
        except SyntaxError as again:
            error = again
            continue
        if not tree.body:
            break  # nothing parsable is left: the file is not Python
        return tree, dropped
    raise first


def parse_python(source: str, filename: str = "<repo file>") -> PyFacts:
    facts = PyFacts()
    try:
        tree, dropped = _parse_tolerant(source, filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", None)
        facts.error = f"not valid Python{f' (line {line})' if line else ''}: {type(exc).__name__}"
        return facts
    facts.dropped_statements = dropped
    try:
        _Visitor(facts).visit(tree)
    except RecursionError:
        facts.error = "nested too deeply to analyse"
    return facts
