"""Release strategies declared in deployment manifests (no probes here; ml_deploy_iac reads this).

Each `Strategy` is one traffic split, mirror, blue/green or automated analysis, with whether it is
switched on: KServe `canaryTrafficPercent: 100`, Azure ML `traffic: {blue: 100}`, SageMaker weights 1/0
or Argo canaries with only `pause` steps are configs present with the feature off (docs/model.md,
"Presence is not use").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from probes.repo._ml import CODE, code_files, facts, grep_sources, memo
from probes.repo.ml_manifests import Doc, dig, mapping, number, terraform, yaml_docs
from scanner.facts.repo_index import RepoIndex

SPLIT, MIRROR, BLUEGREEN, ANALYSIS = "split", "mirror", "bluegreen", "analysis"
MODEL_SERVING = ("kserve", "seldon", "azureml", "sagemaker", "databricks")
CLI_TRAFFIC = re.compile(r"--(mirror-)?traffic\s+[\"']?((?:[\w-]+=\d+[\s,]*)+)")
PY_TRAFFIC = re.compile(r"\.(mirror_)?traffic\s*=\s*\{([^}]*)\}")
VARIANT_WEIGHT = re.compile(r"initial_variant_weight\s*=\s*([\d.]+)")
PAIR = re.compile(r"[\"']?([\w-]+)[\"']?\s*[:=]\s*(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Strategy:
    path: str
    line: int
    system: str  # kserve, argo-rollouts, flagger, azureml, sagemaker, seldon, istio, databricks
    feature: str  # split | mirror | bluegreen | analysis
    on: bool
    detail: str

    @property
    def model_serving(self) -> bool:
        return self.system in MODEL_SERVING


def _weights(values: list[Any]) -> list[float]:
    return [w for w in (number(v) for v in values) if w is not None]


def _split(d: Doc, keys: tuple[str | int, ...], system: str, weights: list[float], what: str) -> Strategy:
    live = [w for w in weights if w > 0]
    return Strategy(
        d.path, d.line(*keys), system, SPLIT, len(live) >= 2, f"{what} {'/'.join(f'{w:g}' for w in weights)}"
    )


def _kserve(d: Doc) -> list[Strategy]:
    for keys in (("spec", "predictor", "canaryTrafficPercent"), ("spec", "canaryTrafficPercent")):
        pct = number(dig(d.data, *keys))
        if pct is not None:
            return [Strategy(d.path, d.line(*keys), "kserve", SPLIT, 0 < pct < 100, f"canaryTrafficPercent {pct:g}")]
    return []


def _rollout(d: Doc) -> list[Strategy]:
    out = []
    canary, blue_green = dig(d.data, "spec", "strategy", "canary"), dig(d.data, "spec", "strategy", "blueGreen")
    if isinstance(canary, dict):
        steps = [s for s in canary.get("steps") or [] if isinstance(s, dict)]
        weights = _weights([s.get("setWeight") for s in steps if "setWeight" in s])
        on = any(0 < w < 100 for w in weights)
        out.append(
            Strategy(
                d.path,
                d.line("spec", "strategy", "canary"),
                "argo-rollouts",
                SPLIT,
                on,
                f"canary setWeight {weights}" if weights else "canary without setWeight steps",
            )
        )
        mirrors = [number(dig(s, "setMirrorRoute", "percentage")) for s in steps if "setMirrorRoute" in s]
        if mirrors:
            out.append(
                Strategy(
                    d.path,
                    d.line("spec", "strategy", "canary", "steps"),
                    "argo-rollouts",
                    MIRROR,
                    any((m or 0) > 0 for m in mirrors),
                    "setMirrorRoute",
                )
            )
        analysed = bool(canary.get("analysis")) or any("analysis" in s for s in steps)
        out.append(
            Strategy(
                d.path,
                d.line("spec", "strategy", "canary"),
                "argo-rollouts",
                ANALYSIS,
                analysed,
                "canary analysis" if analysed else "canary promotion without analysis",
            )
        )
    if isinstance(blue_green, dict):
        out.append(
            Strategy(d.path, d.line("spec", "strategy", "blueGreen"), "argo-rollouts", BLUEGREEN, True, "blueGreen")
        )
        analysed = bool(blue_green.get("prePromotionAnalysis") or blue_green.get("postPromotionAnalysis"))
        out.append(
            Strategy(
                d.path,
                d.line("spec", "strategy", "blueGreen"),
                "argo-rollouts",
                ANALYSIS,
                analysed,
                "blueGreen promotion analysis" if analysed else "blueGreen without analysis",
            )
        )
    return out


def _flagger(d: Doc) -> list[Strategy]:
    key = "analysis" if isinstance(dig(d.data, "spec", "analysis"), dict) else "canaryAnalysis"
    analysis = dig(d.data, "spec", key)
    if not isinstance(analysis, dict):
        return []
    where = d.line("spec", key)
    out = [Strategy(d.path, where, "flagger", ANALYSIS, bool(analysis.get("metrics")), "Flagger analysis metrics")]
    step = number(analysis.get("stepWeight")) or number((analysis.get("stepWeights") or [None])[0])
    if step:
        out.append(Strategy(d.path, where, "flagger", SPLIT, 0 < step < 100, f"stepWeight {step:g}"))
    elif analysis.get("iterations"):
        out.append(Strategy(d.path, where, "flagger", BLUEGREEN, True, "Flagger blue/green"))
    if analysis.get("mirror"):
        out.append(Strategy(d.path, where, "flagger", MIRROR, True, "Flagger mirror"))
    return out


def _azureml_endpoint(d: Doc) -> list[Strategy]:
    out = []
    traffic, mirror = d.data.get("traffic"), d.data.get("mirror_traffic")
    if isinstance(traffic, dict):
        out.append(_split(d, ("traffic",), "azureml", _weights(list(traffic.values())), "endpoint traffic"))
    if isinstance(mirror, dict):
        on = any(w > 0 for w in _weights(list(mirror.values())))
        out.append(Strategy(d.path, d.line("mirror_traffic"), "azureml", MIRROR, on, f"mirror_traffic {mirror}"))
    return out


def _cfn(d: Doc) -> list[Strategy]:
    out = []
    for name, res in mapping(dig(d.data, "Resources")).items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::SageMaker::EndpointConfig":
            continue
        variants = dig(res, "Properties", "ProductionVariants") or []
        weights = _weights([v.get("InitialVariantWeight", 1) for v in variants if isinstance(v, dict)])
        out.append(_split(d, ("Resources", name), "sagemaker", weights, "production variant weights"))
        if dig(res, "Properties", "ShadowProductionVariants"):
            out.append(Strategy(d.path, d.line("Resources", name), "sagemaker", MIRROR, True, "shadow variants"))
    return out


def _seldon(d: Doc) -> list[Strategy]:
    out = []
    if d.kind == "Experiment":
        cands = [c for c in dig(d.data, "spec", "candidates") or [] if isinstance(c, dict)]
        out.append(
            _split(
                d,
                ("spec", "candidates"),
                "seldon",
                _weights([c.get("weight", 1) for c in cands]),
                "experiment candidate weights",
            )
        )
        mirror = dig(d.data, "spec", "mirror")
        if isinstance(mirror, dict):
            pct = number(mirror.get("percent", 100)) or 0
            out.append(Strategy(d.path, d.line("spec", "mirror"), "seldon", MIRROR, pct > 0, f"mirror {pct:g}%"))
    elif d.kind == "SeldonDeployment":
        preds = [p for p in dig(d.data, "spec", "predictors") or [] if isinstance(p, dict)]
        live = [p.get("traffic", 100 if len(preds) == 1 else 0) for p in preds if not p.get("shadow")]
        out.append(_split(d, ("spec", "predictors"), "seldon", _weights(live), "predictor traffic"))
        if any(p.get("shadow") for p in preds):
            out.append(Strategy(d.path, d.line("spec", "predictors"), "seldon", MIRROR, True, "shadow predictor"))
    return out


def _istio(d: Doc) -> list[Strategy]:
    out = []
    for i, route in enumerate(dig(d.data, "spec", "http") or []):
        if not isinstance(route, dict):
            continue
        dests = [r for r in route.get("route") or [] if isinstance(r, dict)]
        if len(dests) >= 2:
            out.append(
                _split(
                    d,
                    ("spec", "http", i, "route"),
                    "istio",
                    _weights([r.get("weight", 0) for r in dests]),
                    "route weights",
                )
            )
        if route.get("mirror") or route.get("mirrors"):
            pct = number(dig(route, "mirrorPercentage", "value"))
            out.append(Strategy(d.path, d.line("spec", "http", i), "istio", MIRROR, pct is None or pct > 0, "mirror"))
    return out


def _databricks(d: Doc) -> list[Strategy]:
    out = []
    for name, ep in mapping(dig(d.data, "resources", "model_serving_endpoints")).items():
        routes = dig(ep, "config", "traffic_config", "routes") or []
        weights = _weights([r.get("traffic_percentage") for r in routes if isinstance(r, dict)])
        if weights:
            keys = ("resources", "model_serving_endpoints", name)
            out.append(_split(d, keys, "databricks", weights, "serving endpoint routes"))
    return out


def _doc_strategies(d: Doc) -> list[Strategy]:
    api, kind = d.api, d.kind
    if kind == "InferenceService" and api.startswith(("serving.kserve.io", "serving.kubeflow.org")):
        return _kserve(d)
    if api.startswith("argoproj.io") and kind == "Rollout":
        return _rollout(d)
    if api.startswith("argoproj.io") and kind in ("AnalysisTemplate", "ClusterAnalysisTemplate"):
        on = bool(dig(d.data, "spec", "metrics"))
        return [Strategy(d.path, d.line("spec", "metrics"), "argo-rollouts", ANALYSIS, on, kind)]
    if api.startswith("flagger.app") and kind == "Canary":
        return _flagger(d)
    if api.startswith(("mlops.seldon.io", "machinelearning.seldon.io")):
        return _seldon(d)
    if api.startswith("networking.istio.io") and kind == "VirtualService":
        return _istio(d)
    if "OnlineEndpoint.schema.json" in d.schema or ("auth_mode" in d.data and "traffic" in d.data):
        return _azureml_endpoint(d)
    return _cfn(d) + _databricks(d)


def _text_strategies(index: RepoIndex) -> list[Strategy]:
    out = []
    scripts = index.paths("**/*.sh", "**/*.ps1", "**/*.yml", "**/*.yaml", "**/Makefile", "**/*.ipynb", kinds=CODE)
    for m in grep_sources(index, CLI_TRAFFIC, scripts):
        cli = CLI_TRAFFIC.search(m.text)
        weights = [float(w) for _, w in PAIR.findall(cli.group(2))] if cli else []
        if cli and cli.group(1):
            out.append(Strategy(m.path, m.line, "azureml", MIRROR, any(w > 0 for w in weights), "--mirror-traffic"))
        elif cli:
            live = [w for w in weights if w > 0]
            out.append(Strategy(m.path, m.line, "azureml", SPLIT, len(live) >= 2, f"--traffic {cli.group(2).strip()}"))
    py = code_files(index, notebooks=False)
    for m in index.grep(PY_TRAFFIC, py):
        found = PY_TRAFFIC.search(m.text)
        weights = [float(w) for _, w in PAIR.findall(found.group(2))] if found else []
        live = [w for w in weights if w > 0]
        feature = MIRROR if found and found.group(1) else SPLIT
        out.append(
            Strategy(m.path, m.line, "azureml", feature, len(live) >= (1 if feature == MIRROR else 2), m.text[:80])
        )
    for path in py:
        f = facts(index, path)
        variants = f.calls_to("production_variant")
        if len(variants) >= 2:
            out.append(
                Strategy(path, variants[0].line, "sagemaker", SPLIT, True, f"{len(variants)} production variants")
            )
        shadow = [c for c in f.calls if {"shadow_production_variants", "ShadowProductionVariants"} & set(c.kwargs)]
        out += [Strategy(path, c.line, "sagemaker", MIRROR, True, "shadow production variants") for c in shadow[:1]]
    return out


def _terraform(index: RepoIndex) -> list[Strategy]:
    out = []
    for b in terraform(index, "aws_sagemaker_endpoint_configuration"):
        weights = [
            number(w.group(1)) if (w := VARIANT_WEIGHT.search(v)) else 1.0 for v in b.nested("production_variants")
        ]
        live = [w for w in weights if w]
        detail = f"production variant weights {weights}" + ("" if b.enabled else " (count = 0)")
        out.append(Strategy(b.path, b.line, "sagemaker", SPLIT, b.enabled and len(live) >= 2, detail))
        if b.nested("shadow_production_variants"):
            out.append(Strategy(b.path, b.line, "sagemaker", MIRROR, b.enabled, "shadow_production_variants"))
    for b in terraform(index, "aws_sagemaker_endpoint"):
        for body in b.nested("deployment_config"):
            if "auto_rollback_configuration" in body:
                out.append(Strategy(b.path, b.line, "sagemaker", ANALYSIS, b.enabled, "auto rollback on alarms"))
    return out


def strategies(index: RepoIndex) -> list[Strategy]:
    def build() -> list[Strategy]:
        found = [s for d in yaml_docs(index) for s in _doc_strategies(d)]
        return sorted(set(found + _text_strategies(index) + _terraform(index)), key=lambda s: (s.path, s.line))

    return memo(index, "release_strategies", build)
