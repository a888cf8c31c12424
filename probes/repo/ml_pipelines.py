"""ML pipelines: Kubeflow, Azure ML pipeline jobs and model specs, orchestrated training/inference, and
AutoML specs that deploy their best model."""

from __future__ import annotations

import re
from dataclasses import dataclass

from probes.repo._ml import (
    CODE,
    code_files,
    confidence_for,
    facts,
    loc,
    local_imports,
    memo,
    method_calls,
    repo_of,
    training_calls,
    training_files,
    uses_ml,
)
from probes.repo.ml_manifests import dig, mapping, terraform, yaml_docs
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import hit, miss, probe
from scanner.views import Views

# Whole words of names and strings (split at `_`, `-`, `.`, camelCase): a `scorecards` table or an
# `OFFENDER_RISK_PREDICTORS` extract is not a model.
ML_TOKENS = frozenset(
    "train trains training trained trainer retrain retraining predict predicts predicted prediction predictions"
    " score scores scored scoring inference".split()
)
_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def ml_words(text: str) -> bool:
    """The text names a training, prediction or scoring step (`train_model`, `batchPredict`, `fit_model`)."""
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    return any(t in ML_TOKENS for t in tokens) or " fit model " in f" {' '.join(tokens)} "


ORCHESTRATORS = {  # (decorator or call or base) prefix -> orchestrator
    "airflow.DAG": "airflow",
    "airflow.models.DAG": "airflow",
    "airflow.decorators.dag": "airflow",
    "airflow.sdk.dag": "airflow",
    "airflow.sdk.DAG": "airflow",
    "dagster.asset": "dagster",
    "dagster.job": "dagster",
    "dagster.op": "dagster",
    "dagster.Definitions": "dagster",
    "prefect.flow": "prefect",
    "zenml.pipeline": "zenml",
    "zenml.step": "zenml",
    "metaflow.FlowSpec": "metaflow",
    "flytekit.workflow": "flyte",
    "flytekit.task": "flyte",
    "kedro.pipeline.Pipeline": "kedro",
    "kedro.pipeline.pipeline": "kedro",
    "kedro.pipeline.node": "kedro",
    "sagemaker.workflow.pipeline.Pipeline": "sagemaker pipelines",
    "google.cloud.aiplatform.PipelineJob": "vertex pipelines",
    "google.cloud.aiplatform.pipeline_jobs.PipelineJob": "vertex pipelines",
    "tfx.orchestration.pipeline.Pipeline": "tfx",
    "tfx.dsl.Pipeline": "tfx",
    "tfx.v1.dsl.Pipeline": "tfx",
    "apache_beam.Pipeline": "beam",
    "stepfunctions.workflow.Workflow": "step functions",
    "azureml.pipeline.core.Pipeline": "azure ml pipelines (v1)",
    "zenml.Model": "zenml",
}
AUTOML_CALLS = (
    "AutoMLConfig",
    "azure.ai.ml.automl.classification",
    "azure.ai.ml.automl.regression",
    "azure.ai.ml.automl.forecasting",
    "AutoMLTabularTrainingJob",
    "AutoMLImageTrainingJob",
    "AutoMLTextTrainingJob",
    "AutoMLForecastingTrainingJob",
)
DEPLOY_CALLS = ("deploy", "begin_create_or_update", "create_endpoint", "create_deployment", "deploy_model")


@dataclass(frozen=True)
class Site:
    path: str
    line: int
    what: str


def _kfp_sites(index: RepoIndex) -> list[Site]:
    out = []
    for path in code_files(index):
        f = facts(index, path)
        for name, line in f.decorators:
            if name.startswith("kfp.") and name.endswith(("pipeline", "component", "container_component")):
                out.append(Site(path, line, f"@{name}"))
        for c in f.calls_under("kfp.compiler", "kfp.components", "kfp.v2.compiler"):
            out.append(Site(path, c.line, c.name))
    for d in yaml_docs(index):
        if {"pipelineInfo", "deploymentSpec", "root"} <= set(d.data):
            out.append(Site(d.path, d.line("pipelineInfo"), "compiled KFP pipeline spec"))
        annotations = dig(d.data, "metadata", "annotations") or {}
        if d.kind == "Workflow" and any(str(k).startswith("pipelines.kubeflow.org") for k in annotations):
            out.append(Site(d.path, d.line("metadata", "annotations"), "compiled KFP v1 workflow"))
    return out


# Steps of a retrieval-indexing pipeline (crack, chunk, embed and push documents to a search index).
INDEXING_STEP = re.compile(r"chunk|crack|embed|index|push|upload|ingest|pars|extract|split|document", re.I)


