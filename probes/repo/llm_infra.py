"""LLM inference under IaC, and LLM apps packaged for deployment (Inference Resources, Deployment in docs/model.md)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from probes.repo._llm import CODE, Ev, basename, file_ev, files_of, index_of, tf_blocks, weigh, where, yaml_docs
from probes.repo.llm_scan import scan
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import probe
from scanner.views import Views

TF_LLM = frozenset(
    {
        "azurerm_cognitive_deployment",
        "aws_bedrock_provisioned_model_throughput",
        "aws_sagemaker_endpoint",
        "google_vertex_ai_endpoint",
        "azurerm_ai_services",
        "azurerm_ai_foundry",
    }
)
TF_MODULE_LLM = re.compile(r'source\s*=\s*"[^"]*(?:openai|bedrock|vertex-ai|cognitive|ai-foundry)[^"]*"', re.I)
TF_OFF = re.compile(r"^[ \t]*(?:count\s*=\s*0|enabled\s*=\s*false)\s*$", re.M)
BICEP_LLM = re.compile(
    r"Microsoft\.CognitiveServices/accounts/deployments@|\"Microsoft\.CognitiveServices/accounts/"
    r"deployments\""
)
OPENAI_KIND = re.compile(r"""\bkind\s*[:=]\s*["'](?:OpenAI|AIServices)["']""")
LLM_IMAGE = re.compile(
    r"vllm/vllm-openai|huggingface/text-generation-inference|nvcr\.io/nvidia/tritonserver|nvcr\.io/nim/"
    r"|ollama/ollama|lmsysorg/sglang|berriai/litellm|localai/localai"
)
LLM_SERVE_CMD = re.compile(
    r"\bvllm serve\b|vllm\.entrypoints\.openai\.api_server|text-generation-launcher|ollama serve"
)
LLM_RUNTIME = re.compile(r"(?i)huggingface|vllm|llama|text-generation|\btgi\b|mistral|gemma|qwen|\bllm")
SERVING_KINDS = frozenset(
    {"InferenceService", "ServingRuntime", "ClusterServingRuntime", "LLMInferenceService", "RayService"}
)
COMPOSE = re.compile(r"^(docker-)?compose[\w.-]*\.ya?ml$")


@probe(
    "iac.llm.inference",
    summary="LLM inference resources under IaC: Azure OpenAI/AI Services deployments, Bedrock provisioned "
    "throughput, Vertex/SageMaker endpoints, KServe/Ray LLM serving, vLLM/TGI/Triton/NIM/Ollama images.",
    remediation="Define model deployments and inference servers as code (Terraform, Bicep, Helm) and apply them "
    "from CI.",
    evidence=("file",),
)
def llm_inference(views: Views) -> list[Finding]:
    index = index_of(views)
    evs, disabled = _terraform(index)
    bicep = files_of(index, (".bicep", ".json"))
    evs += [file_ev(index, m.path, m.line, m.text) for m in index.grep(BICEP_LLM, bicep)]
    evs += [
        file_ev(index, m.path, m.line, m.text)
        for m in index.grep(r"Microsoft\.CognitiveServices/accounts@", bicep)
        if OPENAI_KIND.search(index.text(m.path) or "")
    ]
    for path, n, data in yaml_docs(index):
        if data.get("kind") in SERVING_KINDS and LLM_RUNTIME.search(str(data.get("spec", ""))):
            evs.append(file_ev(index, path, index.yaml(path).docs[n].line(()), f"{data['kind']}"))
    manifests = files_of(index, (".yaml", ".yml", ".json", ".tf")) + index.paths("Dockerfile*", "**/Dockerfile*")
    for m in index.grep(f"{LLM_IMAGE.pattern}|{LLM_SERVE_CMD.pattern}", manifests):
        kind = "compose" if COMPOSE.match(basename(m.path)) else where(index, m.path)
        evs.append(Ev(m.path, m.line, m.text, kind))
    return [
        weigh(
            views,
            "iac.llm.inference",
            evs,
            "LLM inference resources as code",
            "No LLM inference resources defined as code",
            values={"disabled_resources": disabled},
        )
    ]


def _terraform(index: RepoIndex) -> tuple[list[Ev], int]:
    evs: list[Ev] = []
    disabled = 0
    for path, line, kind, rtype, body in tf_blocks(index):
        if kind == "module":
            llm = bool(TF_MODULE_LLM.search(body))
        else:
            llm = rtype in TF_LLM or (rtype == "azurerm_cognitive_account" and bool(OPENAI_KIND.search(body)))
        if llm and TF_OFF.search(body):
            disabled += 1
        elif llm:
            evs.append(file_ev(index, path, line, f"{kind} {rtype}"))
    return evs, disabled


@probe(
    "repo.llm.containerized",
    summary="The LLM app is packaged for deployment: a Dockerfile, compose build, azd service, app.yaml or "
    "Databricks app whose build context holds code that calls an LLM SDK (a Helm chart alone weighs low).",
    remediation="Package the LLM service in a container (or azd/Databricks app) built from the repo.",
    evidence=("file",),
)
def llm_containerized(views: Views) -> list[Finding]:
    index = index_of(views)
    llm_dirs = sorted({posixpath.dirname(f.path) for f in scan(index).of(CODE) if f.generation})
    evs = [e for e, context in _packaging(index) if _covers(context, llm_dirs)]
    if llm_dirs:  # a chart cannot be tied to the code it deploys statically: weak evidence on its own
        evs += [
            Ev(p, None, "Helm chart (not linked to the LLM code)", "unlinked-chart")
            for p in index.by_name("Chart.yaml")
        ]
    values = {"llm_code_dirs": len(llm_dirs)}
    return [
        weigh(
            views,
            "repo.llm.containerized",
            evs,
            "LLM service packaging",
            "No Dockerfile/compose/azd/app packaging covers code that calls an LLM",
            values=values,
        )
    ]


def _packaging(index: RepoIndex) -> Iterable[tuple[Ev, str]]:
    """Packaging units, each with its build context (a repo-relative folder, "." for the root)."""
    for path in index.paths(
        "Dockerfile*", "**/Dockerfile*", "Containerfile", "**/Containerfile", "*.dockerfile", "**/*.dockerfile"
    ):
        context = posixpath.dirname(path) or "."
        yield file_ev(index, path, 1, f"Dockerfile (context {context})"), context
    for path, n, data in yaml_docs(index):
        base, name, doc = posixpath.dirname(path), basename(path), index.yaml(path).docs[n]
        services = data.get("services")
        if COMPOSE.match(name) and isinstance(services, dict):
            for svc, spec in services.items():
                build = spec.get("build") if isinstance(spec, dict) else None
                ctx = (
                    build if isinstance(build, str) else build.get("context", ".") if isinstance(build, dict) else None
                )
                if isinstance(ctx, str):
                    yield file_ev(index, path, doc.line(("services", svc)), f"compose service {svc}"), _join(base, ctx)
        elif name in ("azure.yaml", "azure.yml") and isinstance(services, dict):
            for svc, spec in services.items():
                project = spec.get("project", ".") if isinstance(spec, dict) else "."
                yield file_ev(index, path, doc.line(("services", svc)), f"azd service {svc}"), _join(base, str(project))
        elif name in ("app.yaml", "app.yml") and ({"command", "entrypoint", "runtime"} & set(data)):
            yield file_ev(index, path, 1, "app.yaml"), base or "."
        elif name == "databricks.yml":
            apps = (data.get("resources") or {}).get("apps") if isinstance(data.get("resources"), dict) else None
            for app, spec in apps.items() if isinstance(apps, dict) else []:
                src = spec.get("source_code_path", ".") if isinstance(spec, dict) else "."
                line = doc.line(("resources", "apps", app))
                yield file_ev(index, path, line, f"Databricks app {app}"), _join(base, str(src))


def _join(base: str, rel: str) -> str:
    return posixpath.normpath(posixpath.join(base, rel)) if rel else (base or ".")


def _covers(context: str, llm_dirs: list[str]) -> bool:
    """The build context holds a file that calls an LLM (the repo root holds everything)."""
    return any(context == "." or d == context or d.startswith(context + "/") for d in llm_dirs)
