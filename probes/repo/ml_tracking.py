"""Experiment tracking: how many training entrypoints log to a tracking system, local-only tracking,
and results kept by hand in docs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from probes.repo._ml import (
    CODE,
    TRACKING_LIBS,
    code_files,
    facts,
    is_notebook,
    loc,
    local_imports,
    memo,
    method_calls,
    module_map,
    repo_of,
    training_files,
)
from scanner.facts.console_scripts import console_scripts as declared_scripts
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import hit, miss, not_applicable, probe
from scanner.views import Views

CONSISTENT_SHARE = 0.7
SPORADIC_SHARE = 0.3
INTEGRATIONS = {  # logger/callback classes of training frameworks -> tool
    "MLFlowLogger": "mlflow",
    "MLflowLoggerCallback": "mlflow",
    "WandbLoggerCallback": "wandb",
    "MlflowCallback": "mlflow",
    "WandbLogger": "wandb",
    "WandbCallback": "wandb",
    "WandbMetricsLogger": "wandb",
    "NeptuneLogger": "neptune",
    "CometLogger": "comet_ml",
    "DVCLiveLogger": "dvclive",
    "DVCLiveCallback": "dvclive",
    "AimLogger": "aim",
    "AimCallback": "aim",
}
STARTERS = {
    "neptune": ("init_run", "init"),
    "comet_ml": ("Experiment", "start", "OfflineExperiment"),
    "clearml": ("Task.init",),
    "dvclive": ("Live",),
    "aim": ("Run",),
}
# Platform SDK experiment tracking counts like the open-source tools: Azure ML v1 runs, SageMaker Experiments,
# Vertex AI Experiments (a run is started and metrics are logged on it).
PLATFORM_TRACKING = {
    "azureml": (
        ("azureml.core.Run.get_context", "azureml.core.run.Run.get_context", "azureml.core.Experiment.start_logging"),
        ("log", "log_list", "log_row", "log_table"),
    ),
    "sagemaker-experiments": (
        ("sagemaker.experiments.run.Run", "sagemaker.experiments.Run", "sagemaker.experiments.load_run"),
        ("log_metric", "log_parameters", "log_parameter"),
    ),
    "vertex-experiments": (
        ("google.cloud.aiplatform.start_run", "google.cloud.aiplatform.init"),
        ("log_metrics", "log_params", "log_time_series_metrics"),
    ),
}
REPORT_TO = re.compile(r"report_to\s*=\s*\[?\s*['\"](mlflow|wandb|comet_ml|neptune|clearml|dvclive|aim)['\"]")
WANDB_OFF = re.compile(
    r"WANDB_MODE['\"]?\s*[\]:=,]\s*=?\s*['\"]?(disabled|offline|dryrun)|WANDB_DISABLED['\"]?\s*"
    r"[\]:=,]\s*=?\s*['\"]?(true|1)",
    re.I,
)
LOCAL_URI = re.compile(r"^(file:|\.?/?mlruns\b|sqlite:)")
LOCAL_URI_TEXT = re.compile(r"MLFLOW_TRACKING_URI['\"]?\s*[:=]\s*['\"]?(file:|\.?/?mlruns\b|sqlite:)")
METRIC_WORDS = re.compile(
    r"\b(accuracy|acc|auc|roc[ _-]?auc|f1([ _-]?score)?|rmse|mae|mse|r2|r²|precision|recall|"
    r"mape|log[ _-]?loss|bleu|rouge\S*|ndcg|map@\d+)\b",
    re.I,
)
NUMBER = re.compile(r"^\s*\**-?\d+(\.\d+)?\s*%?\**\s*$")


@dataclass(frozen=True)
class TrackingUse:
    tools: tuple[str, ...]
    line: int | None
    imported_only: bool


def _wandb_off_repo(index: RepoIndex) -> bool:
    """W&B switched off for the whole repo by configuration (CI, env files, Dockerfiles); a Python module that
    sets WANDB_DISABLED for its own use (e.g. around a Hugging Face Trainer) disables only itself."""

    def build() -> bool:
        paths = [p for p in index.paths(kinds=CODE) if not p.endswith((".py", ".ipynb"))]
        return bool(index.grep(WANDB_OFF, paths, limit=1))

    return memo(index, "wandb_off", build)


def _wandb_started_in_repo(index: RepoIndex) -> bool:
    """Some module of the repo's own code starts a W&B run (`wandb.init` not switched off)."""

    def build() -> bool:
        return any(
            facts(index, p).calls_to("wandb.init") and not _wandb_disabled(facts(index, p))
            for p in code_files(index)
            if "wandb.init" in (index.text(p) or "")
        )

    return memo(index, "wandb_started", build)


