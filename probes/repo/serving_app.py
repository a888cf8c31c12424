"""How applications get and watch models: registry references, hard-coded model downloads, prediction
telemetry, and deploy commands run by hand."""

from __future__ import annotations

import re

from probes.repo._ml import (
    CODE,
    code_files,
    confidence_for,
    facts,
    grep_sources,
    is_notebook,
    loc,
    method_calls,
    predict_calls,
    repo_of,
    route_decorators,
    training_files,
    words,
)
from probes.repo.serving_scoring import scoring_sites
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import probe, verdict
from scanner.views import Views

REGISTRY_URI = re.compile(r"^models:/[\w.{}-]*[@/]")  # f-strings keep their literal parts: f"models:/{n}@{a}"
REGISTRY_TEXT = re.compile(r"models:/[\w.{}-]+(@[\w{}-]+|/[\w{}-]+)|model-package/|\bgto\s+(show|assign|register)\b")
REGISTRY_CALLS = (
    "ml_client.models.get",
    "azureml.core.Model",
    "azureml.core.model.Model.get_model_path",
    "sagemaker.ModelPackage",
    "sagemaker.model.ModelPackage",
    "ModelPackage",
)
DOWNLOAD_CALLS = (
    "urllib.request.urlretrieve",
    "urlretrieve",
    "requests.get",
    "httpx.get",
    "wget.download",
    "gdown.download",
    "torch.hub.load_state_dict_from_url",
    "get_file",
    "download_file",
    "download_fileobj",
    "BlobClient",
    "BlobClient.from_blob_url",
    "BlobClient.from_connection_string",
)
MODEL_FILE = re.compile(r"\.(pkl|pickle|joblib|onnx|pt|pth|h5|keras|safetensors|ckpt)\b", re.I)
URL = re.compile(r"^(https?|s3|gs|wasbs|abfss)://|\.blob\.core\.windows\.net", re.I)
METRIC_CLASSES = (
    "prometheus_client.Counter",
    "prometheus_client.Histogram",
    "prometheus_client.Summary",
    "prometheus_client.Gauge",
)
PRODUCERS = ("send", "produce", "send_batch", "put_record", "put_records", "publish", "insert_rows_json")
DEPLOY_CLI = re.compile(
    r"az\s+ml\s+online-(deployment|endpoint)\s+(create|update)|aws\s+sagemaker\s+"
    r"(create|update)-endpoint|mlflow\s+deployments\s+create|gcloud\s+ai\s+endpoints\s+deploy-model"
    r"|kubectl\s+apply\s+.*(inference|seldon|serving|model)|helm\s+(upgrade|install)\s+.*"
    r"(serv|model|infer)|bentoml\s+deploy|databricks\s+bundle\s+deploy",
    re.I,
)
DEPLOY_SDK = (
    "online_deployments.begin_create_or_update",
    "online_endpoints.begin_create_or_update",
    "create_deployment",
    "create_endpoint",
)


DEPLOY_SDK_IMPORTS = words("""azureml azure.ai.ml sagemaker google.cloud.aiplatform mlflow.deployments boto3""")


def _ml_deploy_sdk(f: PyFacts) -> bool:
    """An ML deployment SDK is in use; plain boto3 only with a SageMaker client (API Gateway also has
    create_deployment)."""
    if f.imported(*DEPLOY_SDK_IMPORTS[:-1]) is not None:
        return True
    sagemaker = any("sagemaker" in a for c in f.calls for a in c.str_args)
    return f.imported("boto3") is not None and sagemaker


def scoring_paths(index: RepoIndex) -> set[str]:
    return {s.path for s in scoring_sites(index)}


def registry_refs(f: PyFacts) -> list[int]:
    """Lines where code resolves a model from a registry."""
    lines = [line for line, s in f.strings if REGISTRY_URI.search(s)]
    lines += [c.line for c in f.calls_to(*REGISTRY_CALLS)]
    lines += [c.line for c in method_calls(f, "use_artifact") if any(":" in s for s in c.str_args)]
    lines += [c.line for c in f.calls_under("gto")]
    lines += [
        c.line
        for c in method_calls(f, "get")
        if c.name.endswith("models.get") and f.imported("azure.ai.ml") is not None
    ]
    return sorted(set(lines))


