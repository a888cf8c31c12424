"""Where prompts live: inline literals, a prompt registry, aliases, automated optimisation
(Prompt Management in docs/model.md; prompt files are in llm_promptfiles)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from probes.repo._llm import (
    CODE,
    NOTEBOOK,
    file_ev,
    find_js,
    find_py,
    index_of,
    locations,
    short,
    weigh,
)
from probes.repo.llm_scan import scan
from scanner.facts.python_facts import PyFacts
from scanner.model import Finding
from scanner.probekit import miss, probe
from scanner.views import Views

OPTIMIZERS = frozenset(
    {
        "MIPROv2", "MIPRO", "BootstrapFewShot", "BootstrapFewShotWithRandomSearch", "BootstrapFinetune", "GEPA",
        "COPRO", "SIMBA", "KNNFewShot", "LabeledFewShot", "BetterTogether",
    }
)  # fmt: skip
ALIAS_URI = re.compile(r"prompts:/[^@/\s\"']+@[A-Za-z][\w-]*")
PINNED_URI = re.compile(r"prompts:/[^@/\s\"']+/\d+")


@probe(
    "code.prompts.inline",
    summary="Prompt literals (system prompts, templates) written inline and flowing into LLM calls.",
    remediation="Move prompts into versioned files or a prompt registry, loaded by name.",
    evidence=("file",),
)
def prompts_inline(views: Views) -> list[Finding]:
    index = index_of(views)
    files = scan(index).of(CODE, NOTEBOOK)
    evs = [file_ev(index, f.path, line, short(text)) for f in files for line, text in f.prompts]
    return [
        weigh(
            views,
            "code.prompts.inline",
            evs,
            "Inline prompt literals passed to LLM calls",
            "No prompt literal flows into an LLM call (strings such as error messages do not count)",
        )
    ]


@probe(
    "code.prompt_registry",
    summary="Prompts loaded from or registered in a prompt registry (MLflow, Langfuse, LangSmith hub, PromptLayer).",
    remediation="Register prompts in a registry and load them by name in the application.",
    evidence=("file",),
)
def prompt_registry(views: Views) -> list[Finding]:
    index = index_of(views)
    evs = find_py(index, _registry_calls, index.python_calling_named(*REGISTRY_CALLS))
    evs += find_js(index, r"\.getPrompt\s*\(|\bhub\.pull\s*\(|\bpullPrompt\s*\(", requires=r"langfuse|langchain")
    return [weigh(views, "code.prompt_registry", evs, "Prompt registry calls", "No prompt registry calls")]


# the last names of the calls `_registry_calls` reports (`hub.pull`, promptlayer's `templates.get`)
REGISTRY_CALLS = (
    "register_prompt",
    "load_prompt",
    "search_prompts",
    "pull",
    "pull_prompt",
    "push_prompt",
    "get_prompt",
    "create_prompt",
    "get",
)


def _registry_calls(facts: PyFacts) -> Iterable[tuple[int, str]]:
    langfuse = facts.imported("langfuse") is not None
    langsmith = facts.imported("langsmith", "langchain", "langchainhub") is not None
    promptlayer = facts.imported("promptlayer") is not None
    for call in facts.calls:
        last = call.name.rsplit(".", 1)[-1]
        mlflow = call.name.startswith("mlflow.") and last in ("register_prompt", "load_prompt", "search_prompts")
        hub = langsmith and (call.name.endswith("hub.pull") or last in ("pull_prompt", "push_prompt"))
        if (
            mlflow
            or hub
            or (langfuse and last in ("get_prompt", "create_prompt"))
            or (promptlayer and call.name.endswith("templates.get"))
        ):
            yield call.line, call.name


@probe(
    "code.prompt_alias_resolution",
    summary="Prompts resolved through aliases or labels (prompts:/name@alias, set_prompt_alias, Langfuse label=).",
    remediation="Load prompts by alias (e.g. @production) so a prompt can change without a redeploy.",
    evidence=("file",),
)
def prompt_alias_resolution(views: Views) -> list[Finding]:
    index = index_of(views)
    evs = find_py(index, alias_uses)
    evs += find_js(index, ALIAS_URI)
    evs += find_js(index, r"\.getPrompt\s*\([^)]*\blabel\s*:", requires=r"langfuse")
    pinned = find_py(index, lambda f: ((line, s) for line, s in f.strings if PINNED_URI.fullmatch(s.strip())))
    values: dict[str, object] = {"pinned_version_loads": len(pinned)}
    if not evs and pinned:
        msg = f"{len(pinned)} prompt load(s) pin a version number; no alias or label is resolved"
        return [miss(views, "code.prompt_alias_resolution", msg, values=values, locations=locations(index, pinned))]
    return [
        weigh(
            views,
            "code.prompt_alias_resolution",
            evs,
            "Prompt alias/label resolution",
            "No prompt alias or label resolution",
            values=values,
        )
    ]


def alias_uses(facts: PyFacts) -> Iterable[tuple[int, str]]:
    """Alias URIs as constants or call arguments (not inside docstrings), set_prompt_alias, labels, tags."""
    for line, text in facts.strings:
        if ALIAS_URI.fullmatch(text.strip()):
            yield line, text.strip()
    langfuse = facts.imported("langfuse") is not None
    langsmith = facts.imported("langsmith") is not None
    for call in facts.calls:
        last = call.name.rsplit(".", 1)[-1]
        if any(ALIAS_URI.search(s) for s in call.str_args) and last in ("load_prompt", "get_prompt", "format"):
            yield call.line, f"{call.name}({call.str_args[0]!r})"
        elif last == "set_prompt_alias":
            yield call.line, call.name
        elif langfuse and last == "get_prompt" and "label" in call.kwargs:
            yield call.line, f"{call.name}(label=...)"
        elif langsmith and last == "pull_prompt" and any(re.search(r":(?![0-9a-f]{8,}$)\w", s) for s in call.str_args):
            yield call.line, f"{call.name}({call.str_args[0]!r})"


@probe(
    "code.prompt_optimization",
    summary="Automated prompt optimisation (mlflow.genai.optimize_prompts, DSPy optimisers with compile, TextGrad).",
    remediation="Automate prompt refinement against an evaluation set, and register the winning prompt.",
    evidence=("file",),
)
def prompt_optimization(views: Views) -> list[Finding]:
    index = index_of(views)
    maybe = index.python_calling_under("mlflow.genai", "dspy", "textgrad", "adalflow")
    evs = find_py(index, _optimizers, maybe | index.python_calling_named(*PROMPT_OPTIMIZERS))
    return [weigh(views, "code.prompt_optimization", evs, "Prompt optimisation", "No prompt optimisation code")]


PROMPT_OPTIMIZERS = ("GepaPromptOptimizer", "MetaPromptOptimizer")


def _optimizers(facts: PyFacts) -> Iterable[tuple[int, str]]:
    compiles = bool(facts.calls_to("compile"))
    for call in facts.calls:
        last = call.name.rsplit(".", 1)[-1]
        if call.name.startswith("mlflow.genai.optimize_prompt") or last in PROMPT_OPTIMIZERS:
            yield call.line, call.name
        elif call.name.startswith("dspy.") and last in OPTIMIZERS and compiles:
            yield call.line, f"{call.name} + compile()"
        elif (call.name.startswith("textgrad.") and last in ("TextualGradientDescent", "TGD")) or (
            call.name.startswith("adalflow.") and last == "Trainer"
        ):
            yield call.line, call.name
