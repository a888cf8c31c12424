"""Does the repo do ML at all, and how much of it lives in notebooks?"""

from __future__ import annotations

from probes.repo._ml import (
    CODE,
    ML_FRAMEWORKS,
    ML_HELPERS,
    TRACKING_LIBS,
    code_files,
    facts,
    is_notebook,
    loc,
    repo_of,
    training_files,
    under_any,
    uses_ml,
)
from probes.repo.ml_pipelines import pipeline_sites
from probes.repo.ml_training import is_model_file
from probes.repo.serving_scoring import online_model_sites, scoring_sites
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

ML_DISTRIBUTIONS = (
    "scikit-learn",
    "torch",
    "tensorflow",
    "keras",
    "xgboost",
    "lightgbm",
    "catboost",
    "transformers",
    "statsmodels",
    "pytorch-lightning",
    "lightning",
    "fastai",
    "prophet",
    "autogluon",
    "pycaret",
    "h2o",
    "flaml",
    "sktime",
    "darts",
    "sentence-transformers",
)
NOTEBOOK_ONLY_SHARE = 0.9


def _framework_sites(index: RepoIndex) -> dict[str, tuple[int, list[str]]]:
    """file -> (first framework call line, frameworks called); imports alone do not count."""
    out = {}
    for path in code_files(index):
        calls = [c for c in facts(index, path).calls_under(*ML_FRAMEWORKS) if not under_any(c.name, ML_HELPERS)]
        if calls:
            used = sorted({next(p for p in ML_FRAMEWORKS if c.name == p or c.name.startswith(p + ".")) for c in calls})
            out[path] = (min(c.line for c in calls), used)
    return out


@probe(
    "repo.ml.present",
    summary="The repo's own code does ML: training, ML framework calls, model files, ML "
    "pipelines or model serving (decides whether the ML areas apply)",
    evidence=("file",),
    remediation="Not a target to reach: it says whether the repo's own code does ML, which decides whether the "
    "ML areas apply.",
)
def ml_present(views: Views) -> list[Finding]:
    index = repo_of(views)
    training = training_files(index)
    frameworks = _framework_sites(index)
    binaries = [p for p, e in index.files.items() if e.kind == "code" and is_model_file(p)]
    pipelines = [s for group in pipeline_sites(index).values() for s in group]
    scoring = scoring_sites(index)
    locs: list[Location] = [loc(index, t.path, t.line) for t in training]
    locs += [loc(index, s.path, s.line) for s in scoring + pipelines]
    locs += [loc(index, p, line) for p, (line, _) in frameworks.items()] + [loc(index, p) for p in binaries]
    values = {
        "training_files": len(training),
        "framework_files": len(frameworks),
        "model_binaries": len(binaries),
        "pipelines": len(pipelines),
        "scoring_files": len({s.path for s in scoring}),
        "frameworks": sorted({f for _, used in frameworks.values() for f in used}),
    }
    online = online_model_sites(index)
    values["online_model_files"] = len({p for p, _, _ in online})
    locs += [loc(index, p, line) for p, line, _ in online]
    if locs:
        modules = any(not is_notebook(s.path or "") for s in locs)
        # Notebooks that really fit models with an ML framework make ML applicable (the notebook discount is
        # applied by the level criteria); a notebook that only imports sklearn or plots stays low.
        nb_training = [t for t in training if t.notebook and uses_ml(facts(index, t.path))]
        values["notebook_training_files"] = len(nb_training)
        what = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in values.items() if isinstance(v, int) and v)
        msg = f"ML in the repo's own code: {what}" + ("" if modules else " (notebooks only)")
        confidence = "medium" if modules or nb_training else "low"
        return [hit(views, "repo.ml.present", locs, msg, confidence=confidence, values=values)]
    declared = index.declares(*ML_DISTRIBUTIONS)
    if declared:
        msg = "ML libraries are declared as dependencies, but no code calls them"
        return [
            hit(views, "repo.ml.present", declared, msg, confidence="low", values={**values, "declared_only": True})
        ]
    return [
        miss(views, "repo.ml.present", "no ML code, model files, ML pipelines or serving in the repo", values=values)
    ]


@probe(
    "repo.notebooks.present",
    summary="Jupyter notebooks in the repo's own folders (examples/docs excluded)",
    evidence=("file",),
    remediation="Not a target to reach: it records that the repo keeps notebooks in its own folders.",
)
def notebooks_present(views: Views) -> list[Finding]:
    index = repo_of(views)
    notebooks = index.by_suffix(".ipynb", kinds=CODE)
    values = {
        "count": len(notebooks),
        "ignored_non_practice": len(index.by_suffix(".ipynb", kinds=None)) - len(notebooks),
    }
    if not notebooks:
        return [
            miss(views, "repo.notebooks.present", "no notebooks outside examples/docs/generated folders", values=values)
        ]
    return [
        hit(
            views,
            "repo.notebooks.present",
            [loc(index, p) for p in notebooks],
            f"{len(notebooks)} notebooks",
            values=values,
        )
    ]


def _ds_modules(index: RepoIndex) -> list[str]:
    training = {t.path for t in training_files(index)}
    return [
        p
        for p in code_files(index, notebooks=False)
        if p in training or uses_ml(facts(index, p)) or facts(index, p).imported(*TRACKING_LIBS) is not None
    ]


@probe(
    "repo.notebooks_only",
    summary="DS work lives (almost) only in notebooks: >= 90% of DS code is notebook "
    "code and no training script or module exists",
    remediation="Move reusable logic from notebooks into modules and runnable training scripts.",
    evidence=("file",),
)
def notebooks_only(views: Views) -> list[Finding]:
    index = repo_of(views)
    codes = {p: code for p in index.by_suffix(".ipynb", kinds=CODE) if (code := index.notebook(p)) is not None}
    notebooks = sorted(codes)
    modules = _ds_modules(index)
    nb_chars = sum(len(code.source) for code in codes.values())
    py_chars = sum(len(index.text(p) or "") for p in modules)
    share = round(nb_chars / (nb_chars + py_chars), 2) if nb_chars + py_chars else 0.0
    scripts = [t for t in training_files(index) if not t.notebook]
    values = {
        "count": len(notebooks),
        "notebook_share": share,
        "ds_modules": len(modules),
        "training_scripts": len(scripts),
    }
    if not notebooks:
        return [miss(views, "repo.notebooks_only", "no notebooks", values=values)]
    if share >= NOTEBOOK_ONLY_SHARE and not scripts:
        msg = f"{share:.0%} of DS code is in {len(notebooks)} notebooks; no training script or module"
        return [hit(views, "repo.notebooks_only", [loc(index, p) for p in notebooks], msg, values=values)]
    msg = f"notebooks hold {share:.0%} of DS code; {len(modules)} DS modules, {len(scripts)} training scripts"
    return [miss(views, "repo.notebooks_only", msg, values=values)]
