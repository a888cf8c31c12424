"""The Python pass of the LLM probes (modules and notebook code cells); no probes live here.

PyFacts gives resolved call names and literal arguments. The LLM signals need a little more data
flow, so this pass re-reads the few files that import an LLM SDK: keyword values (`model=`,
`base_url=`), module constants and message lists that flow into a call (prompts), variables holding
a client (`llm = ChatOpenAI(...)` then `llm.invoke(...)`), loops over model lists, and API keys set in
code (recorded redacted, never with their value).
"""

from __future__ import annotations

import ast
import bisect
import re

from probes.repo._llm import LLM_KEY_NAME_RE, FileLlm, LlmCall, is_placeholder, is_prose, looks_like_model
from probes.repo.llm_pynames import PyNames, const_str
from probes.repo.llm_sdks import (
    BASE_URL_KWARGS,
    INVOKE_LAST,
    MODEL_KWARGS,
    PROMPT_KWARGS,
    SUFFIX_RULES,
    module_family,
    role_in_family,
)

USER_KEY_FILE = re.compile(r"(?i)~/.*(?:key|token|secret|openai|anthropic)")
PRINTS = frozenset({"print", "display", "pprint", "pprint.pprint", "IPython.display.display", "rich.print"})


def scan_python(tree: ast.Module | None, path: str, where: str) -> FileLlm | None:
    if tree is None:
        return None
    try:
        return _Scan(tree, path, where).result
    except RecursionError:
        return None


