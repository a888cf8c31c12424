"""Release strategies for models in IaC: traffic splits (canary, A/B, blue/green), shadow/mirror traffic,
automated progressive analysis, and several model versions live at once. Configs present with the feature
switched off (0/100 splits, pause-only canaries) are reported as false with their locations."""

from __future__ import annotations

from probes.repo._ml import confidence_for, loc, repo_of
from probes.repo.ml_deploy_parse import ANALYSIS, BLUEGREEN, MIRROR, SPLIT, Strategy, strategies
from scanner.model import Finding
from scanner.probekit import hit, miss, probe
from scanner.views import Views


def _report(
    views: Views, signal: str, found: list[Strategy], off: list[Strategy], what: str, *, confidence: str | None = None
) -> list[Finding]:
    index = repo_of(views)
    values = {"count": len(found), "configured_off": len(off), "systems": sorted({s.system for s in found or off})}
    if found:
        details = "; ".join(sorted({f"{s.system}: {s.detail}" for s in found}))[:300]
        conf = confidence or confidence_for(s.path for s in found)
        return [
            hit(
                views,
                signal,
                [loc(index, s.path, s.line) for s in found],
                f"{what}: {details}",
                confidence=conf,
                values=values,
            )
        ]
    if off:
        details = "; ".join(sorted({f"{s.system}: {s.detail}" for s in off}))[:300]
        return [
            miss(
                views,
                signal,
                f"{what} configured but switched off ({details})",
                values=values,
                locations=[loc(index, s.path, s.line) for s in off][:20],
            )
        ]
    return [miss(views, signal, f"no {what} in deployment manifests", values=values)]


def _split(views: Views, *features: str) -> tuple[list[Strategy], list[Strategy]]:
    all_ = [s for s in strategies(repo_of(views)) if s.feature in features]
    return [s for s in all_ if s.on], [s for s in all_ if not s.on]


@probe(
    "iac.traffic_split",
    summary="Traffic split between model versions: KServe canary, Argo Rollouts canary/"
    "blueGreen, Azure ML endpoint traffic, SageMaker variants, Seldon experiments, Istio weights",
    remediation="Release new model versions to a share of traffic (canary or A/B) before full rollout.",
    evidence=("file",),
)
def traffic_split(views: Views) -> list[Finding]:
    on, off = _split(views, SPLIT, BLUEGREEN)
    return _report(views, "iac.traffic_split", on, off, "traffic split")


@probe(
    "iac.shadow_mirror",
    summary="Shadow or mirrored traffic to a candidate model: Azure ML mirror_traffic, "
    "SageMaker shadow variants, Seldon mirror, Istio mirror",
    evidence=("file",),
    remediation="Mirror a share of production traffic to the candidate model (Azure ML mirror_traffic, "
    "SageMaker shadow variants, Seldon or Istio mirror) before it takes live traffic.",
)
def shadow_mirror(views: Views) -> list[Finding]:
    on, off = _split(views, MIRROR)
    return _report(views, "iac.shadow_mirror", on, off, "shadow/mirror traffic")


@probe(
    "iac.progressive_analysis",
    summary="Automated analysis deciding promotion or rollback: Argo Rollouts "
    "analysis, Flagger canary metrics, SageMaker auto-rollback",
    evidence=("file",),
    remediation="Let metrics decide promotion or rollback: add an Argo Rollouts analysis, Flagger canary "
    "metrics or SageMaker auto-rollback to the model deployment.",
)
def progressive_analysis(views: Views) -> list[Finding]:
    on, off = _split(views, ANALYSIS)
    return _report(views, "iac.progressive_analysis", on, off, "automated progressive analysis")


@probe(
    "iac.multi_version_live",
    summary="Two or more model versions receive traffic at once (active split or "
    "mirror); blue/green alone does not count",
    evidence=("file",),
    remediation="Declare a traffic split or mirror between model versions in the serving infrastructure "
    "(endpoint traffic weights, Istio or Seldon splits), so that versions can be compared live.",
)
def multi_version_live(views: Views) -> list[Finding]:
    on, off = _split(views, SPLIT, MIRROR)
    # generic meshes (Istio, Argo) may route non-model services; notebooks weigh lower
    conf = confidence_for((s.path for s in on), "medium" if any(s.model_serving for s in on) else "low")
    return _report(views, "iac.multi_version_live", on, off, "several versions live", confidence=conf)
