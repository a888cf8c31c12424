"""Notebook practice: conversion of notebooks into scripts, local GPU use in notebooks, and one-way
demonstrations (exported reports, demo apps)."""

from __future__ import annotations

import fnmatch
import re

from probes.repo._ml import CODE, code_files, facts, grep_sources, is_notebook, loc, local_imports, repo_of
from probes.repo.ml_manifests import dig, terraform, walk, yaml_docs
from scanner.facts.paths import path_parts
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe, verdict
from scanner.views import Views

TO_SCRIPT = re.compile(
    r"nbconvert\b.*--to[ =](script|python)\b|jupytext\b.*(--to[ =](py|script)|--set-formats|--sync)"
    r"|mwouts/jupytext|nbdev[_-]export|\bnbdev\b.*\bexport\b"
)
TO_REPORT = re.compile(
    r"nbconvert\b.*--to[ =](html|pdf|webpdf|slides)\b|quarto\s+render|\bvoila\b|streamlit\s+run"
    r"|panel\s+serve"
)
SCRIPT_GLOBS = (
    "**/Makefile",
    "**/*.sh",
    "**/*.yml",
    "**/*.yaml",
    "**/*.toml",
    "**/*.cfg",
    "**/*.ini",
    "**/Dockerfile*",
    "**/Procfile",
)
# SCRIPT_GLOBS as one regex over the file name (what PurePosixPath(path).match(name_glob) compared)
_SCRIPT_NAME = re.compile("|".join(fnmatch.translate(g.removeprefix("**/")) for g in SCRIPT_GLOBS))
TOOL_JUPYTEXT = re.compile(r"^\[tool\.jupytext", re.M)
JUPYTEXT_FILES = (
    "jupytext.toml",
    "**/jupytext.toml",
    ".jupytext",
    "**/.jupytext",
    ".jupytext.toml",
    "jupytext.yml",
    ".jupytext.yml",
)
COMPUTE_KINDS = {"Job", "CronJob", "RayJob", "RayCluster", "PyTorchJob", "TFJob", "MPIJob", "TrainJob", "Workflow"}
COMPUTE_CALLS = (
    "Estimator",
    "PyTorch",
    "TensorFlow",
    "HuggingFace",
    "SKLearn",
    "azure.ai.ml.command",
    "CustomJob",
    "CustomTrainingJob",
    "CustomContainerTrainingJob",
    "ScriptRunConfig",
)
COMPUTE_RESOURCES = (
    "azurerm_machine_learning_compute_cluster",
    "azurerm_machine_learning_compute_instance",
    "databricks_cluster",
    "databricks_job",
    "aws_sagemaker_notebook_instance",
    "google_compute_instance",
)
DEMO_CALLS = ("gradio.Interface", "gradio.Blocks", "gradio.ChatInterface", "dash.Dash", "panel.serve")


@probe(
    "code.notebook_to_script",
    summary="Notebooks converted to or synced with scripts (jupytext, nbconvert "
    "--to script, nbdev), or notebooks importing the repo's own modules",
    evidence=("file",),
    remediation="Keep notebooks paired with scripts (jupytext) or move their logic into the repo's modules and "
    "import it, so that the code can be reviewed, tested and run in a pipeline.",
)
def notebook_to_script(views: Views) -> list[Finding]:
    index = repo_of(views)
    strong: list[Location] = [loc(index, p) for p in index.paths(*JUPYTEXT_FILES, kinds=CODE)]
    for path in index.paths("pyproject.toml", "**/pyproject.toml", kinds=CODE):
        if dig(index.toml(path), "tool", "jupytext") is not None:
            strong += [loc(index, m.path, m.line) for m in index.grep(TOOL_JUPYTEXT, [path])]
    codes = {p: code for p in index.by_suffix(".ipynb", kinds=CODE) if (code := index.notebook(p)) is not None}
    strong += [loc(index, p) for p, code in codes.items() if "py" in str(dig(code.metadata, "jupytext", "formats"))]
    strong += [loc(index, m.path, m.line) for m in index.grep(TO_SCRIPT, index.paths(*SCRIPT_GLOBS, kinds=CODE))]
    if strong:
        return [hit(views, "code.notebook_to_script", strong, f"{len(strong)} notebook-to-script conversions")]
    importing = [loc(index, p) for p in codes if local_imports(index, facts(index, p))]
    return [
        verdict(
            views,
            "code.notebook_to_script",
            importing,
            f"{len(importing)} notebooks import the repo's own modules",
            "no notebook conversion and no notebook imports repo modules",
            confidence="low",
        )
    ]


