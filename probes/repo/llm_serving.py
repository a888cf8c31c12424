"""Centralised inference access: LLM gateway configs, apps that call through a gateway, and runtime
switching of models/prompts without a redeploy (Inference Resources, Deployment in docs/model.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from probes.repo._llm import (
    CODE,
    NOTEBOOK,
    Ev,
    file_ev,
    files_of,
    find_js,
    find_py,
    index_of,
    is_dev_config,
    weigh,
    where,
    yaml_docs,
)
from probes.repo.llm_prompts import alias_uses
from probes.repo.llm_scan import scan
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import probe
from scanner.views import Views

GATEWAY_HOST = re.compile(
    r"(?i)litellm|gateway|llm-?proxy|ai-?proxy|azure-api\.net|portkey|helicone|:4000\b|\bapim\b|\bkong\b"
)
APIM_POLICY = re.compile(
    r"\b(?:azure-openai|llm)-(?:token-limit|emit-token-metric|semantic-cache-lookup|semantic-cache-store)\b"
    r"|\bllm-content-safety\b"
)
GATEWAY_IMAGE = re.compile(r"berriai/litellm|portkeyai/gateway|envoyproxy/ai-gateway")
AI_PLUGINS = frozenset({"ai-proxy", "ai-proxy-advanced", "ai-rate-limiting-advanced", "ai-prompt-guard"})
CONFIG_FILES = (".yaml", ".yml", ".env", ".tf", ".tfvars", ".bicep", ".json", ".toml", ".ini", ".cfg", ".properties")
ENV_URL = re.compile(
    r"""\b(\w*(?:BASE_URL|API_BASE|ENDPOINT|BASE_PATH|_HOST|_URL))["']?\s*[:=]\s*["']?([^\s"'#,}]+)"""
    r"""|name:\s*["']?(\w+)["']?\s*\n\s*value:\s*["']?([^\s"'#]+)"""
)
LLM_ENV_NAME = re.compile(
    r"(?i)OPENAI|ANTHROPIC|LLM|LITELLM|OLLAMA|GPT|CLAUDE|GEMINI|BEDROCK|MISTRAL|GROQ|GENAI|AI_GATEWAY|PORTKEY"
    r"|HELICONE|COMPLETION|CHAT_?MODEL"
)
PROXY_HEADERS = re.compile(r"""["'](?:Helicone-Auth|x-portkey-[\w-]+|cf-aig-[\w-]+)["']\s*:""", re.I)
JS_BASE_URL = re.compile(r"""\bbaseURL\s*:\s*(?:["'`]([^"'`]+)|process\.env\.(\w+))""")
FLAG_MODULES = ("ldclient", "UnleashClient", "openfeature", "flagsmith", "growthbook", "configcatclient", "statsig")
JS_FLAGS = r"""["'](?:@launchdarkly/[\w-]+|launchdarkly-[\w-]+|@openfeature/[\w-]+|unleash-client|flagsmith)["']"""


@probe(
    "repo.llm.gateway",
    summary="An LLM gateway configured in the repo: LiteLLM proxy model_list, MLflow gateway endpoints, APIM LLM "
    "policies, Kong ai-proxy, Envoy AI Gateway.",
    remediation="Route LLM traffic through a shared gateway (LiteLLM, APIM, MLflow AI Gateway) with keys, quotas "
    "and model routing in one place.",
    evidence=("file",),
)
def llm_gateway(views: Views) -> list[Finding]:
    index = index_of(views)
    evs = _gateway_configs(index)
    evs += [
        Ev(e.path, e.line, "in-process litellm.Router (not a shared gateway)", "in-process")
        for e in find_py(index, _routers)
    ]
    kinds = ", ".join(sorted({re.split(r" \(|:", e.snippet)[0] for e in evs})[:3])
    return [
        weigh(views, "repo.llm.gateway", evs, f"LLM gateway configuration ({kinds})", "No LLM gateway configuration")
    ]