def tracking_use(index: RepoIndex, path: str) -> TrackingUse:
    f = facts(index, path)
    lines: dict[str, int] = {}
    mlflow = [
        c for c in f.calls_under("mlflow") if c.name.rsplit(".", 1)[-1].startswith(("log_", "autolog", "start_run"))
    ]
    if f.imported("mlflow") is not None:
        mlflow += method_calls(f, "log_metric", "log_metrics", "log_param", "log_params", "log_batch")
    if mlflow:
        lines["mlflow"] = min(c.line for c in mlflow)
    if not (_wandb_off_repo(index) or _wandb_disabled(f) or WANDB_OFF.search(index.text(path) or "")):
        inits = f.calls_to("wandb.init")
        explicit = f.calls_to("wandb.log")
        logs = explicit + (method_calls(f, "log") if f.imported("wandb") is not None else [])
        if inits and logs:
            lines["wandb"] = min(c.line for c in inits)
        elif explicit and _wandb_started_in_repo(index):
            # the run is started once (a launcher), metrics are logged where training happens (a trainer)
            lines["wandb"] = min(c.line for c in explicit)
    for tool, names in STARTERS.items():
        calls = f.calls_to(*(f"{tool}.{n}" for n in names))
        if calls:
            lines[tool] = min(c.line for c in calls)
    for tool, (starters, log_methods) in PLATFORM_TRACKING.items():
        started = f.calls_to(*starters)
        logged = method_calls(f, *log_methods)
        if started and logged:
            lines[tool] = min(c.line for c in started)
    for c in f.calls_to(*INTEGRATIONS):
        tool = INTEGRATIONS[c.name.rsplit(".", 1)[-1]]
        if tool != "wandb" or not _wandb_off_repo(index):
            lines.setdefault(tool, c.line)
    text = index.text(path) or ""
    for m in REPORT_TO.finditer(text) if not is_notebook(path) else ():
        lines.setdefault(m.group(1), text.count("\n", 0, m.start()) + 1)
    imported = f.imported(*TRACKING_LIBS) is not None
    first = min(lines.values()) if lines else None
    return TrackingUse(tuple(sorted(lines)), first, imported and not lines)


def tracking_uses(index: RepoIndex) -> dict[str, TrackingUse]:
    """Tracking use of every code file (notebooks included), computed once per index."""
    return memo(index, "tracking_uses", lambda: {p: tracking_use(index, p) for p in code_files(index)})


def _wandb_disabled(f: PyFacts) -> bool:
    return any(
        "mode" in c.kwargs and {"disabled", "offline", "dryrun"} & set(c.str_args) for c in f.calls_to("wandb.init")
    )