def _gpu_lines(index: RepoIndex, path: str, f: PyFacts) -> list[int]:
    lines = [
        c.line
        for c in f.calls_to(
            "torch.cuda.is_available", "tensorflow.config.list_physical_devices", "tensorflow.test.is_gpu_available"
        )
    ]
    lines += [c.line for c in f.calls if any(s.startswith("cuda") for s in c.str_args)]
    lines += [c.line for c in f.calls if c.name.endswith(".cuda")]
    lines += [m.line for m in grep_sources(index, re.compile(r"^#\s*!\s*nvidia-smi", re.M), [path])]
    return sorted(set(lines))


def compute_specs(index: RepoIndex) -> list[Location]:
    """Job or compute definitions (cloud training jobs, clusters, k8s jobs, Slurm, compose GPU reservations)."""
    out = []
    for d in yaml_docs(index):
        job_schema = re.search(r"(command|sweep|pipeline)Job\.schema|amlCompute", d.schema)
        compute = isinstance(d.data.get("compute"), str) and str(d.data.get("compute")).startswith("azureml:")
        gpu = any(k and k[-1] == "devices" and "reservations" in k for k, _ in walk(d.data, depth=6))
        if job_schema or compute or gpu or d.kind in COMPUTE_KINDS or dig(d.data, "resources", "jobs"):
            out.append(loc(index, d.path, 1))
    out += [
        loc(index, m.path, m.line)
        for m in index.grep(r"^#SBATCH", index.paths("**/*.sh", "**/*.slurm", kinds=CODE), limit=5)
    ]
    out += [loc(index, b.path, b.line) for b in terraform(index, *COMPUTE_RESOURCES, enabled=True)[:5]]
    for path in code_files(index, notebooks=False):
        calls = facts(index, path).calls_to(*COMPUTE_CALLS)
        out += [loc(index, path, c.line) for c in calls if "instance_type" in c.kwargs or "compute" in c.kwargs][:1]
    return out


@probe(
    "code.notebook_local_gpu",
    summary="Notebooks use a local GPU (nvidia-smi, cuda devices) and the repo defines no job or compute spec",
    evidence=("file",),
    remediation="Move GPU training out of notebooks on a workstation into a job or compute spec (a CI job, "
    "Azure ML or SageMaker job, Kubernetes job) that the repo defines.",
)
def notebook_local_gpu(views: Views) -> list[Finding]:
    index = repo_of(views)
    gpu = [
        loc(index, p, lines[0])
        for p in code_files(index)
        if is_notebook(p)
        for lines in [_gpu_lines(index, p, facts(index, p))]
        if lines
    ]
    specs = compute_specs(index)
    values = {"count": len(gpu), "compute_specs": len(specs)}
    if gpu and not specs:
        return [
            hit(
                views,
                "code.notebook_local_gpu",
                gpu,
                f"{len(gpu)} notebooks use a local GPU; no compute spec in the repo",
                confidence="low",
                values=values,
            )
        ]
    why = f"{len(gpu)} GPU notebooks, but {len(specs)} job/compute specs exist" if gpu else "no notebook uses a GPU"
    return [miss(views, "code.notebook_local_gpu", why, values=values, confidence="low")]


def _own_or_demo(index: RepoIndex, path: str) -> bool:
    kind = index.kind(path)
    demo_dir = any(d.lower().startswith("demo") for d in path_parts(path)[:-1])
    return kind == "code" or (kind == "example" and demo_dir)


@probe(
    "repo.ds_demo_artifacts",
    summary="One-way demonstrations: exported reports (reports/*.html|pdf, .qmd, "
    "nbconvert --to html) and demo apps (Streamlit, Gradio, Dash, Panel, Voila)",
    evidence=("file",),
    remediation="Replace exported reports and one-off demo apps with results that other teams can consume: a "
    "served model, a shared dashboard on tracked metrics, or a versioned package.",
)
def ds_demo_artifacts(views: Views) -> list[Finding]:
    index = repo_of(views)
    paths = [p for p in index.paths(kinds=None) if _own_or_demo(index, p)]
    reports = [p for p in paths if re.search(r"(^|/)reports?/.*\.(html|pdf)$", p, re.I) or p.endswith(".qmd")]
    sites = [loc(index, p) for p in reports]
    scripts = [p for p in paths if _SCRIPT_NAME.match(p.rsplit("/", 1)[-1])]
    sites += [loc(index, m.path, m.line) for m in index.grep(TO_REPORT, scripts)]
    apps = 0
    for path in [p for p in paths if p.endswith((".py", ".ipynb")) and index.text(p) is not None]:
        f = facts(index, path)
        calls = f.calls_under("streamlit") + f.calls_to(*DEMO_CALLS)
        if calls:
            apps += 1
            sites.append(loc(index, path, calls[0].line))
    values = {"count": len(sites), "reports": len(reports), "apps": apps}
    return [
        verdict(
            views,
            "repo.ds_demo_artifacts",
            sites,
            f"{len(reports)} exported reports, {apps} demo apps",
            "no exported reports or demo apps",
            values=values,
        )
    ]