def _gateway_configs(index: RepoIndex) -> list[Ev]:
    evs = []
    for path, n, data in yaml_docs(index):
        what = _gateway_kind(data)
        if what:
            evs.append(file_ev(index, path, index.yaml(path).docs[n].line(()), what))
    texts = files_of(index, (".xml", ".bicep", ".tf", ".json", ".yaml", ".yml"))
    evs += [file_ev(index, m.path, m.line, f"APIM LLM policy: {m.text}") for m in index.grep(APIM_POLICY, texts)]
    images = files_of(index, (".yaml", ".yml")) + index.paths("Dockerfile*", "**/Dockerfile*")
    evs += [file_ev(index, m.path, m.line, f"gateway image: {m.text}") for m in index.grep(GATEWAY_IMAGE, images)]
    return evs


def _gateway_kind(data: dict[str, Any]) -> str | None:
    models = _find(data, "model_list", 3)
    if isinstance(models, list) and any(isinstance(m, dict) and "litellm_params" in m for m in models):
        return f"LiteLLM proxy model_list ({len(models)} models)"
    endpoints = data.get("endpoints")
    if isinstance(endpoints, list) and any(
        isinstance(e, dict) and (str(e.get("endpoint_type", "")).startswith("llm/") or isinstance(e.get("model"), dict))
        for e in endpoints
    ):
        return "MLflow AI gateway endpoints"
    if str(data.get("apiVersion", "")).startswith("aigateway.envoyproxy.io"):
        return f"Envoy AI Gateway {data.get('kind')}"
    if _plugins(data, 5) & AI_PLUGINS:
        return "Kong AI plugin " + ", ".join(sorted(_plugins(data, 5) & AI_PLUGINS))
    return None


def _find(data: Any, key: str, depth: int) -> Any:
    if not isinstance(data, dict) or depth < 0:
        return None
    if key in data:
        return data[key]
    return next((found for v in data.values() if (found := _find(v, key, depth - 1)) is not None), None)


def _plugins(data: Any, depth: int) -> set[str]:
    if depth < 0:
        return set()
    if isinstance(data, list):
        return {p for item in data for p in _plugins(item, depth - 1)}
    if not isinstance(data, dict):
        return set()
    own = {str(data[k]) for k in ("name", "plugin") if k in data} if "config" in data or "plugin" in data else set()
    return own | {p for v in data.values() for p in _plugins(v, depth - 1)}


def _routers(facts: PyFacts) -> Iterable[tuple[int, str]]:
    return ((c.line, c.name) for c in facts.calls if c.name == "litellm.Router")


@probe(
    "code.llm.uses_gateway",
    summary="LLM clients point at a gateway (base_url/api_base/azure_endpoint or deployed OPENAI_BASE_URL-style "
    "settings naming a gateway host), or send gateway headers.",
    remediation="Point every LLM client at the shared gateway instead of the vendor endpoint.",
    evidence=("file",),
)
def uses_gateway(views: Views) -> list[Finding]:
    index = index_of(views)
    hosts = _gateway_hosts(index)
    env = _env_urls(index)
    values: dict[str, list[str]] = {}
    for e in env:
        name, _, value = e.snippet.partition("=")
        values.setdefault(name, []).append(value)
    evs = [e for e in env if _is_gateway(e.snippet.partition("=")[2], hosts)]
    for f in scan(index).of(CODE, NOTEBOOK):
        for call in f.calls:
            url = call.base_url or "?"
            if url.startswith("$"):  # read from the environment: a gateway-named variable, or set to a gateway
                routed = bool(GATEWAY_HOST.search(url)) or any(_is_gateway(v, hosts) for v in values.get(url[1:], []))
            else:
                routed = url != "?" and _is_gateway(url, hosts)
            if routed:
                evs.append(file_ev(index, f.path, call.line, f"{call.name}(base_url={url})"))
    evs += [file_ev(index, m.path, m.line, m.text) for m in index.grep(PROXY_HEADERS, files_of(index))]
    evs += [e for e in find_js(index, JS_BASE_URL) if _is_gateway(e.snippet, hosts)]
    return [
        weigh(
            views,
            "code.llm.uses_gateway",
            evs,
            "LLM clients routed through a gateway",
            "No LLM client points at a gateway (vendor endpoints or no base URL)",
        )
    ]


def _gateway_hosts(index: RepoIndex) -> set[str]:
    """Service names that run a gateway (compose services, Kubernetes Services named after one)."""
    hosts = set()
    for _, _, data in yaml_docs(index):
        services = data.get("services")
        for name, spec in services.items() if isinstance(services, dict) else []:
            image = str(spec.get("image", "")) if isinstance(spec, dict) else ""
            if GATEWAY_IMAGE.search(image) or GATEWAY_HOST.search(str(name)):
                hosts.add(str(name))
    return hosts


