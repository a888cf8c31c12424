"""Model creation in the repo: training entrypoints, committed model binaries, per-project data prep."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import PurePosixPath

from probes.repo._ml import (
    AMBIGUOUS_MODEL_SUFFIXES,
    CODE,
    MODEL_SUFFIXES,
    MODEL_WORDS,
    TRAIN_FILE_NAME,
    code_files,
    confidence_for,
    facts,
    loc,
    repo_of,
    training_calls,
    training_files,
)
from probes.repo.ml_manifests import dig, mapping
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import hit, miss, probe
from scanner.views import Views

LFS_POINTER_MAX_BYTES = 200
PREP_STAGES = re.compile(
    r"^(prepare|prep|featurize|featurise|features|preprocess\w*|get_data|data_prep\w*|"
    r"process_data|make_dataset|load_data|download\w*|ingest\w*|split\w*|build_features)$",
    re.I,
)
PREP_FILES = re.compile(
    r"(^|/)(make_dataset|data|dataset|get_data|load_data|prepare\w*|preprocess\w*|"
    r"featurize\w*|build_features|data_prep\w*)\.py$",
    re.I,
)
SOURCE_READS = (
    "read_sql",
    "read_sql_query",
    "read_sql_table",
    "read_csv",
    "read_parquet",
    "read_excel",
    "read_json",
    "read_gbq",
    "load_dataset",
    "urlretrieve",
    "download_file",
    "table",
    "sql",
)


def _non_practice_training(index: RepoIndex) -> int:
    """Training files in examples/docs/templates: reported, never counted."""
    paths = index.python_files(kinds=("example", "docs", "template"))
    return sum(1 for p in paths if training_calls(p, facts(index, p)))


@probe(
    "repo.training_code",
    summary="Training entrypoints (real fit/train calls) in the repo's own code",
    remediation="Move training out of notebooks into version-controlled, runnable scripts or modules.",
    evidence=("file",),
)
def training_code(views: Views) -> list[Finding]:
    index = repo_of(views)
    found = training_files(index)
    named_only = [p for p in code_files(index) if TRAIN_FILE_NAME.search(p) and p not in {t.path for t in found}]
    values = {
        "count": len(found),
        "scripts": sum(not t.notebook for t in found),
        "notebooks": sum(t.notebook for t in found),
        "named_train_without_fit": len(named_only),
        "ignored_non_practice": _non_practice_training(index),
    }
    if not found:
        extra = f" ({len(named_only)} train* files hold no training call)" if named_only else ""
        return [miss(views, "repo.training_code", f"no training calls in the repo's own code{extra}", values=values)]
    where = "notebooks only" if not values["scripts"] else f"{values['scripts']} scripts/modules"
    calls = sorted({t.call.rsplit(".", 1)[-1] for t in found})[:4]
    msg = f"{len(found)} training entrypoints ({where}) calling {', '.join(calls)}"
    locs = [loc(index, t.path, t.line) for t in found]
    return [
        hit(views, "repo.training_code", locs, msg, confidence=confidence_for(t.path for t in found), values=values)
    ]


def _lfs_patterns(index: RepoIndex) -> list[tuple[str, str]]:
    """(directory, pattern) for every `filter=lfs` rule in .gitattributes files."""
    out = []
    for path in index.paths("**/.gitattributes", ".gitattributes", kinds=None):
        parent = str(PurePosixPath(path).parent)
        base = "" if parent == "." else parent
        for line in (index.text(path) or "").splitlines():
            parts = line.split()
            if len(parts) > 1 and "filter=lfs" in parts[1:]:
                out.append((base, parts[0]))
    return out


def _is_lfs(path: str, size: int, patterns: list[tuple[str, str]]) -> bool:
    for base, pattern in patterns:
        rel = path[len(base) + 1 :] if base and path.startswith(base + "/") else path
        target = rel if "/" in pattern.strip("/") else PurePosixPath(path).name
        if fnmatch(target, pattern.strip("/")):
            return True
    return size <= LFS_POINTER_MAX_BYTES


def is_model_file(path: str) -> bool:
    lower = path.lower()
    if lower.endswith(MODEL_SUFFIXES):
        return True
    return lower.endswith(AMBIGUOUS_MODEL_SUFFIXES) and bool(MODEL_WORDS.search(lower))


@probe(
    "repo.model_binaries",
    summary="Model files tracked in git (pkl, joblib, onnx, pt, safetensors, ...), including Git LFS pointers",
    remediation="Keep models in a registry or DVC remote, not in git.",
    evidence=("file",),
)
def model_binaries(views: Views) -> list[Finding]:
    index = repo_of(views)
    models = {p: e for p, e in index.files.items() if is_model_file(p)}
    practice = sorted(p for p, e in models.items() if e.kind == "code")
    fixtures = sum(1 for e in models.values() if e.kind == "test")
    patterns = _lfs_patterns(index)
    lfs = [p for p in practice if _is_lfs(p, models[p].size, patterns)]
    values = {
        "count": len(practice),
        "lfs_pointers": len(lfs),
        "bytes": sum(models[p].size for p in practice if p not in lfs),
        "test_fixtures": fixtures,
        "ignored_non_practice": len(models) - len(practice) - fixtures,
    }
    if not practice:
        return [
            miss(
                views,
                "repo.model_binaries",
                "no model files tracked outside tests/examples/generated paths",
                values=values,
            )
        ]
    lfs_note = f", {len(lfs)} as Git LFS pointers" if lfs else ""
    msg = f"{len(practice)} model files tracked in git{lfs_note}: {', '.join(practice[:3])}"
    return [hit(views, "repo.model_binaries", [loc(index, p) for p in practice], msg, values=values)]


def _dvc_prep_stages(index: RepoIndex) -> list[tuple[str, int, str]]:
    out = []
    for path in index.paths("dvc.yaml", "**/dvc.yaml", kinds=CODE):
        for doc in index.yaml(path).docs:
            for name, stage in mapping(dig(doc.data, "stages")).items():
                if (
                    PREP_STAGES.match(str(name).split("@")[0])
                    and isinstance(stage, dict)
                    and (stage.get("deps") or stage.get("outs"))
                ):
                    out.append((path, doc.line(("stages", name)) or 1, f"dvc stage {name}"))
    return out


def _prep_modules(index: RepoIndex) -> list[tuple[str, int, str]]:
    out = []
    for path in code_files(index, notebooks=False):
        if not PREP_FILES.search(path):
            continue
        f = facts(index, path)
        reads = [c for c in f.calls if c.name.rsplit(".", 1)[-1] in SOURCE_READS and "." in c.name]
        if reads:
            out.append((path, reads[0].line, f"{PurePosixPath(path).name} reads via {reads[0].name}"))
    return out


@probe(
    "repo.per_experiment_data_prep",
    summary="Per-project data preparation (dvc prepare/featurize stages, make_dataset.py/data.py reading sources)",
    evidence=("file",),
    remediation="Share data preparation as a pipeline stage or a module (DVC prepare stages, a make_dataset "
    "step) rather than each experiment preparing its own copy.",
)
def per_experiment_data_prep(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites = _dvc_prep_stages(index) + _prep_modules(index)
    feature_store = any(
        facts(index, p).imported("feast", "databricks.feature_engineering", "databricks.feature_store", "hsfs")
        is not None
        for p in code_files(index, notebooks=False)
    )
    values = {"count": len(sites), "feature_store_used": feature_store}
    if not sites:
        return [
            miss(
                views, "repo.per_experiment_data_prep", "no per-project data preparation stage or module", values=values
            )
        ]
    msg = f"{len(sites)} data preparation steps: {'; '.join(w for _, _, w in sites[:3])}"
    if feature_store:
        msg += " (a feature store client is also used)"
    return [
        hit(views, "repo.per_experiment_data_prep", [loc(index, p, line) for p, line, _ in sites], msg, values=values)
    ]
