"""Guardrails around LLM calls: NeMo Guardrails, guardrails-ai, llm_guard, content safety services,
Bedrock guardrails, Azure RAI policies, Llama Guard, Lakera, moderation endpoints (Monitoring in docs/model.md),
and guardrails written by hand: LLM-calling runtime code named as a guardrail, jailbreak or moderation
check (an LLM classifies the question or the answer before it is used)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from probes.repo._llm import (
    CODE,
    Ev,
    basename,
    file_ev,
    files_of,
    find_js,
    find_py,
    index_of,
    tf_blocks,
    weigh,
    where,
    yaml_docs,
)
from probes.repo.llm_judges import llm_callers
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import probe
from scanner.views import Views

GUARD_ROOTS = frozenset({"nemoguardrails", "llm_guard", "lakera_chainguard"})
GUARD_KWARGS = frozenset({"guardrailIdentifier", "guardrailConfig", "guardrail_identifier"})
GUARD_MODELS = re.compile(r"(?i)llama-?guard|shieldgemma|prompt-guard|granite-guardian")
TF_GUARDS = frozenset({"aws_bedrock_guardrail", "azurerm_cognitive_account_rai_policy"})
IAC_TEXT = re.compile(r"\brai_policy_name\s*=|\braiPolicyName\b|Microsoft\.CognitiveServices/accounts/raiPolicies@")
JS_GUARDS = r"""@azure-rest/ai-content-safety|\bguardrailIdentifier\b|\.moderations\.create\s*\(|api\.lakera\.ai"""


@probe(
    "code.guardrails",
    summary="Guardrails on LLM input/output: NeMo Guardrails rails, guardrails-ai Guard, llm_guard scanners, content "
    "safety/moderation APIs, Bedrock guardrails, Azure RAI policies, Llama Guard, Lakera.",
    remediation="Screen prompts and responses with a guardrail layer (NeMo Guardrails, content safety, Bedrock "
    "guardrails) in the serving path.",
    evidence=("file",),
)
def guardrails(views: Views) -> list[Finding]:
    index = index_of(views)
    evs = find_py(index, _guard_calls) + find_js(index, JS_GUARDS) + _hand_written(index)
    nemo, empty = _nemo_configs(index)
    evs += nemo
    evs += [file_ev(index, p, None, "guardrails-ai RAIL spec") for p in index.by_suffix(".rail")]
    evs += [
        file_ev(index, path, line, rtype)
        for path, line, kind, rtype, _ in tf_blocks(index)
        if kind == "resource" and rtype in TF_GUARDS
    ]
    iac = files_of(index, (".tf", ".bicep", ".json"))
    evs += [file_ev(index, m.path, m.line, m.text) for m in index.grep(IAC_TEXT, iac)]
    return [
        weigh(
            views,
            "code.guardrails",
            evs,
            "Guardrails",
            "No guardrails around LLM calls",
            values={"empty_rails_configs": empty},
        )
    ]


HAND_GUARD = re.compile(r"(?i)guardrail|jailbreak|moderat|content_?safety|prompt_?injection")


def _hand_written(index: RepoIndex) -> list[Ev]:
    return [
        Ev(path, None, "hand-written LLM guardrail", CODE)
        for path in sorted(llm_callers(index))
        if where(index, path) == CODE and HAND_GUARD.search(basename(path))
    ]


def _guard_calls(facts: PyFacts) -> Iterable[tuple[int, str]]:
    for call in facts.calls:
        name = call.name
        library = name.split(".")[0] in GUARD_ROOTS or name.startswith(("guardrails.Guard", "azure.ai.contentsafety."))
        if library or GUARD_KWARGS & set(call.kwargs) or name.endswith("moderations.create"):
            yield call.line, name
        elif any(GUARD_MODELS.search(s) for s in call.str_args):
            yield call.line, f"{name}({call.str_args[0]!r})"


def _nemo_configs(index: RepoIndex) -> tuple[list[Ev], int]:
    """NeMo Guardrails config.yml with rails flows or Colang files beside it (a `rails:` block with empty
    flows and no Colang is config present, feature off)."""
    evs: list[Ev] = []
    empty = 0
    colang = {p.rsplit("/", 1)[0] if "/" in p else "" for p in index.by_suffix(".co")}
    for path, n, data in yaml_docs(index):
        rails = data.get("rails")
        if basename(path) not in ("config.yml", "config.yaml") or not isinstance(rails, dict):
            continue
        flows = [f for section in rails.values() for f in _flows(section)]
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        if flows or folder in colang:  # rails flows, or Colang flows next to the config
            evs.append(
                file_ev(index, path, index.yaml(path).docs[n].line(("rails",)), f"NeMo rails: {len(flows)} flows")
            )
        else:
            empty += 1
    return evs, empty


def _flows(section: Any) -> list[str]:
    if not isinstance(section, dict):
        return []
    flows = section.get("flows")
    return [str(f) for f in flows] if isinstance(flows, list) else []