def _env_urls(index: RepoIndex) -> list[Ev]:
    """LLM endpoint settings (NAME=value) in config files; dev files are marked `dev-config`."""
    paths = files_of(index, CONFIG_FILES) + index.by_name(".env.example", ".env.sample", ".env.local")
    paths += index.paths("Dockerfile*", "**/Dockerfile*")
    out = []
    for path in sorted(set(paths)):
        text = index.text(path) or ""
        for m in ENV_URL.finditer(text):
            name, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            if not LLM_ENV_NAME.search(name):
                continue
            line = text.count("\n", 0, m.start()) + 1
            kind = "dev-config" if is_dev_config(path) else where(index, path)
            out.append(Ev(path, line, f"{name}={value}", kind))
    return out


def _is_gateway(url: str, hosts: set[str]) -> bool:
    host = re.sub(r"^\w+://", "", url).split("/", 1)[0].split(":", 1)[0]
    return bool(GATEWAY_HOST.search(url)) or host in hosts


@probe(
    "code.runtime_config_switch",
    summary="Model or prompt chosen at runtime without a redeploy: prompt aliases/labels, feature-flag SDKs, or "
    "LLM providers/models kept in the app's database (admin-switchable) in an LLM app.",
    remediation="Resolve prompts by alias and models through flags or gateway routes, so changes need no redeploy.",
    evidence=("file",),
)
def runtime_config_switch(views: Views) -> list[Finding]:
    index = index_of(views)
    llm_app = any(f.generation for f in scan(index).of(CODE))
    evs = find_py(index, alias_uses) + find_py(index, _flags) + find_js(index, JS_FLAGS)
    evs += find_py(index, _model_tables) + _rb_model_tables(index)
    if not llm_app:  # flags in a repo with no LLM runtime code do not switch models or prompts
        evs = [Ev(e.path, e.line, e.snippet, "no-llm-runtime") for e in evs]
    return [
        weigh(
            views,
            "code.runtime_config_switch",
            evs,
            "Runtime model/prompt switching",
            "No prompt alias or feature flag selects models/prompts at runtime",
            values={"llm_runtime_code": llm_app},
        )
    ]


# Database tables of LLM providers or model settings (Django/SQLAlchemy/SQLModel/ActiveRecord models): the
# model an app uses is then switched by an admin at run time, not by a redeploy.
LLM_TABLE = re.compile(
    r"^(?:\w*(?:LLM|Llm)\w*(?:Provider|Backend|Config|Configuration|Model|Setting)s?"
    r"|(?:Chat|Language)Model(?:Provider|Config|Configuration|Setting)s?|ModelConfiguration)$"
)
TABLE_BASES = re.compile(r"(?:^|\.)(?:Model|Base|DeclarativeBase|SQLModel|Document)$")
RB_TABLE = re.compile(r"^\s{0,8}class\s+(\w{3,60})\s*<\s*(?:ApplicationRecord|ActiveRecord::Base)\b", re.M)


def _model_tables(facts: PyFacts) -> Iterable[tuple[int, str]]:
    for name, bases, line in facts.classes:
        if LLM_TABLE.match(name) and any(TABLE_BASES.search(b) for b in bases):
            yield line, f"class {name}({', '.join(bases)}): LLM settings in the database"


def _rb_model_tables(index: RepoIndex) -> list[Ev]:
    out = []
    for path in index.by_suffix(".rb"):
        text = index.text(path) or ""
        for m in RB_TABLE.finditer(text) if "Record" in text else ():
            if LLM_TABLE.match(m.group(1)):
                line = text.count("\n", 0, m.start()) + 1
                out.append(Ev(path, line, f"class {m.group(1)}: LLM settings in the database", where(index, path)))
    return out


def _flags(facts: PyFacts) -> Iterable[tuple[int, str]]:
    if facts.imported(*FLAG_MODULES) is None:
        return []
    return [
        (c.line, c.name)
        for c in facts.calls
        if c.name.split(".")[0] in FLAG_MODULES
        or c.name.rsplit(".", 1)[-1] in ("variation", "is_enabled", "get_boolean_value", "get_string_value")
    ]
