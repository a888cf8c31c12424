"""Name and data-flow helpers for the Python pass of the LLM probes (no probes here): import aliases,
resolved dotted names, and what each name is assigned (or appended) anywhere in the file, so that a
constant or a message list can be followed into the LLM call that uses it."""

from __future__ import annotations

import ast

from probes.repo.llm_sdks import module_family
from scanner.facts.python_facts import dotted_name

SKIP_DICT_KEYS = frozenset({"role", "type", "name", "model", "id", "tool_call_id", "cache_control", "url"})
ENV_GETS = frozenset({"os.getenv", "os.environ.get"})


def const_str(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _key(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


class PyNames:
    """Aliases, imported SDK families and assignments of one parsed file (scope-insensitive by design:
    a heuristic that follows module constants, `self.x` attributes and argument defaults)."""

    def __init__(self, tree: ast.AST) -> None:
        self.nodes = list(ast.walk(tree))
        self.aliases: dict[str, str] = {}
        self.families: dict[str, int] = {}  # SDK family -> first import line
        self.assigns: dict[str, list[ast.expr]] = {}
        self._imports()
        self._assignments()

    def _imports(self) -> None:
        for node in self.nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    root = alias.name.split(".")[0]
                    self.aliases[alias.asname or root] = alias.name if alias.asname else root
                    self._family(alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    self.aliases[alias.asname or alias.name] = full
                    self._family(full, node.lineno)

    def _family(self, module: str, line: int) -> None:
        family = module_family(module)
        if family:
            self.families[family] = min(line, self.families.get(family, line))

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name of an expression, through import aliases (`client.chat.completions.create`)."""
        return dotted_name(node, self.aliases)

    def _assignments(self) -> None:
        for node in self.nodes:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._assign(target, node.value)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
                self._assign(node.target, node.value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
                if node.func.attr in ("append", "extend", "insert", "add"):
                    self._assign(node.func.value, node.args[-1])
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                positional = args.posonlyargs + args.args
                defaults = zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
                keyword = zip(args.kwonlyargs, args.kw_defaults, strict=True)
                for arg, default in [*defaults, *keyword]:
                    if default is not None:
                        self._assign(ast.Name(arg.arg), default)

    def _assign(self, target: ast.AST, value: ast.expr) -> None:
        key = _key(target)
        if key:
            self.assigns.setdefault(key, []).append(value)

    def values(self, node: ast.AST) -> list[ast.expr]:
        key = _key(node)
        return self.assigns.get(key, []) if key else []

    def literal(self, node: ast.AST) -> str | None:
        """A string literal, or a name assigned exactly once, to a string literal, in this file."""
        text = const_str(node)
        if text is not None:
            return text or None
        values = self.values(node)
        return const_str(values[0]) if len(values) == 1 else None

    def url(self, node: ast.expr, depth: int = 0) -> str:
        """A literal URL, "$NAME" for an environment read, "?" for anything else."""
        text = const_str(node)
        if text is not None:
            return text
        env = self.env_name(node)
        if env:
            return "$" + env
        values = self.values(node) if depth < 2 else []
        return self.url(values[0], depth + 1) if len(values) == 1 else "?"

    def env_name(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Call) and self.resolve(node.func) in ENV_GETS and node.args:
            return const_str(node.args[0])
        if isinstance(node, ast.Subscript) and self.resolve(node.value) == "os.environ":
            return const_str(node.slice)
        return None

    def texts(self, node: ast.AST, depth: int = 0, seen: set[int] | None = None) -> list[tuple[int, str]]:
        """String literals that flow into `node`: through lists, dicts (not role/type keys), concatenation,
        `.format()`, f-strings and names assigned elsewhere in the file."""
        seen = set() if seen is None else seen
        if depth > 4 or id(node) in seen:
            return []
        seen.add(id(node))
        text = const_str(node)
        if text is not None:
            return [(getattr(node, "lineno", 0), text)]
        if isinstance(node, ast.JoinedStr):
            return [(node.lineno, "".join(const_str(v) or "{}" for v in node.values))]
        children: list[ast.AST] = []
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            children = list(node.elts)
        elif isinstance(node, ast.Dict):
            pairs = zip(node.keys, node.values, strict=True)
            children = [v for k, v in pairs if k is None or (const_str(k) or "") not in SKIP_DICT_KEYS]
        elif isinstance(node, ast.BinOp):
            children = [node.left, node.right]
        elif isinstance(node, ast.Call):  # "...".format(x), dedent("..."), SystemMessage(content=...)
            children = [*node.args, *(k.value for k in node.keywords)]
            if isinstance(node.func, ast.Attribute):
                children.append(node.func.value)
        elif isinstance(node, ast.Name | ast.Attribute):
            children = list(self.values(node))
        return [item for child in children for item in self.texts(child, depth + 1, seen)]

    def list_strings(self, node: ast.AST, depth: int = 0) -> list[str]:
        """The strings of a literal list/tuple/set/dict that `node` iterates (through one name)."""
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("items", "values", "keys")
        ):
            node = node.func.value
        if isinstance(node, ast.Name | ast.Attribute):
            values = self.values(node)
            return self.list_strings(values[0], depth + 1) if len(values) == 1 and depth < 2 else []
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items: list[ast.AST] = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = [*(k for k in node.keys if k is not None), *node.values]
        else:
            return []
        return [s for item in items for sub in ast.walk(item) if (s := const_str(sub)) is not None]
