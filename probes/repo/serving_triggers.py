"""What sets scoring or retraining off: alert webhooks and anomaly detectors routed to scoring, business
events (queues, streams, event grids) consumed by scoring code, and code that dispatches a retraining run."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from probes.repo._ml import (
    CODE,
    code_files,
    confidence_for,
    facts,
    loc,
    local_imports,
    method_calls,
    predict_calls,
    repo_of,
    retrain_trigger_senders,
    route_decorators,
)
from probes.repo.ml_manifests import dig, mapping, terraform, walk, yaml_docs
from probes.repo.serving_scoring import scoring_sites
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe, verdict
from scanner.views import Views

SCORING_WORDS = re.compile(r"scor(e|ing)|predict|infer|model", re.I)
ALERT_ROUTE = re.compile(r"alert|webhook|alarm|anomal|incident", re.I)
STREAM_ANOMALY = re.compile(r"AnomalyDetection_(SpikeAndDip|ChangePoint)|org\.apache\.flink\.cep")
ACTION_RECEIVERS = ("webhook_receiver", "azure_function_receiver", "logic_app_receiver")
FUNCTION_TRIGGERS = (
    "event_grid_trigger",
    "service_bus_queue_trigger",
    "service_bus_topic_trigger",
    "event_hub_message_trigger",
    "kafka_trigger",
    "queue_trigger",
    "cosmos_db_trigger",
)
BINDING_TRIGGERS = (
    "eventGridTrigger",
    "serviceBusTrigger",
    "eventHubTrigger",
    "kafkaTrigger",
    "queueTrigger",
    "cosmosDBTrigger",
)
CONSUMERS = (
    "KafkaConsumer",
    "confluent_kafka.Consumer",
    "AIOKafkaConsumer",
    "EventHubConsumerClient",
    "ServiceBusClient",
    "SubscriberClient",
    "basic_consume",
    "receive_message",
    "receive_messages",
)
LAMBDA_EVENTS = ("SQS", "EventBridgeRule", "Kinesis", "DynamoDB", "MSK", "SNS", "CloudWatchEvent")
EVENT_KINDS = {("keda.sh", "ScaledObject"), ("argoproj.io", "Sensor"), ("dapr.io", "Subscription")}


def _scores(index: RepoIndex, f: PyFacts) -> bool:
    scoring = {s.path for s in scoring_sites(index)}
    return bool(predict_calls(f) or method_calls(f, "load_model") or local_imports(index, f) & scoring)


@probe(
    "code.scoring_on_alert",
    summary="Alerts or stream anomaly detectors routed to scoring (alert webhooks to "
    "scoring handlers, Azure Monitor action groups, Stream Analytics anomaly functions, Flink CEP)",
    evidence=("file",),
    remediation="Route alerts and stream anomaly detections to a scoring handler (alert webhooks, Azure Monitor "
    "action groups, Flink CEP), so that scoring reacts to what monitoring sees.",
)
def scoring_on_alert(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites: list[Location] = []
    for path in code_files(index, notebooks=False):
        f = facts(index, path)
        routes = {line for _, line in route_decorators(f)}
        alert = [c for c in f.calls if c.line in routes and any(ALERT_ROUTE.search(s) for s in c.str_args)]
        if alert and _scores(index, f):
            sites.append(loc(index, path, alert[0].line))
    for d in yaml_docs(index):
        for keys, value in walk(d.data, depth=8):
            in_webhook = any("webhook" in str(k).lower() for k in keys)
            if in_webhook and keys and keys[-1] == "url" and isinstance(value, str) and SCORING_WORDS.search(value):
                sites.append(loc(index, d.path, d.line(*keys)))
    for b in terraform(index, "azurerm_monitor_action_group", enabled=True):
        receivers = [r for kind in ACTION_RECEIVERS for r in b.nested(kind)]
        if any(SCORING_WORDS.search(r) for r in receivers):
            sites.append(loc(index, b.path, b.line))
    sites += [loc(index, m.path, m.line) for m in index.grep(STREAM_ANOMALY, index.paths(kinds=CODE))]
    return [
        verdict(
            views,
            "code.scoring_on_alert",
            sites,
            f"{len(sites)} alert/anomaly routes into scoring",
            "no alert or anomaly detector routed to scoring",
        )
    ]


def _code_event_sites(index: RepoIndex) -> list[Location]:
    out = []
    for path in code_files(index, notebooks=False):
        f = facts(index, path)
        triggers = [(n, line) for n, line in f.decorators if n.rsplit(".", 1)[-1] in FUNCTION_TRIGGERS]
        triggers += [(c.name, c.line) for c in f.calls_to(*CONSUMERS)]
        triggers += [(n, line) for n, line in f.decorators if n in ("metaflow.trigger", "metaflow.trigger_on_finish")]
        if triggers and _scores(index, f):
            out.append(loc(index, path, min(line for _, line in triggers)))
    for path in index.paths("function.json", "**/function.json", kinds=CODE):
        bindings = dig(index.json(path), "bindings") or []
        if any(isinstance(b, dict) and b.get("type") in BINDING_TRIGGERS for b in bindings):
            folder = str(PurePosixPath(path).parent)
            handler = next(
                (p for p in code_files(index, notebooks=False) if str(PurePosixPath(p).parent) == folder), None
            )
            if handler and _scores(index, facts(index, handler)):
                out.append(loc(index, path))
    return out


def _config_event_sites(index: RepoIndex) -> list[Location]:
    out = []
    for d in yaml_docs(index):
        if any(d.api.startswith(api) and d.kind == kind for api, kind in EVENT_KINDS):
            out.append(loc(index, d.path, d.line("kind")))
        for name, res in mapping(dig(d.data, "Resources")).items():
            events = dig(res, "Properties", "Events")
            if isinstance(events, dict) and any(dig(e, "Type") in LAMBDA_EVENTS for e in events.values()):
                out.append(loc(index, d.path, d.line("Resources", name)))
    out += [loc(index, b.path, b.line) for b in terraform(index, "aws_lambda_event_source_mapping", enabled=True)]
    return out


@probe(
    "code.scoring_event_driven",
    summary="Scoring started by business events: Azure Functions event triggers, "
    "queue/stream consumers calling predict, Lambda event sources, KEDA, Argo Events, Dapr, Metaflow @trigger",
    evidence=("file",),
    remediation="Trigger scoring from business events (queue or stream consumers, event-triggered functions, "
    "KEDA or Argo Events) rather than by hand or a fixed schedule only.",
)
def scoring_event_driven(views: Views) -> list[Finding]:
    index = repo_of(views)
    code_sites = _code_event_sites(index)
    if code_sites:
        msg = f"{len(code_sites)} event-triggered handlers call the model"
        return [hit(views, "code.scoring_event_driven", code_sites, msg, values={"count": len(code_sites)})]
    config = _config_event_sites(index)
    scoring = scoring_sites(index)
    if config and scoring:
        msg = f"{len(config)} event trigger configs beside scoring code (which handler they start is not traced)"
        return [
            hit(
                views,
                "code.scoring_event_driven",
                config,
                msg,
                confidence="low",
                values={"count": len(config), "scoring_files": len({s.path for s in scoring})},
            )
        ]
    absent = "event trigger configs, but no scoring code" if config else "no event-driven scoring"
    return [miss(views, "code.scoring_event_driven", absent, values={"event_configs": len(config)})]


@probe(
    "code.retrain_trigger_sender",
    summary="Code that starts a retraining run on drift or degradation "
    "(repository_dispatch, workflow dispatch, gh workflow run)",
    evidence=("file",),
    remediation="Have the monitoring code start retraining when drift or degradation is detected "
    "(repository_dispatch, a workflow dispatch or the pipeline's API).",
)
def retrain_trigger_sender(views: Views) -> list[Finding]:
    index = repo_of(views)
    senders = retrain_trigger_senders(index)
    retrain = [s for s in senders if s.retrain]
    values = {"count": len(retrain), "other_dispatches": len(senders) - len(retrain)}
    if retrain:
        mechanisms = sorted({s.mechanism for s in retrain})
        msg = f"{len(retrain)} retrain/drift dispatches ({', '.join(mechanisms)})"
        return [
            hit(
                views,
                "code.retrain_trigger_sender",
                [loc(index, s.path, s.line) for s in retrain],
                msg,
                confidence=confidence_for(s.path for s in retrain),
                values=values,
            )
        ]
    why = f" ({len(senders)} workflow dispatches unrelated to retraining)" if senders else ""
    return [miss(views, "code.retrain_trigger_sender", f"no code dispatches a retraining run{why}", values=values)]
