"""Model monitoring libraries and services in use (repo.ml_monitoring.* family). A dependency line without
calls is not use: it is reported in values, and the finding stays false."""

from __future__ import annotations

from collections.abc import Callable

from probes.repo._ml import code_files, confidence_for, facts, loc, repo_of
from probes.repo.ml_manifests import dig, mapping, terraform, walk, yaml_docs
from scanner.facts.python_facts import Call, PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

SM_MONITORS = (
    "DefaultModelMonitor",
    "ModelQualityMonitor",
    "ModelBiasMonitor",
    "ModelExplainabilityMonitor",
    "create_monitoring_schedule",
)
AML_MONITORS = (
    "azure.ai.ml.entities.MonitorSchedule",
    "azure.ai.ml.entities.MonitorDefinition",
    "azure.ai.ml.entities.MonitoringTarget",
)


def _under(prefix: str) -> Callable[[PyFacts], list[Call]]:
    return lambda f: f.calls_under(prefix)


TOOLS: dict[str, tuple[Callable[[PyFacts], list[Call]], tuple[str, ...]]] = {
    # tool -> (calls that show use, dependency names)
    "evidently": (_under("evidently"), ("evidently",)),
    "whylogs": (_under("whylogs"), ("whylogs",)),
    "nannyml": (_under("nannyml"), ("nannyml",)),
    "alibi_detect": (_under("alibi_detect"), ("alibi-detect",)),
    "deepchecks": (_under("deepchecks"), ("deepchecks",)),
    "sagemaker_monitor": (lambda f: f.calls_to(*SM_MONITORS), ()),
    "aml_monitor": (lambda f: f.calls_to(*AML_MONITORS), ()),
}


def _code_sites(index: RepoIndex, tool: str) -> list[Location]:
    calls_of = TOOLS[tool][0]
    out = []
    for path in code_files(index):
        calls = calls_of(facts(index, path))
        if calls:
            out.append(loc(index, path, calls[0].line))
    return out


def _manifest_sites(index: RepoIndex, tool: str) -> list[Location]:
    out = []
    if tool == "aml_monitor":
        for d in yaml_docs(index):
            if "monitorSchedule.schema.json" in d.schema:
                out.append(loc(index, d.path, d.line("$schema")))
                continue
            key = next((p for p, _ in walk(d.data, depth=3) if p and p[-1] == "create_monitor"), None)
            if key:
                out.append(loc(index, d.path, d.line(*key)))
    if tool == "sagemaker_monitor":
        for d in yaml_docs(index):
            for name, res in mapping(dig(d.data, "Resources")).items():
                if isinstance(res, dict) and res.get("Type") == "AWS::SageMaker::MonitoringSchedule":
                    out.append(loc(index, d.path, d.line("Resources", name)))
        out += [loc(index, b.path, b.line) for b in terraform(index, "aws_sagemaker_monitoring_schedule", enabled=True)]
    return out


@probe(
    "repo.ml_monitoring",
    summary="Model monitoring in use: Evidently, whylogs, NannyML, alibi-detect, "
    "deepchecks, SageMaker Model Monitor, Azure ML monitors",
    emits=[f"repo.ml_monitoring.{t}" for t in TOOLS],
    remediation="Monitor data drift and model quality on production inputs, on a schedule.",
    evidence=("file",),
)
def ml_monitoring(views: Views) -> list[Finding]:
    index = repo_of(views)
    out = []
    for tool, (_, deps) in TOOLS.items():
        signal = f"repo.ml_monitoring.{tool}"
        sites = _code_sites(index, tool) + _manifest_sites(index, tool)
        declared = index.declares(*deps) if deps else []
        values = {"count": len(sites), "declared_only": bool(declared) and not sites}
        if sites:
            conf = confidence_for(s.path or "" for s in sites)
            out.append(hit(views, signal, sites, f"{tool} used in {len(sites)} files", confidence=conf, values=values))
        elif declared:
            out.append(
                miss(
                    views,
                    signal,
                    f"{tool} is declared as a dependency but never called",
                    values=values,
                    locations=declared[:5],
                )
            )
        else:
            out.append(miss(views, signal, f"no {tool} use", values=values))
    return out
