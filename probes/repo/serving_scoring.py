"""Scoring code: Azure ML score.py, SageMaker inference handlers, BentoML/KServe/TorchServe/MLflow pyfunc
models, web routes that call predict; and the tests that exercise them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from probes.repo._ml import (
    CODE,
    code_files,
    confidence_for,
    facts,
    loc,
    memo,
    module_map,
    predict_calls,
    repo_of,
    route_decorators,
)
from probes.repo.tests_collect import all_tests
from scanner.collectors.python_facts import PyFacts
from scanner.collectors.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import hit, miss, probe
from scanner.views import Views

SERVING_BASES = {
    "kserve.Model": "KServe model",
    "kserve.model.Model": "KServe model",
    "mlflow.pyfunc.PythonModel": "MLflow pyfunc model",
    "mlflow.pyfunc.model.PythonModel": "MLflow pyfunc model",
    "mlserver.MLModel": "MLServer model",
    "cog.BasePredictor": "Cog predictor",
}
SERVING_DECORATORS = {"bentoml.service": "BentoML service", "ray.serve.deployment": "Ray Serve deployment"}
SAGEMAKER_HANDLERS = ("predict_fn", "transform_fn", "input_fn", "output_fn")


@dataclass(frozen=True)
class ScoringSite:
    path: str
    line: int
    kind: str


def _sites_in(path: str, f: PyFacts) -> list[ScoringSite]:
    out = []
    fn = f.functions
    if PurePosixPath(path).stem.startswith("score") and "init" in fn and "run" in fn:
        out.append(ScoringSite(path, fn["init"], "Azure ML score.py (init/run)"))
    if "model_fn" in fn and any(h in fn for h in SAGEMAKER_HANDLERS):
        out.append(ScoringSite(path, fn["model_fn"], "SageMaker inference handler"))
    for name, bases, line in f.classes:
        kinds = [k for k in map(_base_kind, bases) if k]
        if name == "TritonPythonModel":
            kinds.append("Triton Python model")
        out += [ScoringSite(path, line, k) for k in kinds]
    for name, line in f.decorators:
        if name in SERVING_DECORATORS:
            out.append(ScoringSite(path, line, SERVING_DECORATORS[name]))
    for c in f.calls_to("bentoml.Service"):
        out.append(ScoringSite(path, c.line, "BentoML service"))
    routes = route_decorators(f)
    if routes and predict_calls(f):
        out.append(ScoringSite(path, routes[0][1], "web route calling predict"))
    return out


def _base_kind(base: str) -> str | None:
    if base.startswith("ts.torch_handler") or base == "BaseHandler":
        return "TorchServe handler"
    return SERVING_BASES.get(base)


def scoring_sites(index: RepoIndex) -> list[ScoringSite]:
    """Scoring entrypoints in the organisation's code; modules with no calls at all are placeholders."""

    def build() -> list[ScoringSite]:
        out = []
        for path in code_files(index):
            f = facts(index, path)
            if f.calls:
                out += _sites_in(path, f)
        out += [
            ScoringSite(p, 1, "BentoML bentofile")
            for p in index.paths("bentofile.yaml", "**/bentofile.yaml", kinds=CODE)
        ]
        return out

    return memo(index, "scoring_sites", build)


@probe(
    "repo.scoring.present",
    summary="Version-controlled scoring code (score.py init/run, SageMaker handlers, "
    "BentoML/KServe/TorchServe/pyfunc models, web routes calling predict)",
)
def scoring_present(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites = scoring_sites(index)
    if not sites:
        return [miss(views, "repo.scoring.present", "no scoring entrypoint in the repo's code")]
    kinds = sorted({s.kind for s in sites})
    msg = f"{len({s.path for s in sites})} scoring files: {', '.join(kinds)}"
    return [
        hit(
            views,
            "repo.scoring.present",
            [loc(index, s.path, s.line) for s in sites],
            msg,
            confidence=confidence_for(s.path for s in sites),
            values={"kinds": kinds},
        )
    ]


@probe("repo.scoring.tested", summary="Real tests import the scoring module or call its entrypoint")
def scoring_tested(views: Views) -> list[Finding]:
    index = repo_of(views)
    scoring = {s.path for s in scoring_sites(index)}
    if not scoring:
        return [miss(views, "repo.scoring.tested", "no scoring code to test")]
    real = sorted({t.path for t in all_tests(index) if t.real and t.lang == "python"})
    mods = module_map(index)
    hits = []
    for path in real:
        f = facts(index, path)
        lines = [line for m, line in f.imports.items() if mods.get(m) in scoring]
        if lines:
            hits.append(loc(index, path, min(lines)))
    values = {"count": len(hits), "scoring_files": len(scoring)}
    if not hits:
        return [
            miss(
                views,
                "repo.scoring.tested",
                f"{len(scoring)} scoring files, but no real test imports them",
                values=values,
            )
        ]
    return [hit(views, "repo.scoring.tested", hits, f"{len(hits)} test files exercise the scoring code", values=values)]
