"""Shared vocabulary of the LLM probes (probes/repo/llm_*.py): model-name, placeholder and key tests,
the per-file facts the LLM scan produces, and how evidence is weighed by where it sits (runtime code
counts as practice; notebooks and tests weigh lower)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from probes.repo.llm_sdks import GENERATE_ONLY
from scanner.facts.paths import file_name
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss
from scanner.views import Views

MODEL_RE = re.compile(
    r"(?i)^(?:[\w.-]+[/:])?(?:gpt-?\d|gpt-4o|o[1-9](?:-|$)|chatgpt|text-(?:davinci|curie|embedding|bison)"
    r"|davinci|claude|gemini|chat-bison|code-bison|llama|meta\.llama|mistral|mixtral|codestral|ministral"
    r"|command(?:-|$)|cohere\.|amazon\.|anthropic\.|titan|phi-?\d|qwen|deepseek|gemma|falcon|nova-|jamba"
    r"|ai21\.|grok|sonar|embed-)"
)
PLACEHOLDER_RE = re.compile(
    r"(?i)your|xxx|\.\.\.|[<>{}$*]|change.?me|placeholder|dummy|fake|example|test|none|null|empty"
    r"|not.?needed|redacted|insert|todo|ollama|lm-studio|secret.?here|invalid|(\w)\1{7}"
)
KEY_SHAPE_RE = re.compile(r"^[A-Za-z0-9_\-.]{20,}$")
LLM_KEY_NAMES = (
    r"(?:AZURE_)?(?:OPENAI|ANTHROPIC|CLAUDE|GOOGLE|GEMINI|VERTEX|COHERE|CO|MISTRAL|GROQ|TOGETHER|HF"
    r"|HUGGINGFACE(?:HUB)?|HUGGING_FACE_HUB|LANGCHAIN|LANGSMITH|LANGFUSE_SECRET|DEEPSEEK|PERPLEXITY"
    r"|FIREWORKS|OPENROUTER|XAI|REPLICATE)_(?:API_)?(?:KEY|TOKEN)"
)
LLM_KEY_NAME_RE = re.compile(rf"(?i)^{LLM_KEY_NAMES}$")
CODE_SUFFIXES = (".py", ".ipynb", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".cs", ".java", ".go", ".kt")
JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs")

CODE, NOTEBOOK, TEST = "code", "notebook", "test"


@dataclass(frozen=True)
class LlmCall:
    """One call into an LLM SDK or framework."""

    line: int
    name: str
    family: str
    role: str  # generate | client | embed | prompt
    model: str | None = None  # the model name when hard-coded (a literal or a module constant)
    model_from_config: bool = False  # a model is passed, but from env/config/arguments
    base_url: str | None = None  # a literal URL, "$NAME" for an environment read, "?" otherwise
    kwargs: tuple[str, ...] = ()


@dataclass
class FileLlm:
    """What the LLM scan saw in one file (Python module, notebook code cells, or TS/JS)."""

    path: str
    where: str  # code | notebook | test
    families: dict[str, int] = field(default_factory=dict)  # SDK family -> first import line
    calls: list[LlmCall] = field(default_factory=list)
    prompts: list[tuple[int, str]] = field(default_factory=list)  # prose literals flowing into LLM calls
    keys: list[tuple[int, str]] = field(default_factory=list)  # (line, redacted description)
    model_lists: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)  # iterated lists of models
    inspect_loops: list[int] = field(default_factory=list)  # loops over literal questions that print answers
    tool_schemas: list[int] = field(default_factory=list)  # {"type": "function", ...} literals

    @property
    def generation(self) -> list[LlmCall]:
        """Generation calls and client constructions (a bare client in an embeddings-only file does not count)."""
        embeds = any(c.role == "embed" for c in self.calls)
        generates = any(c.role == "generate" for c in self.calls)
        return [
            c
            for c in self.calls
            if c.role == "generate"
            or (
                c.role == "client"
                and c.family not in GENERATE_ONLY
                and (generates or not embeds or c.model or c.model_from_config)
            )
        ]

    @property
    def embeddings(self) -> list[LlmCall]:
        return [c for c in self.calls if c.role == "embed"]


@dataclass(frozen=True)
class Ev:
    """One piece of evidence: where it is, what it is, and the kind of file it sits in."""

    path: str
    line: int | None
    snippet: str
    where: str


def index_of(views: Views) -> RepoIndex:
    if views.repo is None:  # the runner reports not_available before calling a probe without its view
        raise RuntimeError("repo view missing")
    return views.repo


LAB_DIRS = frozenset({"experiments", "experimental", "sandbox", "scratch", "playground", "prototypes", "poc"})


def where(index: RepoIndex, path: str) -> str:
    """code, test or notebook; files under experiment/sandbox folders weigh as notebooks (lab work)."""
    if path.endswith(".ipynb") or any(d.lower() in LAB_DIRS for d in PurePosixPath(path).parts[:-1]):
        return NOTEBOOK
    return TEST if index.kind(path) == "test" else CODE


def looks_like_model(text: str) -> bool:
    """A model identifier (`gpt-4o`, `claude-3-5-haiku`, `meta.llama3`): not a bare provider name such as
    `gemini`, nor an environment variable name such as `CLAUDE_CODE`."""
    versioned = any(ch.isdigit() or ch in "-/:." for ch in text)
    return versioned and not text.isupper() and " " not in text and len(text) < 100 and MODEL_RE.match(text) is not None


def is_placeholder(value: str) -> bool:
    value = value.strip()
    return not KEY_SHAPE_RE.match(value) or PLACEHOLDER_RE.search(value) is not None


def is_prose(text: str) -> bool:
    """Natural-language text, as a prompt is: not a model name, a role or an identifier."""
    text = text.strip()
    return len(text) >= 20 and len(text.split()) >= 4 and not text.startswith(("http://", "https://"))


def short(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def files_of(index: RepoIndex, suffixes: tuple[str, ...] = CODE_SUFFIXES) -> list[str]:
    """Practice files (the org's own code and tests) with one of `suffixes`."""
    return [p for p in index.by_suffix(*suffixes) if index.text(p) is not None]


def find_py(
    index: RepoIndex,
    match: Callable[[PyFacts], Iterable[tuple[int, str]]],
    only: frozenset[str] | None = None,
) -> list[Ev]:
    """Evidence from every Python module and notebook that `match` reports on (line, snippet). `only`, when
    given, holds every file `match` could report on (from the index's repo-wide tables, such as
    `index.python_calling_named(...)`): the other files are not asked."""
    out: list[Ev] = []
    for path in index.python_files():
        if only is not None and path not in only:
            continue
        facts = index.python(path)
        if facts is None or facts.error:
            continue
        out.extend(Ev(path, line, snippet, where(index, path)) for line, snippet in match(facts))
    return out


def find_js(index: RepoIndex, pattern: str | re.Pattern[str], requires: str | None = None) -> list[Ev]:
    """Regex evidence from TS/JS files; `requires` must also match somewhere in the file."""
    paths = [p for p in files_of(index, JS_SUFFIXES) if not requires or re.search(requires, index.text(p) or "")]
    return [Ev(m.path, m.line, m.text, where(index, m.path)) for m in index.grep(pattern, paths)]


def file_ev(index: RepoIndex, path: str, line: int | None, snippet: str) -> Ev:
    return Ev(path, line, snippet, where(index, path))


def locations(index: RepoIndex, evs: Iterable[Ev]) -> list[Location]:
    return [index.location(e.path, e.line, e.snippet) for e in evs]


def weigh(
    views: Views,
    signal: str,
    evs: list[Ev],
    what: str,
    absent: str,
    *,
    values: Mapping[str, object] | None = None,
    strong: tuple[str, ...] = (CODE,),
) -> Finding:
    """The common verdict: medium when runtime code (or another `strong` kind of evidence) shows it, low
    when only notebooks, tests or other weak evidence (its `where` names why) do, false when nothing does."""
    index = index_of(views)
    vals: dict[str, object] = dict(values or {})
    evs = list({(e.path, e.line): e for e in evs}.values())  # one piece of evidence per line
    if not evs:
        return miss(views, signal, absent, values=vals)
    firm = [e for e in evs if e.where in strong]
    chosen = firm or evs
    files = sorted({e.path for e in chosen})
    vals.update(count=len(chosen), files=len(files))
    if firm:
        vals["weak_evidence"] = len(evs) - len(firm)
        msg = f"{what}: {len(chosen)} in {len(files)} file(s): {', '.join(files[:3])}"
        return hit(views, signal, locations(index, chosen), msg, values=vals)
    kinds = "/".join(sorted({e.where for e in evs}))
    msg = f"{what}, weak evidence only ({kinds}): {', '.join(files[:3])}"
    return hit(views, signal, locations(index, chosen), msg, confidence="low", values=vals)


def basename(path: str) -> str:
    return file_name(path)


def is_dev_config(path: str) -> bool:
    """Local or example configuration: .env files, dev/override compose files, devcontainers."""
    name = basename(path).lower()
    return (
        name.startswith(".env")
        or bool(re.match(r"(docker-)?compose[.-](dev|local|override|test)\b", name))
        or "/.devcontainer/" in f"/{path}"
    )


def yaml_docs(index: RepoIndex) -> Iterable[tuple[str, int, dict[str, Any]]]:
    """(path, doc number, mapping) for every YAML document in the org's own files."""
    for path in index.paths("*.yaml", "**/*.yaml", "*.yml", "**/*.yml"):
        for n, doc in enumerate(index.yaml(path).docs):
            if isinstance(doc.data, dict):
                yield path, n, doc.data


TF_BLOCK = re.compile(r'^[ \t]*(resource|module)\s+"([\w-]+)"(?:\s+"([\w-]+)")?\s*\{', re.M)


def tf_blocks(index: RepoIndex) -> Iterable[tuple[str, int, str, str, str]]:
    """(path, line, block kind, resource type or module name, body) of every Terraform resource/module block."""
    for path in files_of(index, (".tf",)):
        text = index.text(path) or ""
        for m in TF_BLOCK.finditer(text):
            body = text[m.end() : _block_end(text, m.end())]
            yield path, text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2), body


def _block_end(text: str, start: int) -> int:
    depth = 1
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text)
