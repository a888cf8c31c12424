"""Classes of files the history probes follow: pipeline definitions, monitoring, model configs, model
code, scoring and training code, prompts, model binaries. A class matches a path by name (which also
works for files deleted since) or, for files at HEAD, by content read through the repo index."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from scanner.facts.paths import CODE, DOC_DIRS, DOCS, globs_regex, match_any, path_domain, path_kind, path_parts
from scanner.facts.repo_index import RepoIndex

ORCHESTRATOR_GLOBS = (
    "dags/**",
    "**/dags/**",
    "dvc.yaml",
    "**/dvc.yaml",
    "prefect.yaml",
    "**/prefect.yaml",
    "dagster.yaml",
    "**/dagster.yaml",
    "**/airflow/**",
    "databricks.yml",
    "**/databricks.yml",
)
ORCHESTRATOR_IMPORTS = (
    "airflow",
    "dagster",
    "prefect",
    "kfp",
    "zenml",
    "metaflow",
    "flytekit",
    "azure.ai.ml.dsl",
    "azureml.pipeline",
    "sagemaker.workflow",
    "luigi",
    "kedro.pipeline",
)
ORCHESTRATOR_YAML = re.compile(
    r"pipelineJob\.schema\.json|^type:\s*pipeline\b|^pipelineSpec:|^[ \t]*pipelineInfo:|^kind:\s*(?:Cron)?Workflow\b"
    r"|pipelines\.kubeflow\.org",
    re.MULTILINE,
)
MONITORING_GLOBS = (
    "monitoring/**",
    "**/monitoring/**",
    "monitors/**",
    "**/monitors/**",
    "alerts/**",
    "**/alerts/**",
    "**/*alert*.y*ml",
    "*alert*.y*ml",
    "prometheus*.y*ml",
    "**/prometheus*.y*ml",
    "**/grafana/**",
)
MONITORING_IMPORTS = (
    "evidently",
    "whylogs",
    "nannyml",
    "alibi_detect",
    "deepchecks",
    "prometheus_client",
    "sagemaker.model_monitor",
    "frouros",
)
MONITORING_YAML = re.compile(  # `[ \t]*`, not `\s*`: that spans blank lines, quadratic on long runs of them
    r"^[ \t]*-?[ \t]*alert:\s*\S|^kind:\s*PrometheusRule\b|^[ \t]*create_monitor:", re.MULTILINE
)
MODEL_CONFIG_GLOBS = (
    "params.yaml",
    "**/params.yaml",
    "**/*model*config*.y*ml",
    "**/*model*config*.json",
    "**/configs/model*/**",
    "**/conf/model/**",
    "**/hyperparam*",
    "**/*labels*.csv",
    "**/*labels*.y*ml",
    "**/*labels*.json",
    "**/label_map*",
    "**/rules/**/*.y*ml",
    "**/*business_rules*",
    "**/*thresholds*.y*ml",
    "**/*thresholds*.json",
    "feature_repo/**",
    "**/feature_repo/**",
    "**/features*.y*ml",
    "**/feature_store.yaml",
)
MODEL_CODE_GLOBS = (
    "**/model*.py",
    "models/**/*.py",
    "**/models/**/*.py",
    "**/training/**/*.py",
    "**/train*.py",
    "serving/**",
    "**/serving/**",
    "**/score*.py",
    "**/inference*.py",
    "**/predict*.py",
    "**/serve*.py",
    "**/scoring/**/*.py",
)
TRANSFORMATION_GLOBS = (
    *ORCHESTRATOR_GLOBS,
    "models/**/*.sql",
    "**/models/**/*.sql",
    "snapshots/**/*.sql",
    "**/snapshots/**/*.sql",
    "macros/**/*.sql",
    "**/macros/**/*.sql",
)
SCORING_GLOBS = ("**/score.py", "**/inference.py", "**/serve*.py", "**/scoring/**/*.py", "**/predict.py")
SCORING_IMPORTS = ("fastapi", "flask", "starlette", "bentoml", "kserve", "litserve", "ray.serve", "django")
TRAINING_GLOBS = ("**/train*.py", "**/training/**/*.py")
PROMPT_GLOBS = (
    "**/*prompt*.txt",
    "**/*prompt*.md",
    "**/*prompt*.j2",
    "**/*prompt*.jinja*",
    "**/*prompt*.y*ml",
    "**/*prompt*.json",
    "**/prompts/**",
)
MODEL_BINARY_SUFFIXES = (".pkl", ".joblib", ".h5", ".keras", ".onnx", ".pt", ".pth", ".safetensors", ".bin", ".pb")


def is_code(path: str) -> bool:
    return path_kind(path) == CODE


def is_own_text(path: str) -> bool:
    """Code, or a text file outside documentation folders (a root `system_prompt.md` is not docs)."""
    kind = path_kind(path)
    if kind == DOCS:
        return not any(part.lower() in DOC_DIRS for part in path_parts(path)[:-1])
    return kind == CODE


@dataclass(frozen=True)
class FileClass:
    """Paths of one kind: by name glob (code paths only) or found by content at HEAD."""

    name: str
    globs: tuple[str, ...]
    at_head: frozenset[str] = frozenset()
    own: Callable[[str], bool] = is_code  # which paths may match by name
    _match: Callable[[str], object] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_match", globs_regex(self.globs).match)  # compiled once, not per path

    def __call__(self, path: str) -> bool:
        return path in self.at_head or (self.own(path) and self._match(path) is not None)

    def present(self, index: RepoIndex) -> list[str]:
        """Files of this class at HEAD."""
        return sorted(p for p in index.paths(kinds=None) if self(p))


def _per_index(build: Callable[[RepoIndex], FileClass]) -> Callable[[RepoIndex], FileClass]:
    """`build` run once per repo index: several probes follow the same class of files."""
    key = f"history.files.{build.__name__}"

    @wraps(build)
    def once(index: RepoIndex) -> FileClass:
        return index.derived(key, lambda: build(index))

    return once


def _py_importing(index: RepoIndex, modules: tuple[str, ...]) -> set[str]:
    out = set()
    for path in index.python_files(notebooks=False, kinds={CODE}):
        facts = index.python(path)
        if facts is not None and facts.imported(*modules) is not None:
            out.add(path)
    return out


def _yaml_matching(index: RepoIndex, regex: re.Pattern[str]) -> set[str]:
    paths = index.by_suffix(".yml", ".yaml", kinds={CODE})
    return {p for p in paths if regex.search(index.text(p) or "")}


@_per_index
def orchestrator_files(index: RepoIndex) -> FileClass:
    found = _py_importing(index, ORCHESTRATOR_IMPORTS) | _yaml_matching(index, ORCHESTRATOR_YAML)
    return FileClass("pipeline definitions", ORCHESTRATOR_GLOBS, frozenset(found))


@_per_index
def monitoring_files(index: RepoIndex) -> FileClass:
    found = _py_importing(index, MONITORING_IMPORTS) | _yaml_matching(index, MONITORING_YAML)
    return FileClass("monitoring definitions", MONITORING_GLOBS, frozenset(found))


@_per_index
def model_config_files(index: RepoIndex) -> FileClass:
    prompts = prompt_files(index)
    return FileClass(
        "model configs, label/rule files and prompts", MODEL_CONFIG_GLOBS + prompts.globs, prompts.at_head, is_own_text
    )


@_per_index
def scoring_files(index: RepoIndex) -> FileClass:
    found = set()
    for path in index.python_files(notebooks=False, kinds={CODE}):
        facts = index.python(path)
        if facts is None:
            continue
        web_predict = facts.imported(*SCORING_IMPORTS) is not None and facts.calls_to("predict", "predict_proba")
        aml = {"init", "run"} <= facts.functions.keys()
        sagemaker = "model_fn" in facts.functions and ("predict_fn" in facts.functions or "input_fn" in facts.functions)
        if web_predict or aml or sagemaker:
            found.add(path)
    return FileClass("scoring code", SCORING_GLOBS, frozenset(found))


@_per_index
def training_files(index: RepoIndex) -> FileClass:
    found = set()
    for path in index.python_files(notebooks=False, kinds={CODE}):
        facts = index.python(path)
        if facts is not None and facts.calls_to("fit") and not match_any(path, SCORING_GLOBS):
            found.add(path)
    return FileClass("training code", TRAINING_GLOBS, frozenset(found))


@_per_index
def model_code_files(index: RepoIndex) -> FileClass:
    """Model, training, serving and integration code (for the bus factor)."""
    found = scoring_files(index).at_head | training_files(index).at_head
    return FileClass("model and serving code", MODEL_CODE_GLOBS, found)


@_per_index
def transformation_files(index: RepoIndex) -> FileClass:
    """Data transformation code (dbt models, snapshots, macros; DAGs and other pipeline definitions): what a
    data platform integrates and releases in place of a model."""
    return FileClass("data transformation code", TRANSFORMATION_GLOBS, orchestrator_files(index).at_head)


@_per_index
def prompt_files(index: RepoIndex) -> FileClass:
    found = {p for p in index.paths(kinds=None) if is_own_text(p) and path_domain(p) == "PROMPT"}
    return FileClass("prompt files", PROMPT_GLOBS, frozenset(found), is_own_text)


def is_model_binary(path: str) -> bool:
    return path.lower().endswith(MODEL_BINARY_SUFFIXES) and path_kind(path) == CODE