def _indexes_documents(jobs: object) -> bool:
    """Every step of the pipeline job prepares documents for retrieval: a RAG indexing pipeline, not ML."""
    return isinstance(jobs, dict) and bool(jobs) and all(INDEXING_STEP.search(str(name)) for name in jobs)


def _aml_pipeline_sites(index: RepoIndex) -> list[Site]:
    out = []
    for d in yaml_docs(index):
        if _indexes_documents(d.data.get("jobs")):
            continue
        if "pipelineJob.schema.json" in d.schema:
            out.append(Site(d.path, d.line("$schema"), "Azure ML pipeline job ($schema pipelineJob)"))
        elif d.data.get("type") == "pipeline" and isinstance(d.data.get("jobs"), dict):
            out.append(Site(d.path, d.line("type"), "Azure ML pipeline job (type: pipeline)"))
    for path in code_files(index):
        f = facts(index, path)
        out += [
            Site(path, line, "@dsl.pipeline (azure.ai.ml)")
            for name, line in f.decorators
            if name == "azure.ai.ml.dsl.pipeline"
        ]
        out += [Site(path, c.line, "azureml Pipeline (v1 SDK)") for c in f.calls_to("azureml.pipeline.core.Pipeline")]
    return out


def _ml_context(index: RepoIndex, path: str, f: PyFacts) -> bool:
    train_paths = {t.path for t in training_files(index)}
    names = list(f.functions) + [s for _, s in f.strings if len(s) < 80]
    return bool(
        training_calls(path, f)
        or uses_ml(f)
        or local_imports(index, f) & train_paths
        or any(ml_words(n) for n in names)
    )


def _orchestrated_sites(index: RepoIndex) -> list[Site]:
    out = []
    for path in code_files(index, notebooks=False):
        f = facts(index, path)
        names = [(n, line) for n, line in f.decorators] + [(c.name, c.line) for c in f.calls]
        names += [(b, line) for _, bases, line in f.classes for b in bases]
        found = [(ORCHESTRATORS[n], line) for n, line in names if n in ORCHESTRATORS]
        if found and _ml_context(index, path, f):
            tool, line = min(found, key=lambda x: x[1])
            out.append(Site(path, line, f"{tool} pipeline with training/inference"))
    for path in index.paths("dvc.yaml", "**/dvc.yaml", kinds=CODE):
        stages = dig(index.yaml_data(path), "stages")
        if isinstance(stages, dict) and len(stages) >= 2:
            trains = [n for n, s in stages.items() if isinstance(s, dict) and ml_words(f"{n} {s.get('cmd')}")]
            if trains:
                doc = index.yaml(path).docs[0]
                out.append(Site(path, doc.line(("stages", trains[0])) or 1, f"dvc pipeline ({len(stages)} stages)"))
    for d in yaml_docs(index):
        for name, job in mapping(dig(d.data, "resources", "jobs")).items():
            keys = [str(t.get("task_key", "")) for t in (dig(job, "tasks") or []) if isinstance(t, dict)]
            if any(ml_words(k) for k in [name, *keys]):
                out.append(Site(d.path, d.line("resources", "jobs", name), f"Databricks job {name}"))
    return out


def pipeline_sites(index: RepoIndex) -> dict[str, list[Site]]:
    return memo(
        index,
        "pipeline_sites",
        lambda: {
            "kfp": _kfp_sites(index),
            "aml": _aml_pipeline_sites(index),
            "orchestrated": _orchestrated_sites(index),
        },
    )


def _verdict(views: Views, signal: str, sites: list[Site], found: str, absent: str) -> list[Finding]:
    index = repo_of(views)
    if not sites:
        return [miss(views, signal, absent)]
    kinds = sorted({s.what for s in sites})[:4]
    return [
        hit(
            views,
            signal,
            [loc(index, s.path, s.line) for s in sites],
            f"{found}: {', '.join(kinds)}",
            confidence=confidence_for(s.path for s in sites),
            values={"count": len({s.path for s in sites})},
        )
    ]


@probe(
    "repo.kfp.pipeline",
    summary="Kubeflow Pipelines definitions (kfp dsl) or compiled pipeline specs",
    evidence=("file",),
    remediation="Define training and batch inference as a Kubeflow pipeline (kfp dsl) kept in the repo.",
)
def kfp_pipeline(views: Views) -> list[Finding]:
    sites = pipeline_sites(repo_of(views))["kfp"]
    return _verdict(views, "repo.kfp.pipeline", sites, "Kubeflow pipeline definitions", "no Kubeflow pipeline")