def tracked_entrypoints(index: RepoIndex) -> tuple[list[str], list[str], dict[str, TrackingUse]]:
    """(entrypoints, tracked entrypoints, tracking use per file). Entrypoints are training scripts/modules,
    or training notebooks when there is no script. An entrypoint is tracked when it, a repo module it
    imports, or a repo module importing it calls a tracking API."""
    files = code_files(index)
    uses = tracking_uses(index)
    logging = {p for p, u in uses.items() if u.tools}
    training = training_files(index)
    # Launchers and job submitters start training that runs elsewhere (often one of these entrypoints):
    # they count only when nothing trains directly.
    scripts_all = [t for t in training if not t.notebook]
    direct = [t.path for t in scripts_all if not t.launcher]
    entry = direct or [t.path for t in scripts_all] or [t.path for t in training]
    imports = {p: local_imports(index, facts(index, p)) for p in files}
    scripts = console_scripts(index)

    def logs(path: str) -> bool:
        return path in logging or bool(imports.get(path, set()) & logging)

    def launches_logger(path: str) -> bool:
        """The entrypoint runs one of the repo's console scripts (by name) whose module logs: a log parser
        publishing training metrics to a tracker."""
        names = {s.split()[0] for _, s in facts(index, path).strings if s.strip()}
        names |= {a.split()[0] for c in facts(index, path).calls for a in c.str_args if a.strip()}
        return any(logs(module) for name, module in scripts.items() if name in names)

    tracked = [
        path for path in entry if logs(path) or any(path in imports[p] for p in logging) or launches_logger(path)
    ]
    return entry, tracked, uses


def console_scripts(index: RepoIndex) -> dict[str, str]:
    """Console scripts the repo declares (pyproject, Poetry, setup.py, setup.cfg) -> their module file."""

    def build() -> dict[str, str]:
        mods = module_map(index)
        return {name: mods[s.module] for name, s in declared_scripts(index).items() if s.module in mods}

    return memo(index, "console_scripts", build)


def _summary(index: RepoIndex) -> tuple[list[str], list[str], dict[str, Any]]:
    entry, tracked, uses = memo(index, "tracked_entrypoints", lambda: tracked_entrypoints(index))
    share = round(len(tracked) / len(entry), 2) if entry else 0.0
    tools = sorted({t for u in uses.values() for t in u.tools})
    values: dict[str, Any] = {
        "count": len(tracked),
        "entrypoints": len(entry),
        "share": share,
        "tools": tools,
        "imported_not_logging": sum(u.imported_only for u in uses.values()),
        "notebook_entrypoints": all(is_notebook(p) for p in entry) if entry else False,
        "wandb_disabled": _wandb_off_repo(index),
    }
    return entry, tracked, values


@probe(
    "code.tracking",
    summary="At least 70% of training entrypoints log to a tracking system",
    emits=["code.tracking.consistent", "code.tracking.sporadic"],
    remediation="Log params, metrics and models from every training entrypoint (e.g. mlflow.autolog()).",
    evidence=("file",),
)
def tracking_consistency(views: Views) -> list[Finding]:
    index = repo_of(views)
    entry, tracked, values = _summary(index)
    if not entry:
        why = "no training entrypoints in the repo's code, so tracking consistency does not apply"
        return [
            not_applicable(views, s, why, values=values) for s in ("code.tracking.consistent", "code.tracking.sporadic")
        ]
    share = float(values["share"])
    conf = "low" if values["notebook_entrypoints"] else "medium"
    tools = ", ".join(values["tools"]) or "none"
    ratio = f"{len(tracked)} of {len(entry)} training entrypoints log to a tracker (tools: {tools})"
    locs = [loc(index, p) for p in tracked]
    untracked = [loc(index, p) for p in entry if p not in tracked]
    out = []
    if share >= CONSISTENT_SHARE:
        out.append(hit(views, "code.tracking.consistent", locs, ratio, confidence=conf, values=values))
    else:
        out.append(miss(views, "code.tracking.consistent", ratio, values=values, locations=untracked[:20]))
    if share < SPORADIC_SHARE:
        extra = (
            f"; {values['imported_not_logging']} files import a tracker but never log"
            if values["imported_not_logging"]
            else ""
        )
        out.append(hit(views, "code.tracking.sporadic", untracked, ratio + extra, confidence=conf, values=values))
    else:
        out.append(miss(views, "code.tracking.sporadic", ratio, values=values))
    return out


