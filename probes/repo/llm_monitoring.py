"""LLM monitoring: production tracing, user feedback capture, alert rules on LLM metrics
(Monitoring in docs/model.md; guardrails are in llm_guardrails)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from probes.repo._llm import (
    CODE,
    Ev,
    file_ev,
    files_of,
    find_js,
    find_py,
    index_of,
    is_dev_config,
    locations,
    tf_blocks,
    weigh,
    where,
    yaml_docs,
)
from probes.repo.llm_scan import scan
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import miss, probe
from scanner.views import Views

LLM_FLAVORS = frozenset(
    {
        "openai", "langchain", "anthropic", "llama_index", "dspy", "bedrock", "gemini", "litellm", "autogen",
        "crewai", "groq", "mistral", "smolagents", "pydantic_ai", "agno", "strands", "semantic_kernel",
        "openai_agents",
    }
)  # fmt: skip
TRACE_DECORATORS = (
    "langfuse.decorators.observe",
    "langfuse.observe",
    "langsmith.traceable",
    "langsmith.run_helpers.traceable",
    "mlflow.trace",
    "weave.op",
)
TRACE_CALLS = (
    "langsmith.wrappers.wrap_openai",
    "traceloop.sdk.Traceloop.init",
    "phoenix.otel.register",
    "configure_azure_monitor",
    "weave.init",
    "openlit.init",
    "agentops.init",
    "mlflow.start_span",
    "logfire.instrument_openai",
    "logfire.instrument_anthropic",
    "langfuse.callback.CallbackHandler",
    "langfuse.langchain.CallbackHandler",
)
# cheap filter before TRACE_ENV
TRACE_ENV_WORDS = ("tracing", "langfuse", "traceloop", "phoenix", "arize", "helicone", "otel_", "braintrust")
TRACE_ENV = re.compile(
    r"""\b(?:LANGSMITH_TRACING|LANGCHAIN_TRACING_V2)["']?\s*[:=]\s*["']?true|\b(?:LANGFUSE_(?:PUBLIC_KEY|SECRET_KEY"""
    r"""|HOST|BASE_URL)|TRACELOOP_\w+|PHOENIX_COLLECTOR_ENDPOINT|ARIZE_\w+|HELICONE_API_KEY)["']?\s*[:=]\s*\S"""
    r"""|OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT|AZURE_TRACING_GEN_AI_CONTENT_RECORDING_ENABLED"""
    # Kubernetes/Helm env entries (`- name: LANGSMITH_TRACING` with the value or a secret on the next line)
    r"""|\bname:\s{0,4}["']?(?:LANGSMITH_TRACING|LANGCHAIN_TRACING_V2|LANGFUSE_(?:PUBLIC_KEY|SECRET_KEY|HOST|BASE_URL)"""
    r"""|TRACELOOP_API_KEY|PHOENIX_COLLECTOR_ENDPOINT|BRAINTRUST_API_KEY)\b|\bBRAINTRUST_API_KEY["']?\s*[:=]\s*\S""",
    re.I,
)
JS_TRACING = (
    r"\bobserveOpenAI\s*\(|\btraceable\s*\(|\bwrapOpenAI\s*\(|@traceloop/node-server-sdk|@arizeai/openinference"
    r"|experimental_telemetry\s*:\s*\{\s*isEnabled\s*:\s*true|from\s+[\"']langfuse"
)
CONFIG = (".yaml", ".yml", ".env", ".tf", ".tfvars", ".bicep", ".json", ".toml", ".py", ".ipynb", ".ts", ".js")
LLM_METRIC = re.compile(
    r"(?i)gen_ai|genai|\bllm|token|openai|completion|prompt|eval_?score|judge|hallucinat|guardrail|litellm"
    r"|time_to_first_token|ttft|cognitiveservices"
)
ALERT_TF = frozenset(
    {
        "azurerm_monitor_scheduled_query_rules_alert",
        "azurerm_monitor_scheduled_query_rules_alert_v2",
        "azurerm_monitor_metric_alert",
        "datadog_monitor",
        "grafana_rule_group",
        "aws_cloudwatch_metric_alarm",
        "google_monitoring_alert_policy",
    }
)