@probe(
    "repo.aml.pipeline_yaml",
    summary="Azure ML pipeline jobs (pipelineJob YAML, type: pipeline, @dsl.pipeline)",
    evidence=("file",),
    remediation="Define training as an Azure ML pipeline job (pipelineJob YAML or @dsl.pipeline) kept in the repo.",
)
def aml_pipeline(views: Views) -> list[Finding]:
    sites = pipeline_sites(repo_of(views))["aml"]
    return _verdict(views, "repo.aml.pipeline_yaml", sites, "Azure ML pipelines", "no Azure ML pipeline job")


@probe(
    "repo.ml_pipeline_defined",
    summary="Training or batch inference defined as an orchestrated pipeline",
    evidence=("file",),
    remediation="Define training or batch inference as an orchestrated pipeline (Airflow, Kubeflow, Azure ML, "
    "SageMaker Pipelines, Prefect, DVC stages) rather than scripts run in order by hand.",
)
def ml_pipeline_defined(views: Views) -> list[Finding]:
    groups = pipeline_sites(repo_of(views))
    sites = groups["kfp"] + groups["aml"] + groups["orchestrated"]
    return _verdict(
        views,
        "repo.ml_pipeline_defined",
        sites,
        "ML pipelines defined",
        "no orchestrated training or inference pipeline",
    )


def _model_spec_sites(index: RepoIndex) -> list[Site]:
    out = []
    for d in yaml_docs(index):
        if "model.schema.json" in d.schema:
            out.append(Site(d.path, d.line("$schema"), f"Azure ML model spec ({d.data.get('type', 'custom_model')})"))
        for name, res in mapping(dig(d.data, "Resources")).items():
            if isinstance(res, dict) and res.get("Type") == "AWS::SageMaker::ModelPackageGroup":
                out.append(Site(d.path, d.line("Resources", name), "SageMaker model package group (CloudFormation)"))
    for b in terraform(index, "aws_sagemaker_model_package_group", enabled=True):
        out.append(Site(b.path, b.line, "SageMaker model package group (Terraform)"))
    for path in code_files(index):
        for c in facts(index, path).calls:
            if {"model_package_group_name", "ModelPackageGroupName"} & set(c.kwargs):
                out.append(Site(path, c.line, "SageMaker model package group"))
    return out


@probe(
    "repo.aml.model_yaml",
    summary="Declared model registry specs: Azure ML model YAML, SageMaker model package groups",
    evidence=("file",),
    remediation="Declare registered models as specs in the repo (Azure ML model YAML, SageMaker model package "
    "groups), so that registration is reviewed and reproducible.",
)
def aml_model_yaml(views: Views) -> list[Finding]:
    sites = _model_spec_sites(repo_of(views))
    return _verdict(views, "repo.aml.model_yaml", sites, "model registry specs", "no model registry spec")


def automl_sites(index: RepoIndex) -> list[tuple[Site, bool]]:
    """AutoML specs, each with whether the same definition also deploys (YAML pipeline or Python file)."""
    out = []
    for d in yaml_docs(index):
        jobs = d.data.get("jobs") if isinstance(d.data.get("jobs"), dict) else {}
        automl = [k for k, j in jobs.items() if isinstance(j, dict) and j.get("type") == "automl"]
        if d.data.get("type") == "automl":
            out.append((Site(d.path, d.line("type"), "Azure ML AutoML job"), False))
        elif automl:
            deploys = any(re.search(r"deploy", f"{k} {j}", re.I) for k, j in jobs.items() if k not in automl)
            out.append((Site(d.path, d.line("jobs", automl[0]), "Azure ML AutoML step in a pipeline"), deploys))
    for path in code_files(index):
        f = facts(index, path)
        calls = f.calls_to(*AUTOML_CALLS)
        if calls:
            deploys = bool(method_calls(f, *DEPLOY_CALLS))
            out.append((Site(path, calls[0].line, calls[0].name.rsplit(".", 1)[-1]), deploys))
    return out


@probe(
    "repo.automl_autodeploy",
    summary="AutoML job specs in a pipeline that also deploys the best model (spec only: manual gates live in CI)",
    evidence=("file",),
    remediation="Chain the AutoML job to a deployment step of the best model in a pipeline spec, with the gates "
    "that the release process requires kept in CI.",
)
def automl_autodeploy(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites = automl_sites(index)
    deploying = [s for s, deploys in sites if deploys]
    values = {"count": len(deploying), "automl_specs": len(sites)}
    if deploying:
        msg = f"{len(deploying)} AutoML definitions also deploy the best model (manual gates not checked here)"
        return [
            hit(
                views,
                "repo.automl_autodeploy",
                [loc(index, s.path, s.line) for s in deploying],
                msg,
                confidence="low",
                values=values,
            )
        ]
    absent = f"{len(sites)} AutoML specs, none deploys" if sites else "no AutoML job spec"
    return [miss(views, "repo.automl_autodeploy", absent, values=values)]