class _Scan(PyNames):
    def __init__(self, tree: ast.AST, path: str, where: str) -> None:
        super().__init__(tree)
        self.clients: dict[str, str] = {}  # variable -> SDK family of the client it holds
        self._seen: dict[int, tuple[str, str, str] | None] = {}
        self._frozen = False
        self.result = FileLlm(path, where, self.families)
        self.bedrock = any(self._is_bedrock_client(n) for n in self.nodes if isinstance(n, ast.Call))
        if self.bedrock:
            self.families.setdefault("bedrock", min(self.families.values(), default=1))
        self._client_vars()
        self._frozen = True
        self._calls()
        self._keys()
        self._loops()
        self.result.tool_schemas = [n.lineno for n in self.nodes if isinstance(n, ast.Dict) and _tool_schema(n)]

    # classification ------------------------------------------------------------------------
    def _is_bedrock_client(self, call: ast.Call) -> bool:
        name = self.resolve(call.func) or ""
        return name.endswith("client") and any(
            (const_str(a) or "").startswith("bedrock") and "runtime" in (const_str(a) or "")
            for a in [*call.args, *(k.value for k in call.keywords)]
        )

    def classify(self, call: ast.Call) -> tuple[str, str, str] | None:
        """(resolved name, family, role) of an LLM call, or None (memoised: the passes ask repeatedly)."""
        if not self._frozen:  # client variables are still being found: answers may change
            return self._classify(call)
        key = id(call)
        if key not in self._seen:
            self._seen[key] = self._classify(call)
        return self._seen[key]

    def _classify(self, call: ast.Call) -> tuple[str, str, str] | None:
        name = self.resolve(call.func)
        if not name:
            return None
        families = self.families
        root = module_family(name)
        for suffix, role, fams, needs_import in SUFFIX_RULES:
            if name == suffix or name.endswith("." + suffix):
                family = root or next((f for f in fams if f in families), None)
                if family is None and not needs_import:
                    family = fams[0]
                if family:
                    return name, family, role
        if self._is_bedrock_client(call):
            return name, "bedrock", "client"
        parts = [p.removesuffix("()") for p in name.split(".")]
        last = parts[-1]
        if root:
            in_family = role_in_family(root, parts)
            return (name, root, in_family) if in_family else None
        owner = parts[-2] if len(parts) >= 2 else ""
        if last in INVOKE_LAST and owner in self.clients and parts[0] in (owner, "self"):
            return name, self.clients[owner], "generate"
        return None

    def _client_vars(self) -> None:
        for _ in range(2):  # twice, so that `chain = prompt | llm` sees `llm`
            for name, values in self.assigns.items():
                for value in values:
                    family = self._client_family(value)
                    if family:
                        self.clients.setdefault(name, family)

    def _client_family(self, value: ast.expr) -> str | None:
        if isinstance(value, ast.Call):
            found = self.classify(value)
            if found and found[2] in ("client", "generate"):
                return found[1]
            if isinstance(value.func, ast.Attribute):  # llm.with_structured_output(...), llm.bind_tools(...)
                return self._client_family(value.func.value)
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr):
            return self._client_family(value.left) or self._client_family(value.right)
        if isinstance(value, ast.Name | ast.Attribute):
            key = value.id if isinstance(value, ast.Name) else value.attr
            return self.clients.get(key)
        return None

    # calls ---------------------------------------------------------------------------------
    def _calls(self) -> None:
        seen_prompts: set[tuple[int, str]] = set()
        for node in self.nodes:
            if not isinstance(node, ast.Call):
                continue
            found = self.classify(node)
            if not found:
                continue
            name, family, role = found
            model, from_config = self._model(node)
            base_url = next((self.url(k.value) for k in node.keywords if k.arg in BASE_URL_KWARGS), None)
            kwargs = tuple(k.arg for k in node.keywords if k.arg)
            self.result.calls.append(LlmCall(node.lineno, name, family, role, model, from_config, base_url, kwargs))
            if role != "embed":
                for line, text in self._prompts(node, role):
                    if (line, text) not in seen_prompts:
                        seen_prompts.add((line, text))
                        self.result.prompts.append((line, text))

    def _model(self, call: ast.Call) -> tuple[str | None, bool]:
        for kw in call.keywords:
            if kw.arg in MODEL_KWARGS:
                literal = self.literal(kw.value)
                return literal, literal is None
        if call.args:
            literal = self.literal(call.args[0])
            if literal and looks_like_model(literal):
                return literal, False
        return None, False

    def _prompts(self, call: ast.Call, role: str) -> list[tuple[int, str]]:
        exprs: list[ast.expr] = list(call.args)
        exprs += [
            k.value
            for k in call.keywords
            if (k.arg in PROMPT_KWARGS if role != "prompt" else k.arg not in MODEL_KWARGS)
        ]
        out: list[tuple[int, str]] = []
        for expr in exprs:
            out.extend((line, text) for line, text in self.texts(expr) if is_prose(text))
        return out

    # API keys set in code (redacted) -------------------------------------------------------
    def _keys(self) -> None:
        for node in self.nodes:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    label = self._key_target(target)
                    if label:
                        self._key_value(node.lineno, label, node.value)
            elif isinstance(node, ast.Call):
                name = self.resolve(node.func) or ""
                first = (const_str(node.args[0]) if node.args else None) or ""
                if name in ("os.environ.setdefault", "os.putenv") and len(node.args) == 2:
                    if LLM_KEY_NAME_RE.match(first):
                        self._key_value(node.lineno, f'os.environ["{first}"]', node.args[1])
                elif name.endswith("userdata.get") and LLM_KEY_NAME_RE.match(first):
                    self.result.keys.append((node.lineno, f"{name}(...) (per-user notebook secret)"))
                elif name.endswith("expanduser") and USER_KEY_FILE.match(first):
                    self.result.keys.append((node.lineno, f"{name}(...) (key in a per-user file)"))
                api_key = next((k.value for k in node.keywords if k.arg == "api_key"), None)
                if api_key is not None and (name.endswith("configure") or self.classify(node)):
                    self._key_value(node.lineno, f"{name}(api_key=...)", api_key)

    def _key_target(self, target: ast.AST) -> str | None:
        if isinstance(target, ast.Subscript) and self.resolve(target.value) == "os.environ":
            key = const_str(target.slice)
            if key and LLM_KEY_NAME_RE.match(key):
                return f'os.environ["{key}"]'
        if isinstance(target, ast.Attribute) and target.attr == "api_key":
            name = self.resolve(target) or ""
            return name if module_family(name) else None
        return None

    def _key_value(self, line: int, label: str, value: ast.expr) -> None:
        literal = const_str(value)
        if literal is not None and not is_placeholder(literal):
            self.result.keys.append((line, f"{label} = <literal key, redacted>"))
        elif isinstance(value, ast.Call) and (self.resolve(value.func) or "").split(".")[-1] in ("getpass", "input"):
            self.result.keys.append((line, f"{label} = {self.resolve(value.func)}() (typed in per user)"))

    # loops over model lists and over literal questions --------------------------------------
    def _loops(self) -> None:
        llm_lines = {c.line for c in self.result.calls if c.role in ("generate", "client")}
        lines = sorted(llm_lines)
        llm_funcs = {
            n.name
            for n in self.nodes
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and _any_between(lines, n.lineno, n.end_lineno)
        }
        for node in self.nodes:
            iters: list[ast.expr] = []
            if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                iters = [node.iter]
            elif isinstance(node, ast.Call) and (self.resolve(node.func) or "").endswith("parametrize"):
                iters = node.args[1:2]
            for it in iters:
                strings = self.list_strings(it)
                models = tuple(s for s in strings if looks_like_model(s))
                if len(set(models)) >= 2:
                    self.result.model_lists.append((getattr(it, "lineno", 0), models))
                questions = sum(is_prose(s) for s in strings) >= 2
                if isinstance(node, ast.For) and questions and self._inspects(node, llm_lines, llm_funcs):
                    self.result.inspect_loops.append(node.lineno)

    def _inspects(self, loop: ast.For, llm_lines: set[int], llm_funcs: set[str]) -> bool:
        body = [n for stmt in loop.body for n in ast.walk(stmt) if isinstance(n, ast.Call)]
        names = {self.resolve(c.func) or "" for c in body}
        calls_llm = any(c.lineno in llm_lines for c in body) or bool(names & llm_funcs)
        return calls_llm and bool(names & PRINTS)


def _any_between(lines: list[int], low: int, high: int | None) -> bool:
    i = bisect.bisect_left(lines, low)
    return i < len(lines) and lines[i] <= (high or low)


def _tool_schema(node: ast.Dict) -> bool:
    keys = {const_str(k) for k in node.keys if k is not None}
    kinds = {
        const_str(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None and const_str(k) == "type"
    }
    return "toolSpec" in keys or ("function" in kinds and bool(keys & {"function", "parameters"}))
