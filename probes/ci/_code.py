"""What the repo's own code does when CI runs it: Python scripts and modules a step runs (resolved to
repo paths and read as static facts), and manifests a deploy command applies. Never executed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from probes.ci._common import Site
from scanner.facts.ci.commands import Hit
from scanner.facts.ci.model import CIModel, Step
from scanner.facts.ci.scripts import candidates, python_scripts
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex

MODEL_PLATFORMS = (
    "sagemaker",
    "azure.ai.ml",
    "azureml",
    "mlflow.deployments",
    "google.cloud.aiplatform",
    "databricks.sdk",
    "bentoml",
    "kserve",
    "seldon_core",
    "boto3",
)
DEPLOY_CALLS = (
    "online_deployments.begin_create_or_update",
    "online_endpoints.begin_create_or_update",
    "create_deployment",
    "update_deployment",
    "create_endpoint",
    "update_endpoint",
    "deploy",
    "serving_endpoints.create",
    "serving_endpoints.update_config",
    "create_and_wait",
)
LLM_EVAL_CALLS = (
    "mlflow.genai.evaluate",
    "azure.ai.evaluation.evaluate",
    "ragas.evaluate",
    "deepeval.evaluate",
    "deepeval.assert_test",
    "langsmith.evaluate",
    "langsmith.evaluation.evaluate",
    "promptflow.evals",
)
LLM_EVAL_IMPORTS = (
    "deepeval",
    "ragas",
    "promptfoo",
    "azure.ai.evaluation",
    "trulens",
    "trulens_eval",
    "giskard",
    "inspect_ai",
    "lm_eval",
    "openai.evals",
)
MONITOR_IMPORTS = ("evidently", "whylogs", "nannyml", "alibi_detect", "frouros", "deepchecks")
SERVING_KINDS = re.compile(
    r"^[ \t]*kind:\s*(InferenceService|SeldonDeployment|ServingRuntime|InferenceGraph|TrainedModel"
    r"|ClusterServingRuntime)\b",
    re.MULTILINE,
)
SERVING_CHART = re.compile(
    r"serving|inference|predict|kserve|seldon|triton|bentoml|mlserver|torchserve|vllm|tgi"
    r"|model",
    re.IGNORECASE,
)
_FILE_ARG = re.compile(r"(?:-f|--filename|-k|--kustomize|--values)[= ]+['\"]?([\w./-]+)")
_FAILS = re.compile(
    r"sys\.exit\(\s*(?!0?\s*\))|\bexit\(\s*[1-9]|\braise\s+(?:SystemExit|\w*(?:Error|Exception))\b"
    r"|^[ \t]*assert\s|MetricThreshold|validation_thresholds",
    re.MULTILINE,
)
_THRESHOLD = re.compile(
    r"threshold|min_|max_|baseline|champion|best_|current_|tolerance|fail_under|better", re.IGNORECASE
)
_CMD_THRESHOLD = re.compile(
    r"--(?:threshold|min[-_]\w+|max[-_]\w+|fail[-_]under|baseline|champion|compare)\b"
    r"|MetricThreshold",
    re.IGNORECASE,
)


def facts_of(repo: RepoIndex, step: Step) -> list[tuple[str, int | None, bool, PyFacts]]:
    """(path, CI line, can fail silently, facts) of the Python code a step runs."""
    out = []
    for path, line, can_fail in python_scripts(repo, step):
        facts = repo.python(path)
        if facts is not None and facts.error is None:
            out.append((path, line, can_fail, facts))
    return out


def deploys_model(facts: PyFacts) -> bool:
    return bool(facts.imported(*MODEL_PLATFORMS)) and bool(facts.calls_to(*DEPLOY_CALLS))


def runs_llm_eval(facts: PyFacts) -> bool:
    return bool(facts.calls_to(*LLM_EVAL_CALLS)) or bool(facts.imported(*LLM_EVAL_IMPORTS))


def monitors(facts: PyFacts) -> bool:
    return bool(facts.imported(*MONITOR_IMPORTS))


def runs_checkpoint(facts: PyFacts) -> bool:
    return bool(facts.imported("great_expectations")) and bool(
        facts.calls_to("run_checkpoint", "checkpoint.run", "Checkpoint.run", "run")
    )


def fails_on_threshold(repo: RepoIndex, site: Site) -> bool:
    """The evaluation command, or the script it runs, fails the job when a metric misses a threshold."""
    if _CMD_THRESHOLD.search(site.hit.text):
        return True
    for path, _, _, _ in facts_of(repo, site.step):
        text = repo.text(path) or ""
        if _FAILS.search(text) and _THRESHOLD.search(text):
            return True
    return False


def serving_manifests(repo: RepoIndex, site: Site) -> bool:
    """A kubectl/helm deploy that applies model-serving resources (KServe, Seldon) or a serving chart."""
    text = site.hit.text
    if site.hit.target != "kubernetes":
        return False
    if re.search(r"\bhelm\b", text) and SERVING_CHART.search(text):
        return True
    for arg in _FILE_ARG.findall(text):
        for base in candidates(site.step.working_directory, arg):
            files = [base] if repo.has(base) else repo.paths(f"{base.rstrip('/')}/**/*.y*ml", kinds=None)
            if any(SERVING_KINDS.search(repo.text(f) or "") for f in files[:200]):
                return True
    return False


def bundle_serves_models(repo: RepoIndex) -> bool:
    """A Databricks asset bundle that declares model serving endpoints."""
    files = repo.paths("**/databricks.yml", "**/databricks.yaml", "**/resources/**/*.yml", "**/resources/**/*.yaml")
    return any("model_serving_endpoints" in (repo.text(f) or "") for f in files)


def test_targets_llm(repo: RepoIndex, site: Site) -> bool:
    """A pytest run that collects test files using deepeval/ragas (or other LLM eval libraries)."""
    if not re.search(r"\bpytest\b|-m\s+pytest", site.hit.text):
        return False
    args = [a for a in site.hit.text.split()[1:] if not a.startswith("-") and ("/" in a or a.endswith(".py"))]
    prefixes = tuple(a.strip("'\"").lstrip("./") for a in args)
    return any(not prefixes or path.startswith(prefixes) for path in _llm_test_files(repo))


def _llm_test_files(repo: RepoIndex) -> tuple[str, ...]:
    """Test modules importing an LLM eval library: found once per repo, not once per CI step."""

    def build() -> tuple[str, ...]:
        out = []
        for path in repo.python_files(notebooks=False):
            facts = repo.python(path) if repo.kind(path) == "test" else None
            if facts is not None and facts.imported(*LLM_EVAL_IMPORTS):
                out.append(path)
        return tuple(out)

    return repo.derived("ci.llm_test_files", build)


def scripts_matching(ci: CIModel, repo: RepoIndex, check: str) -> list[Site]:
    """Sites (category 'script') for CI steps running Python code that `check`s true; see CHECKS."""
    test = CHECKS[check]
    out = []
    for p, j, s in ci.steps():
        for path, line, can_fail, facts in facts_of(repo, s):
            if test(facts):
                out.append(Site(p, j, s, Hit("script", check, s.path, line, f"python {path}", can_fail)))
    return out


CHECKS = {"deploys_model": deploys_model, "llm_eval": runs_llm_eval, "monitor": monitors, "checkpoint": runs_checkpoint}


def unique(found: Iterable[Site]) -> list[Site]:
    return list(dict.fromkeys(found))