@probe(
    "repo.mlruns_committed",
    summary="Local-only MLflow tracking: mlruns/ or mlflow.db in git, file:/sqlite tracking URIs",
    remediation="Point MLFLOW_TRACKING_URI at a shared tracking server.",
    evidence=("file",),
)
def mlruns_committed(views: Views) -> list[Finding]:
    index = repo_of(views)
    tracked = index.paths("mlruns/**", "**/mlruns/**", "mlflow.db", "**/mlflow.db", kinds=None)
    sites = [loc(index, p) for p in tracked[:5]]
    for path in code_files(index):
        f = facts(index, path)
        lines = [c.line for c in f.calls_to("mlflow.set_tracking_uri") if any(LOCAL_URI.match(s) for s in c.str_args)]
        env = {line for line, s in f.strings if s == "MLFLOW_TRACKING_URI"}  # os.environ[...] = "file:..."
        lines += [line for line, s in f.strings if line in env and LOCAL_URI.match(s)]
        sites += [loc(index, path, line) for line in sorted(set(lines))]
    configs = [p for p in index.paths(kinds=CODE) if not p.endswith((".py", ".ipynb"))]  # Python is read by AST above
    sites += [loc(index, m.path, m.line) for m in index.grep(LOCAL_URI_TEXT, configs)]
    values = {"count": len(sites), "tracked_files": len(tracked)}
    if not sites:
        return [miss(views, "repo.mlruns_committed", "no committed mlruns/ and no local tracking URI", values=values)]
    what = f"{len(tracked)} files under mlruns/ or mlflow.db tracked in git" if tracked else "local tracking URI set"
    return [hit(views, "repo.mlruns_committed", sites, what, values=values)]


def metric_tables(text: str) -> list[int]:
    """Lines of Markdown tables (outside code fences) that hold metric names next to numbers."""
    out: list[int] = []
    fenced = False
    table: list[tuple[int, list[str]]] = []
    for n, raw in enumerate([*text.splitlines(), ""], 1):
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.startswith("|"):
            table.append((n, [c.strip() for c in line.strip("|").split("|")]))
            continue
        if len(table) >= 3 and _metric_table([cells for _, cells in table]):
            out.append(table[0][0])
        table = []
    return out


def _metric_table(rows: list[list[str]]) -> bool:
    header, body = rows[0], [r for r in rows[2:] if r]
    numeric = any(NUMBER.match(c) for r in body for c in r)
    by_column = any(METRIC_WORDS.search(c) for c in header)
    by_row = any(METRIC_WORDS.search(r[0]) and any(NUMBER.match(c) for c in r[1:]) for r in body)
    return numeric and (by_column or by_row)


@probe(
    "repo.results_in_docs",
    summary="Metric tables kept by hand in README/Markdown (or results spreadsheets) while no code logs to a tracker",
    evidence=("file",),
    remediation="Log metrics to an experiment tracker (MLflow, W&B, DVC) from the training code instead of "
    "keeping results tables by hand in README or spreadsheets.",
)
def results_in_docs(views: Views) -> list[Finding]:
    index = repo_of(views)
    docs = index.by_suffix(".md", ".markdown", kinds=("docs", "code"))
    sites = [loc(index, p, line) for p in docs for line in metric_tables(index.text(p) or "")]
    sheets = [
        p
        for p in index.by_suffix(".xlsx", ".xls", kinds=("docs", "code"))
        if METRIC_WORDS.search(p) or re.search(r"result|metric|score|experiment", p, re.I)
    ]
    sites += [loc(index, p) for p in sheets]
    logging_files = sum(1 for use in tracking_uses(index).values() if use.tools)
    vals = {"count": len(sites), "spreadsheets": len(sheets), "tracking_files": logging_files}
    if not sites:
        return [miss(views, "repo.results_in_docs", "no metric tables in the repo's Markdown", values=vals)]
    if logging_files:
        msg = f"{len(sites)} metric tables in docs, but {logging_files} code files log to a tracker"
        return [miss(views, "repo.results_in_docs", msg, values=vals, locations=sites[:20])]
    msg = f"{len(sites)} metric tables/result sheets in docs and no tracking calls in code"
    return [hit(views, "repo.results_in_docs", sites, msg, values=vals)]