@probe(
    "code.app_loads_from_registry",
    summary="Code resolves models from a registry (models:/name@alias, Azure ML "
    "models.get, SageMaker model packages, GTO, W&B artifacts)",
    evidence=("file",),
    remediation="Have the application resolve its model from the registry by name and alias (e.g. "
    "models:/churn@champion) instead of a file or URL baked into the code.",
)
def app_loads_from_registry(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites = [loc(index, p, line) for p in code_files(index) for line in registry_refs(facts(index, p))]
    configs = index.paths(
        "**/*.yml", "**/*.yaml", "**/*.env", "**/.env*", "**/*.json", "**/*.sh", "**/*.toml", kinds=CODE
    )
    sites += [loc(index, m.path, m.line) for m in index.grep(REGISTRY_TEXT, configs)]
    return [
        verdict(
            views,
            "code.app_loads_from_registry",
            sites,
            f"models resolved from a registry in {len({s.path for s in sites})} files",
            "no code or config resolves a model from a registry",
            confidence=confidence_for(s.path or "" for s in sites),
        )
    ]


def _download_lines(f: PyFacts) -> list[int]:
    """Download calls fetching a model: a model-like literal argument, or a bare call in a file that holds a
    literal model URL (`MODEL_URL = "https://.../model.pkl"`). Blob clients count only with `download_blob`."""
    file_url = any(URL.search(s) and MODEL_FILE.search(s) for _, s in f.strings)
    blob_download = bool(method_calls(f, "download_blob"))
    out = []
    for c in f.calls_to(*DOWNLOAD_CALLS):
        if "Blob" in c.name and not blob_download:
            continue
        if any(MODEL_FILE.search(s) for s in c.str_args) or (file_url and not c.str_args):
            out.append(c.line)
    return out


@probe(
    "code.model_download_hardcoded",
    summary="App code downloads a model from a literal URL or blob path without a registry lookup",
    evidence=("file",),
    remediation="Replace the literal model URL or blob path with a registry lookup by name and alias, so that a "
    "new version ships without a code change.",
)
def model_download_hardcoded(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites: list[Location] = []
    training = {t.path for t in training_files(index)}  # pretrained weights fetched for training are not handoffs
    for path in code_files(index, notebooks=False):
        f = facts(index, path)
        if path in training or registry_refs(f):
            continue
        sites += [loc(index, path, line) for line in _download_lines(f)]
    return [
        verdict(
            views,
            "code.model_download_hardcoded",
            sites,
            f"{len(sites)} hard-coded model downloads",
            "no hard-coded model download",
            confidence=confidence_for(s.path or "" for s in sites),
        )
    ]


def _telemetry(f: PyFacts, serves_models: bool) -> list[tuple[int, str]]:
    """Telemetry around predictions in one file; feedback endpoints count only where the repo serves models
    (an LLM chat app's /feedback is the LLM probes' business)."""
    routes = set(route_decorators(f)) if serves_models else set()
    out = [
        (c.line, "feedback endpoint")
        for c in f.calls
        if (c.name, c.line) in routes and any("feedback" in s.lower() for s in c.str_args)
    ]
    if not predict_calls(f):
        return out
    out += [(c.line, "Prometheus metric") for c in f.calls_to(*METRIC_CLASSES)]
    spans = [c for c in f.calls if c.name.endswith(("start_as_current_span", "start_span"))]
    if f.imported("opentelemetry") is not None:
        out += [(c.line, "OpenTelemetry span") for c in spans]
    if f.imported("kafka", "confluent_kafka", "aiokafka", "azure.eventhub", "boto3", "google.cloud") is not None:
        out += [(c.line, "prediction log producer") for c in method_calls(f, *PRODUCERS)]
    return out


@probe(
    "code.app_prediction_telemetry",
    summary="Post-deployment telemetry in app code: metrics or spans around "
    "predict, prediction logging to a stream, feedback endpoints",
    evidence=("file",),
    remediation="Instrument the prediction path: emit latency and prediction metrics or spans around predict, "
    "log inputs and outputs to a stream, or expose a feedback endpoint.",
)
def app_prediction_telemetry(views: Views) -> list[Finding]:
    index = repo_of(views)
    serves = bool(scoring_sites(index))
    found = [
        (p, line, what)
        for p in code_files(index, notebooks=False)
        for line, what in _telemetry(facts(index, p), serves)
    ]
    kinds = sorted({w for _, _, w in found})
    return [
        verdict(
            views,
            "code.app_prediction_telemetry",
            [loc(index, p, line) for p, line, _ in found],
            f"prediction telemetry: {', '.join(kinds)}",
            "no telemetry around predictions in app code",
            values={"kinds": kinds},
        )
    ]


@probe(
    "repo.deploy_manual",
    summary="Model deploy commands in notebooks or shell scripts (run by hand; whether CI "
    "calls the scripts is not checked here)",
    evidence=("file",),
    remediation="Move the deploy commands out of notebooks and hand-run scripts into a CI job, so that every "
    "deploy is recorded and repeatable.",
)
def deploy_manual(views: Views) -> list[Finding]:
    index = repo_of(views)
    notebooks = [p for p in code_files(index) if is_notebook(p)]
    scripts = index.paths("**/*.sh", "**/*.bash", "**/*.ps1", kinds=CODE)
    sites = [loc(index, m.path, m.line) for m in grep_sources(index, DEPLOY_CLI, notebooks + scripts)]
    modules = [p for p in code_files(index, notebooks=False) if p not in scoring_paths(index)]
    for path in notebooks + modules:
        f = facts(index, path)
        calls = [
            c
            for c in method_calls(f, "deploy")
            if {"initial_instance_count", "instance_type", "machine_type"} & set(c.kwargs)
        ]
        calls += f.calls_to(*DEPLOY_SDK) + f.calls_to("azureml.core.Model.deploy", "Model.deploy")
        if not is_notebook(path) and not _ml_deploy_sdk(f):
            continue  # create_endpoint/create_deployment in a module mean a model endpoint only with an ML SDK
        sites += [loc(index, path, c.line) for c in calls]
    values = {
        "notebooks": len({s.path for s in sites if is_notebook(s.path or "")}),
        "scripts": len({s.path for s in sites if not is_notebook(s.path or "")}),
    }
    return [
        verdict(
            views,
            "repo.deploy_manual",
            sites,
            f"model deploy commands in {values['notebooks']} notebooks and {values['scripts']} scripts/modules",
            "no deploy commands in notebooks, scripts or modules",
            confidence="low" if not values["scripts"] else "medium",
            values=values,
        )
    ]
