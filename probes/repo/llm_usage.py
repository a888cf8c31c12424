"""Does the repo use LLMs at all, how ad hoc are its calls, and are personal API keys set in code?"""

from __future__ import annotations

import re

from probes.repo._llm import CODE, NOTEBOOK, TEST, Ev, FileLlm, file_ev, files_of, index_of, locations
from probes.repo.llm_scan import scan
from scanner.model import Finding
from scanner.probekit import hit, miss, probe
from scanner.views import Views

LLM_DEPS = (
    "openai", "anthropic", "google-genai", "google-generativeai", "ollama", "litellm", "langchain",
    "langchain-core", "langchain-openai", "langchain-community", "langgraph", "llama-index", "llama-index-core",
    "semantic-kernel", "dspy", "dspy-ai", "haystack-ai", "mistralai", "cohere", "groq", "@anthropic-ai/sdk",
    "ai", "@ai-sdk/openai", "@google/generative-ai", "@google/genai", "@langchain/core", "@langchain/openai",
    "llamaindex", "@azure/openai", "@aws-sdk/client-bedrock-runtime", "ruby-openai", "aws-sdk-bedrockruntime",
    "langchainrb", "ruby-llm",
)  # fmt: skip
KEY_LITERAL = re.compile(
    r"\b(?:sk-(?:proj-|ant-(?:api\d+-)?)?[A-Za-z0-9_\-]{20,}|AIza[0-9A-Za-z_\-]{35}|gsk_[A-Za-z0-9]{40,}"
    r"|hf_[A-Za-z0-9]{30,})"
)
KEY_FILES = (
    ".py", ".ipynb", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".json", ".yaml", ".yml", ".toml", ".ini",
    ".cfg", ".env", ".txt", ".conf", ".properties",
)  # fmt: skip


def _fake(key: str) -> bool:
    """Documentation keys: sequences, repeated characters, `xxxx`."""
    body = re.sub(r"^(?:sk-(?:proj-|ant-(?:api\d+-)?)?|AIza|gsk_|hf_)", "", key).lower()
    return (
        len(set(body)) < 10
        or re.search(r"(.)\1{7}", body) is not None
        or any(s in body for s in ("1234567890", "0123456789", "abcdefghij", "xxxx", "your", "fake", "invalid"))
    )


@probe(
    "repo.llm.present",
    summary="The repo's own runtime code calls an LLM SDK or framework (decides whether the LLMOps area applies).",
    remediation="None needed: this probe only tells whether LLMOps practices apply to the repo.",
    evidence=("file",),
)
def llm_present(views: Views) -> list[Finding]:
    index = index_of(views)
    files = scan(index).of()
    runtime = [f for f in files if f.where == CODE and f.generation]
    values: dict[str, object] = {
        "runtime_files": len(runtime),
        "notebook_files": sum(1 for f in files if f.where == NOTEBOOK and f.generation),
        "test_files": sum(1 for f in files if f.where == TEST and f.generation),
        "embedding_only_files": sum(1 for f in files if f.embeddings and not f.generation),
        "import_only_files": sum(1 for f in files if f.where == CODE and f.families and not f.calls),
    }
    if runtime:
        calls = [(f.path, c) for f in runtime for c in f.generation]
        families = sorted({c.family for _, c in calls})
        values.update(count=len(calls), families=families)
        names = ", ".join(f.path for f in runtime[:3])
        msg = f"{len(runtime)} runtime file(s) call LLM SDKs/frameworks ({', '.join(families)}): {names}"
        return [
            hit(views, "repo.llm.present", [index.location(p, c.line, c.name) for p, c in calls], msg, values=values)
        ]
    weak = _weak_evidence(views, files, values)
    if weak:
        return [weak]
    return [
        miss(views, "repo.llm.present", "No LLM SDK or framework in code, notebooks or dependencies", values=values)
    ]


def _weak_evidence(views: Views, files: list[FileLlm], values: dict[str, object]) -> Finding | None:
    """Low-confidence use: notebooks/tests only, embeddings only, imports without calls, dependency lines."""
    index = index_of(views)
    reasons: list[str] = []
    evs: list[Ev] = []
    for label, picked in (
        ("LLM calls only in notebooks/tests", [f for f in files if f.where != CODE and f.generation]),
        ("embeddings only (no generation)", [f for f in files if f.embeddings and not f.generation]),
        ("SDK imported, never called", [f for f in files if f.where == CODE and f.families and not f.calls]),
    ):
        if picked:
            reasons.append(label)
            evs += [file_ev(index, f.path, _first_line(f), label) for f in picked]
    deps = index.declares(*LLM_DEPS)
    values["dependency_lines"] = len(deps)
    if deps and not evs:
        reasons.append("dependency declared, no code uses it")
    if not reasons:
        return None
    msg = "Weak LLM evidence only: " + "; ".join(reasons)
    locs = locations(index, evs) + (deps if not evs else [])
    return hit(views, "repo.llm.present", locs, msg, confidence="low", values=values)


