"""Model registries as used from code, across platforms: registering model versions (MLflow, Azure ML v1/v2,
SageMaker model package groups, Vertex AI, ZenML, W&B) and promoting them between stages (MLflow stages
and aliases, SageMaker approval status, Vertex aliases, GTO, a promotion record written by a pipeline).

These are file-level evidence: the registry's own state (mlflow.registry.*) stays the confidence raiser."""

from __future__ import annotations

import re

from probes.repo._ml import CODE, code_files, confidence_for, facts, loc, method_calls, repo_of, words
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import probe, verdict
from scanner.views import Views

REGISTER_CALLS = words(
    """mlflow.register_model mlflow.register_model_version azureml.core.Model.register
    azureml.core.model.Model.register google.cloud.aiplatform.Model.upload sagemaker.ModelPackage
    zenml.Model zenml.model.model.Model wandb.link_model"""
)
REGISTER_METHODS = ("create_model_version", "create_registered_model", "register_model", "link_model")
REGISTRY_LIBS = words(
    """mlflow azureml azure.ai.ml sagemaker google.cloud.aiplatform zenml wandb clearml comet_ml neptune"""
)
NOT_REGISTRIES = ("litellm.",)  # litellm.register_model registers pricing, not a model version
REGISTER_KWARGS = ("registered_model_name", "model_package_group_name", "ModelPackageGroupName")
PROMOTE_METHODS = words(
    """transition_model_version_stage set_registered_model_alias update_model_version_aliases
    add_version_aliases update_model_package merge_version_aliases"""
)
STAGE_WORDS = re.compile(r"^(staging|production|prod|champion|challenger|archived|approved|rejected)$", re.I)
APPROVAL = re.compile(r"^(Approved|Rejected|PendingManualApproval)$")
PROMOTE_TEXT = re.compile(
    r"\bgto\s+(assign|promote)\b|\bmlflow\s+models?\s+transition|ModelApprovalStatus\s*[:=]\s*['\"]?Approved"
    r"|\baz\s+ml\s+model\s+(create|register|update)\b"
)
TEXT_GLOBS = words("""**/*.sh **/*.yml **/*.yaml **/Makefile **/*.json""")


def _register_lines(index: RepoIndex, f: PyFacts) -> list[int]:
    lines = [c.line for c in f.calls_to(*REGISTER_CALLS)]
    if f.imported(*REGISTRY_LIBS) is not None:
        lines += [c.line for c in method_calls(f, *REGISTER_METHODS) if not c.name.startswith(NOT_REGISTRIES)]
    lines += [c.line for c in f.calls if set(REGISTER_KWARGS) & set(c.kwargs)]
    if f.imported("azureml.core", "azure.ai.ml") is not None:
        lines += [c.line for c in method_calls(f, "register")]
        lines += [c.line for c in method_calls(f, "create_or_update") if c.name.endswith("models.create_or_update")]
    return sorted(set(lines))


def _promote_lines(f: PyFacts) -> list[int]:
    lines = [c.line for c in method_calls(f, *PROMOTE_METHODS)]
    lines += [
        c.line
        for c in method_calls(f, "add_tags", "set_tag", "set_model_version_tag", "tag")
        if any(STAGE_WORDS.match(s) for s in c.str_args)
    ]
    lines += [c.line for c in f.calls if any(APPROVAL.match(s) for s in c.str_args) and "approval" in c.name.lower()]
    lines += [c.line for c in f.calls if "ModelApprovalStatus" in c.kwargs]
    return sorted(set(lines))


def _sites(index: RepoIndex, which: str) -> list[Location]:
    out: list[Location] = []
    for path in code_files(index):
        f = facts(index, path)
        lines = _register_lines(index, f) if which == "register" else _promote_lines(f)
        out += [loc(index, path, line) for line in lines[:3]]
    if which == "promote":
        text = index.paths(*TEXT_GLOBS, kinds=CODE)
        out += [loc(index, m.path, m.line) for m in index.grep(PROMOTE_TEXT, text, limit=10)]
    return out


@probe(
    "code.model_registration",
    summary="Code registers model versions in a registry (MLflow register_model/registered_model_name, Azure "
    "ML Model.register/models.create_or_update, SageMaker model package groups, Vertex Model.upload, ZenML, W&B)",
    remediation="Register every trained model as a version in a registry instead of copying files.",
    evidence=("file",),
)
def model_registration(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites = _sites(index, "register")
    return [
        verdict(
            views,
            "code.model_registration",
            sites,
            f"model versions registered from code in {len({s.path for s in sites})} files",
            "no code registers a model version",
            confidence=confidence_for(s.path or "" for s in sites),
        )
    ]


@probe(
    "code.stage_promotion",
    summary="Code or scripts promote model versions between stages (MLflow stages/aliases, stage tags, "
    "SageMaker approval status, Vertex aliases, gto assign)",
    remediation="Promote models through registry stages or aliases rather than by replacing files.",
    evidence=("file",),
)
def stage_promotion(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites = _sites(index, "promote")
    return [
        verdict(
            views,
            "code.stage_promotion",
            sites,
            f"model stage promotion in {len({s.path for s in sites})} files",
            "no code promotes a model between stages",
            confidence=confidence_for(s.path or "" for s in sites),
        )
    ]