@probe(
    "code.llm.tracing",
    summary="LLM tracing in runtime code or deployed config (Langfuse, LangSmith, Traceloop, OpenInference, Phoenix, "
    "MLflow tracing, Azure Monitor, Weave); settings only in .env.example, dev compose or notebooks do not count.",
    remediation="Instrument the deployed app (e.g. mlflow.openai.autolog, Langfuse @observe) and enable it in the "
    "deployed configuration, not only locally.",
    evidence=("file",),
)
def llm_tracing(views: Views) -> list[Finding]:
    index = index_of(views)
    evs = find_py(index, _tracing_calls) + find_js(index, JS_TRACING) + _trace_env(index)
    deployed = [e for e in evs if e.where == CODE]
    if deployed or not evs:
        return [
            weigh(
                views,
                "code.llm.tracing",
                deployed,
                "LLM tracing in runtime code/deployed config",
                "No LLM tracing in code or config",
            )
        ]
    kinds = "/".join(sorted({e.where for e in evs}))
    msg = f"LLM tracing only in {kinds} files ({len(evs)}); dev-only tracing does not count"
    return [miss(views, "code.llm.tracing", msg, values={"dev_only": len(evs)}, locations=locations(index, evs))]


def _tracing_calls(facts: PyFacts) -> Iterable[tuple[int, str]]:
    for name, line in facts.decorators:
        if name in TRACE_DECORATORS or (
            name.endswith((".observe", ".traceable")) and facts.imported("langfuse", "langsmith") is not None
        ):
            yield line, "@" + name
    for module in ("langfuse.openai", "openinference.instrumentation", "opentelemetry.instrumentation.openai"):
        first = facts.imported(module)
        if first is not None:
            yield first, f"import {module}"
    for call in facts.calls:
        parts = call.name.split(".")
        if call.name.endswith(TRACE_CALLS) or (
            parts[0] == "mlflow" and len(parts) == 3 and parts[1] in LLM_FLAVORS and parts[2] == "autolog"
        ):
            yield call.line, call.name


def _trace_env(index: RepoIndex) -> list[Ev]:
    paths = sorted(set(files_of(index, CONFIG) + index.paths("Dockerfile*", "**/Dockerfile*", ".env*", "**/.env*")))
    paths = [p for p in paths if any(w in (index.text(p) or "").lower() for w in TRACE_ENV_WORDS)]
    out = []
    for m in index.grep(TRACE_ENV, paths):
        kind = "dev-config" if is_dev_config(m.path) else where(index, m.path)
        out.append(Ev(m.path, m.line, re.sub(r"([:=]\s*[\"']?)\S{8,}", r"\1<value>", m.text), kind))
    return out


FEEDBACK_WORD = re.compile(r"(?i)feedback|ratings?\b|rate_|thumbs|upvote|downvote")
ROUTE_CALLS = frozenset({"post", "put", "patch", "route", "api_route", "path", "re_path", "add_url_rule"})
# Front ends posting feedback or ratings (fetch/axios/client calls whose URL names them).
JS_FEEDBACK_ROUTE = r"""(?:\.(?:post|put|patch)|\bfetch)\s*\(\s*["'`][^"'`\n]{0,200}?(?:feedback|ratings?\b|thumbs)"""


@probe(
    "code.llm.feedback_capture",
    summary="User or reviewer feedback recorded against traces: Langfuse scores, LangSmith feedback, "
    "mlflow.log_feedback, feedback endpoints in an LLM app.",
    remediation="Capture user feedback (thumbs, ratings) with the trace id and send it to the tracing backend.",
    evidence=("file",),
)
def feedback_capture(views: Views) -> list[Finding]:
    index = index_of(views)
    llm_app = any(f.generation for f in scan(index).of(CODE))
    evs = find_py(
        index, _feedback_calls, index.python_calling_named(*FEEDBACK_METHODS) | index.python_calling(*MLFLOW_FEEDBACK)
    )
    evs += find_js(
        index,
        r"\.score\s*\(|\.score\.create\s*\(|\bcreateScore\s*\(|\bcreateFeedback\s*\(",
        requires=r"langfuse|langsmith",
    )
    if llm_app:
        routes = find_py(index, _feedback_routes, index.python_calling_named(*sorted(ROUTE_CALLS)))
        routes += find_js(index, JS_FEEDBACK_ROUTE)
        routes += [file_ev(index, p, None, "feedback route") for p in index.paths("**/api/feedback/route.*")]
        evs += routes
    return [weigh(views, "code.llm.feedback_capture", evs, "Feedback capture", "No feedback capture")]


LANGFUSE_SCORES = ("score", "create_score", "score_current_trace", "score_current_span")
FEEDBACK_METHODS = (*LANGFUSE_SCORES, "create_feedback")
MLFLOW_FEEDBACK = ("mlflow.log_feedback", "mlflow.log_assessment")