def _first_line(f: FileLlm) -> int | None:
    return f.calls[0].line if f.calls else min(f.families.values(), default=None)


@probe(
    "code.llm.adhoc_calls",
    summary="LLM calls with hard-coded model names, or made from notebooks (organic, ad hoc discovery).",
    remediation="Read model names from configuration or a gateway alias, and move notebook calls into modules.",
    evidence=("file",),
)
def adhoc_calls(views: Views) -> list[Finding]:
    index = index_of(views)
    files = scan(index).of(CODE, NOTEBOOK)
    calls = [(f.path, c) for f in files for c in f.generation if c.role == "generate" or c.model or c.model_from_config]
    if not calls:
        return [miss(views, "code.llm.adhoc_calls", "No LLM SDK calls in code or notebooks")]
    literal = [(p, c) for p, c in calls if c.model]
    notebook = [(p, c) for p, c in calls if p.endswith(".ipynb")]
    adhoc = list(dict.fromkeys(literal + notebook))
    models = sorted({c.model for _, c in literal if c.model})
    values = {
        "count": len(adhoc),
        "calls": len(calls),
        "literal_model_calls": len(literal),
        "notebook_calls": len(notebook),
        "models": models[:10],
        "share_literal": round(len(literal) / len(calls), 2),
    }
    if not adhoc:
        configured = sum(1 for _, c in calls if c.model_from_config)
        msg = f"{len(calls)} LLM call(s) in modules; none hard-codes a model ({configured} read it from config)"
        return [miss(views, "code.llm.adhoc_calls", msg, values=values)]
    locs = [index.location(p, c.line, f"{c.name}(model={c.model!r})" if c.model else c.name) for p, c in adhoc]
    msg = (
        f"{len(literal)} LLM call(s) hard-code a model ({', '.join(models[:4]) or '-'}); "
        f"{len(notebook)} call(s) from notebooks"
    )
    return [hit(views, "code.llm.adhoc_calls", locs, msg, values=values)]


@probe(
    "code.llm.personal_keys",
    summary="LLM API keys set per developer in code or notebooks (literal keys, getpass prompts, per-user secrets).",
    remediation="Use a shared, centrally managed credential (managed identity, gateway, secret store), never keys "
    "pasted into code.",
    evidence=("file",),
)
def personal_keys(views: Views) -> list[Finding]:
    index = index_of(views)
    evs = [file_ev(index, f.path, line, label) for f in scan(index).of() for line, label in f.keys]
    seen = {(e.path, e.line) for e in evs} | {(e.path, None) for e in evs if e.path.endswith(".ipynb")}
    for path in sorted(set(files_of(index, KEY_FILES) + index.by_name(".env.local", ".env.development"))):
        for m in index.grep(KEY_LITERAL, [path]):
            line = None if path.endswith(".ipynb") else m.line  # a JSON line is not a code line
            if (path, line) not in seen and not any(_fake(k) for k in KEY_LITERAL.findall(m.text)):
                seen.add((path, line))
                evs.append(file_ev(index, path, line, "<key-shaped literal, redacted>"))
    fixtures = [e for e in evs if e.where == TEST]  # keys in tests are fixtures, not how the app reaches models
    evs = [e for e in evs if e.where != TEST]
    if not evs:
        msg = "No LLM API keys set or pasted in code, notebooks or config"
        if fixtures:
            msg += f" ({len(fixtures)} key(s) in tests ignored as fixtures)"
        return [miss(views, "code.llm.personal_keys", msg, values={"test_fixtures": len(fixtures)})]
    files = sorted({e.path for e in evs})
    values = {"count": len(evs), "files": len(files), "notebooks": sum(1 for p in files if p.endswith(".ipynb"))}
    msg = f"{len(evs)} LLM API key(s) set in code or config (values redacted): {', '.join(files[:3])}"
    return [hit(views, "code.llm.personal_keys", locations(index, evs), msg, values=values)]
