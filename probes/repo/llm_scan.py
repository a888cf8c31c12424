"""The LLM scan of one repo, built once per RepoIndex and shared by every LLM probe; no probes here.

Python modules and notebooks go through the AST pass (llm_pyscan); TS/JS files through the regexes
below (imports, SDK calls, `model:` literals, system prompts, tool schemas); Ruby files through the
Ruby regexes of llm_rbscan (SDK constants, client calls).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from probes.repo._llm import (
    JS_SUFFIXES,
    LLM_KEY_NAME_RE,
    LLM_KEY_NAMES,
    FileLlm,
    LlmCall,
    files_of,
    is_placeholder,
    is_prose,
    where,
)
from probes.repo.llm_pyscan import scan_python
from probes.repo.llm_rbscan import RB_SUFFIXES, scan_ruby
from probes.repo.llm_sdks import module_family
from scanner.facts.repo_index import RepoIndex

# Besides LLM SDK imports, files worth the deeper pass: Bedrock via boto3, eval frameworks (model lists),
# OpenAI-compatible calls without an SDK import, and files that set vendor API keys.
PY_ALSO = (
    "boto3",
    "deepeval",
    "ragas",
    "mlflow.genai",
    "inspect_ai",
    "lm_eval",
    "azure.ai.evaluation",
    "langsmith",
    "langfuse",
    "promptflow",
    "giskard",
    "evals",
)
TEXT_HINT = re.compile(r"completions\.create|genai\.evaluate|userdata\.get|\b" + LLM_KEY_NAMES, re.I)
JS_FAMILIES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), f)
    for p, f in (
        (r"^openai$|^@azure/openai$", "openai"),
        (r"^@anthropic-ai/sdk", "anthropic"),
        (r"^ai$|^@ai-sdk/", "vercel-ai"),
        (r"^@google/(?:generative-ai|genai)$", "google-genai"),
        (r"^@google-cloud/vertexai$", "vertexai"),
        (r"^ollama(?:/browser)?$", "ollama"),
        (r"^@langchain/|^langchain(?:/|$)", "langchain"),
        (r"^llamaindex", "llama_index"),
        (r"^@aws-sdk/client-bedrock-runtime$", "bedrock"),
        (r"^@mistralai/mistralai$", "mistral"),
        (r"^cohere-ai$", "cohere"),
        (r"^groq-sdk$", "groq"),
    )
)
JS_IMPORT = re.compile(r"""(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^[ \t]*import\s+)["']([^"']+)["']""", re.M)
# (regex, role, families one of which the file must import; empty = any file)
JS_CALLS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = tuple(
    (re.compile(p), role, fams)
    for p, role, fams in (
        (r"\.chat\.completions\.(?:create|parse|stream)\s*\(", "generate", ()),
        (r"\.responses\.create\s*\(", "generate", ("openai",)),
        (r"\.messages\.(?:create|stream)\s*\(", "generate", ("anthropic",)),
        (r"\b(?:generateText|streamText|generateObject|streamObject)\s*\(", "generate", ("vercel-ai",)),
        (
            r"\bnew\s+(?:Converse(?:Stream)?Command|InvokeModel(?:WithResponseStream)?Command)\s*\(",
            "generate",
            ("bedrock",),
        ),
        (r"\.generateContent(?:Stream)?\s*\(", "generate", ("google-genai", "vertexai")),
        (r"\bollama\.(?:chat|generate)\s*\(", "generate", ("ollama",)),
        (r"\bnew\s+(?:Chat[A-Z]\w*|AzureChatOpenAI)\s*\(", "client", ("langchain",)),
        (r"\bnew\s+(?:Azure)?OpenAI\s*\(", "client", ("openai", "langchain", "llama_index")),
        (r"\bnew\s+Anthropic\s*\(", "client", ("anthropic",)),
        (
            r"\b(?:openai|anthropic|google|azure|mistral|bedrock|vertex|groq|ollama)(?:\.\w+)?\(\s*[\"']",
            "client",
            ("vercel-ai",),
        ),
        (r"\.embeddings\.create\s*\(|\bnew\s+\w*Embeddings\s*\(|\.embedContent\s*\(", "embed", ()),
        (r"\bembed(?:Many)?\s*\(", "embed", ("vercel-ai",)),
    )
)
JS_MODEL = re.compile(r"""\bmodel(?:Id|Name)?\s*:\s*(["'`]?)([^"'`,\s})]+)""")
JS_PROVIDER_MODEL = re.compile(r"""^\w+(?:\.\w+)?\(\s*["']([^"']+)["']""")
# Message content after a role, or a system/instructions/prompt field (not any `content:`, which UI code uses).
JS_PROMPT = re.compile(
    r"""(?:\brole\s*:\s*["'](?:system|user|developer)["']\s*,\s*content|\b(?:system|systemPrompt|instructions"""
    r"""|prompt))\s*:\s*(["'`])((?:\\.|(?!\1)[^\\]){20,2000}?)\1""",
    re.S,
)
JS_KEY = re.compile(r"""\bapiKey\s*:\s*["']([^"']+)["']|process\.env\.(\w+)\s*=\s*["']([^"']+)["']""")
JS_TOOLS = re.compile(r"""\btools\s*:\s*[\[{]|\btool\s*\(\s*\{|\.bindTools\s*\(|\btype\s*:\s*["']function["']""")


@dataclass
class RepoLlm:
    files: dict[str, FileLlm]

    def of(self, *wheres: str) -> list[FileLlm]:
        return [f for f in self.files.values() if not wheres or f.where in wheres]


def scan(index: RepoIndex) -> RepoLlm:
    """The LLM facts of every file, computed once per repo and shared by the LLM probes."""
    return index.derived("llm:scan", lambda: RepoLlm(_build(index)))


def _build(index: RepoIndex) -> dict[str, FileLlm]:
    files: dict[str, FileLlm] = {}
    for path in index.python_files():
        facts = index.python(path)
        text = index.text(path) or ""
        if facts is None or facts.error or not _relevant(facts.imports, text):
            continue
        found = scan_python(index.python_tree(path), path, where(index, path))
        if found is not None:
            files[path] = found
    for path in files_of(index, JS_SUFFIXES):
        found = scan_js(index.text(path) or "", path, where(index, path))
        if found.families or found.calls:
            files[path] = found
    for path in files_of(index, RB_SUFFIXES):
        found = scan_ruby(index.text(path) or "", path, where(index, path))
        if found.families or found.calls:
            files[path] = found
    return files


TEXT_HINT_WORDS = ("completions", "genai", "userdata", "_key", "_token")  # cheap filter before TEXT_HINT


def _relevant(imports: dict[str, int], text: str) -> bool:
    if any(module_family(m) or m in PY_ALSO for m in imports):
        return True
    low = text.lower()
    return any(w in low for w in TEXT_HINT_WORDS) and TEXT_HINT.search(text) is not None


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def scan_js(text: str, path: str, where_: str) -> FileLlm:
    out = FileLlm(path, where_)
    for m in JS_IMPORT.finditer(text):
        family = next((f for rx, f in JS_FAMILIES if rx.search(m.group(1))), None)
        if family:
            out.families.setdefault(family, _line(text, m.start()))
    for rx, role, needs in JS_CALLS:
        if needs and not any(f in out.families for f in needs):
            continue
        for m in rx.finditer(text):
            family = next((f for f in needs if f in out.families), needs[0] if needs else "openai")
            model, from_config = _js_model(text, m.start(), m.group(0))
            name = re.sub(r"[\s(\"']+$", "", m.group(0))
            out.calls.append(LlmCall(_line(text, m.start()), name, family, role, model, from_config))
    if not out.calls:
        return out
    for m in JS_PROMPT.finditer(text):
        if is_prose(m.group(2)):
            out.prompts.append((_line(text, m.start()), m.group(2)))
    for m in JS_KEY.finditer(text):
        name, value = ("apiKey", m.group(1)) if m.group(1) is not None else (m.group(2), m.group(3))
        if (name == "apiKey" or LLM_KEY_NAME_RE.match(name)) and not is_placeholder(value):
            out.keys.append((_line(text, m.start()), f"{name} = <literal key, redacted>"))
    out.tool_schemas = [_line(text, m.start()) for m in JS_TOOLS.finditer(text)]
    return out


def _js_model(text: str, start: int, call: str) -> tuple[str | None, bool]:
    provider = JS_PROVIDER_MODEL.match(call + text[start + len(call) : start + len(call) + 120])
    if provider and not call.startswith(("new", ".")):
        return provider.group(1), False
    m = JS_MODEL.search(text, start, start + 600)
    if not m:
        return None, False
    return (m.group(2), False) if m.group(1) else (None, True)