def _feedback_calls(facts: PyFacts) -> Iterable[tuple[int, str]]:
    langfuse = facts.imported("langfuse") is not None
    langsmith = facts.imported("langsmith") is not None
    for call in facts.calls:
        last = call.name.rsplit(".", 1)[-1]
        if (
            (langfuse and last in LANGFUSE_SCORES)
            or (langsmith and last == "create_feedback")
            or call.name in MLFLOW_FEEDBACK
        ):
            yield call.line, call.name


def _feedback_routes(facts: PyFacts) -> Iterable[tuple[int, str]]:
    for call in facts.calls:
        if call.name.rsplit(".", 1)[-1] in ROUTE_CALLS and any(FEEDBACK_WORD.search(s) for s in call.str_args):
            yield call.line, f"{call.name}({call.str_args[0]!r})"


@probe(
    "iac.llm.alerts",
    summary="Alert rules on LLM metrics (gen_ai/token/latency/eval scores): PrometheusRule, Grafana alerting, Azure "
    "Monitor/CloudWatch/Datadog monitors; rules routed only to a null receiver weigh low.",
    remediation="Alert on token usage, latency, error rate and eval scores of the LLM app, routed to a real receiver.",
    evidence=("file",),
)
def llm_alerts(views: Views) -> list[Finding]:
    index = index_of(views)
    llm_app = any(f.generation for f in scan(index).of(CODE))
    evs: list[Ev] = []
    null = _null_routed(index)
    for path, n, data in yaml_docs(index):
        for rule in _rules(data, 8):
            text = str(rule.get("expr") or rule.get("data") or "")
            if LLM_METRIC.search(text) or (llm_app and re.search(r"(?i)latency|duration|error", text)):
                kind = (
                    ("null-receiver" if null else where(index, path)) if LLM_METRIC.search(text) else "generic-metric"
                )
                label = rule.get("alert") or rule.get("title")
                evs.append(Ev(path, index.yaml(path).docs[n].line(()), f"alert {label}: {text[:80]}", kind))
    for path, line, kind, rtype, body in tf_blocks(index):
        if kind == "resource" and rtype in ALERT_TF and (LLM_METRIC.search(body) or "application_insights" in body):
            evs.append(Ev(path, line, rtype, where(index, path) if LLM_METRIC.search(body) else "generic-metric"))
    bicep = [p for p in files_of(index, (".bicep",)) if LLM_METRIC.search(index.text(p) or "")]
    evs += [
        file_ev(index, m.path, m.line, m.text)
        for m in index.grep(r"Microsoft\.Insights/(?:scheduledQueryRules|metricAlerts)@", bicep)
    ]
    return [
        weigh(
            views,
            "iac.llm.alerts",
            evs,
            "Alert rules on LLM metrics",
            "No alert rules on LLM metrics",
            values={"null_receiver": null},
        )
    ]


def _rules(data: Any, depth: int) -> Iterable[dict[str, Any]]:
    """Prometheus (alert + expr) and Grafana (title + data) alert rules anywhere in a YAML document."""
    if depth < 0:
        return
    if isinstance(data, dict):
        if ("alert" in data and "expr" in data) or ("title" in data and "data" in data and "condition" in data):
            yield data
            return
        for value in data.values():
            yield from _rules(value, depth - 1)
    elif isinstance(data, list):
        for item in data:
            yield from _rules(item, depth - 1)


def _null_routed(index: RepoIndex) -> bool:
    """An Alertmanager config in the repo (plain, Helm values or CRD) whose routes all end at receivers with
    no notifier, such as the common `null` receiver."""
    configs = [c for _, _, data in yaml_docs(index) for c in _alertmanager(data, 4)]
    if not configs:
        return False  # receivers live elsewhere: unknown, so not a pitfall
    for config in configs:
        route, receivers = config["route"], config["receivers"]
        live = {r.get("name") for r in receivers if isinstance(r, dict) and any(str(k).endswith("_configs") for k in r)}
        used = {route.get("receiver")} | {r.get("receiver") for r in route.get("routes") or [] if isinstance(r, dict)}
        if used & live:
            return False
    return True


def _alertmanager(data: Any, depth: int) -> Iterable[dict[str, Any]]:
    if depth < 0 or not isinstance(data, dict):
        return
    if isinstance(data.get("route"), dict) and isinstance(data.get("receivers"), list):
        yield data
        return
    for value in data.values():
        yield from _alertmanager(value, depth - 1)
