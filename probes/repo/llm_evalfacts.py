"""Evaluation configs the LLM eval probes read (no probes here): promptfoo configs, OpenAI evals
registry YAML, lm-eval task YAML, and the Python eval frameworks (deepeval, ragas, mlflow.genai,
LangSmith, azure-ai-evaluation, inspect_ai, lm_eval, giskard)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from probes.repo._llm import CODE, TEST, Ev, file_ev, find_js, find_py, where
from probes.repo.llm_judges import FRAMEWORK_ROOTS, framework_judges, hand_judges
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex

PROMPTFOO_GLOBS = (
    "promptfooconfig*.y*ml",
    "**/promptfooconfig*.y*ml",
    "promptfooconfig*.json",
    "**/promptfooconfig*.json",
    "**/*promptfoo*.y*ml",
    "*promptfoo*.y*ml",
)
OPENAI_EVALS_GLOBS = ("**/registry/evals/*.y*ml", "registry/evals/*.y*ml")
SCAFFOLD = re.compile(r"(?i)^(my (first )?eval|getting.started)$|tweet about \{\{\s*topic")
LLM_MODEL_TYPES = frozenset({"question-answering", "text-summarization", "text", "databricks-agent"})
CRITERIA = frozenset({"criteria", "labeled_criteria", "score_string"})
EVAL_STRONG = (CODE, TEST)  # eval configs and eval tests both count as the org's own practice
NON_JUDGE_EVALUATORS = re.compile(r"(F1Score|Bleu|Rouge|Gleu|Meteor)ScoreEvaluator$|^Evaluator$")


@dataclass
class Promptfoo:
    path: str
    providers: list[str] = field(default_factory=list)
    asserts: list[tuple[str, int | None]] = field(default_factory=list)  # (assert type, line)
    tests: int = 0
    scaffold: bool = False


def promptfoo_configs(index: RepoIndex) -> list[Promptfoo]:
    out = []
    for path in index.paths(*PROMPTFOO_GLOBS):
        parsed = index.yaml(path) if not path.endswith(".json") else None
        data = index.json(path) if parsed is None else (parsed.docs[0].data if parsed.docs else None)
        if not isinstance(data, dict) or not ({"prompts", "providers", "targets", "tests"} & set(data)):
            continue
        config = Promptfoo(path)
        config.providers = _providers(index, path, data.get("providers", data.get("targets")))
        tests = data.get("tests")
        config.tests = len(tests) if isinstance(tests, list) else int(bool(tests))
        doc = parsed.docs[0] if parsed is not None else None
        for key, items in (
            ("defaultTest", [data.get("defaultTest")]),
            ("tests", tests if isinstance(tests, list) else []),
        ):
            for i, test in enumerate(items):
                asserts = test.get("assert") if isinstance(test, dict) else None
                for j, item in enumerate(asserts if isinstance(asserts, list) else []):
                    kind = item.get("type") if isinstance(item, dict) else None
                    if isinstance(kind, str):
                        where = (key, "assert", j) if key == "defaultTest" else (key, i, "assert", j)
                        config.asserts.append((kind.removeprefix("not-"), doc.line(where) if doc else None))
        text = " ".join(str(x) for x in [data.get("description", ""), *_as_list(data.get("prompts"))])
        config.scaffold = bool(SCAFFOLD.search(str(data.get("description", "")).strip()) or SCAFFOLD.search(text))
        out.append(config)
    return out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


def _providers(index: RepoIndex, path: str, value: Any) -> list[str]:
    out: list[str] = []
    for item in _as_list(value):
        if isinstance(item, str) and item.startswith("file://"):
            ref = (path.rsplit("/", 1)[0] + "/" if "/" in path else "") + item[7:].removeprefix("./")
            out += _providers(index, ref, index.yaml_data(ref)) if index.has(ref) else [item]
        elif isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            ident = item.get("id") or item.get("label") or next(iter(item), None)
            if isinstance(ident, str):
                out.append(ident)
    return list(dict.fromkeys(out))


def openai_evals(index: RepoIndex) -> list[tuple[str, bool]]:
    """OpenAI evals registry files, each with whether it is model-graded."""
    out = []
    for path in index.paths(*OPENAI_EVALS_GLOBS):
        text = index.text(path) or ""
        if re.search(r"^[ \t]*(class|id|metrics):", text, re.M):
            out.append((path, "modelgraded" in text))
    return out


def lm_eval_tasks(index: RepoIndex) -> list[str]:
    out = []
    for path in index.paths("*.yaml", "**/*.yaml", "*.yml", "**/*.yml"):
        data = index.yaml_data(path) if "task" in (index.text(path) or "") else None
        if isinstance(data, dict) and "task" in data and ({"dataset_path", "doc_to_text", "output_type"} & set(data)):
            out.append(path)
    return out


METRIC_KEYS = ("requested_metrics", "metrics", "evaluators", "scorers")
DATA_KEYS = frozenset({"testdata_path", "dataset", "dataset_path", "data_path", "data", "ground_truth", "testset"})
JUDGE_METRIC = re.compile(
    r"(?i)^(?:gpt_|llm_|builtin\.)|groundedness|relevan|coherence|fluency|faithfulness|correctness|hallucination"
)


@dataclass
class MetricConfig:
    path: str
    metrics: list[str]
    judged: list[str]


def metric_configs(index: RepoIndex) -> list[MetricConfig]:
    """Eval-tool configs (JSON/YAML named *eval*) listing metrics to compute over a test data set."""
    out = []
    for path in index.paths("*eval*.json", "**/*eval*.json", "*eval*.y*ml", "**/*eval*.y*ml"):
        data = index.json(path) if path.endswith(".json") else index.yaml_data(path)
        if not isinstance(data, dict) or not DATA_KEYS & set(data):
            continue
        metrics: list[Any] = next((data[k] for k in METRIC_KEYS if isinstance(data.get(k), list)), [])
        names = [m if isinstance(m, str) else str(m.get("name", "")) for m in metrics if isinstance(m, str | dict)]
        if names:
            out.append(MetricConfig(path, names, [n for n in names if JUDGE_METRIC.search(n)]))
    return out


def _llm_metric_configs(index: RepoIndex) -> list[MetricConfig]:
    """Metric configs with at least one LLM-judged metric (accuracy/F1 lists are ML evaluation)."""
    return [c for c in metric_configs(index) if c.judged]


EVAL_RUNS = ("evaluate", "assert_test", "simple_evaluate", "scan", "eval", "eval_set")
LANGSMITH_EVAL_RUNS = ("evaluate", "aevaluate", "run_on_dataset")
CONFIG_EVAL_RUNS = ("run_evaluate_from_config", "run_evaluation_from_config")


def eval_frameworks(facts: PyFacts) -> Iterable[tuple[int, str]]:
    """Calls that run an LLM evaluation (any framework)."""
    langsmith = facts.imported("langsmith") is not None
    for call in facts.calls:
        name, last = call.name, call.name.rsplit(".", 1)[-1]
        framework = (
            name.startswith(("deepeval.", "ragas.", "lm_eval.", "giskard.", "inspect_ai.")) and last in EVAL_RUNS
        )
        if (
            framework
            or (name.startswith(("mlflow.genai.", "azure.ai.evaluation.")) and last == "evaluate")
            or (name == "mlflow.evaluate" and bool(LLM_MODEL_TYPES & set(call.str_args)))
            or (langsmith and last in LANGSMITH_EVAL_RUNS)
            or last in CONFIG_EVAL_RUNS
        ):
            yield call.line, name
    for name, line in facts.decorators:
        if name in ("inspect_ai.task", "task") and facts.imported("inspect_ai"):
            yield line, "@inspect_ai.task"


def eval_evidence(index: RepoIndex) -> list[Ev]:
    """Every LLM eval config or eval run in the repo; placeholder promptfoo configs sit in `placeholder`."""
    evs = [
        Ev(
            c.path,
            1,
            f"promptfoo: {len(c.providers)} provider(s), {c.tests} test(s)",
            "placeholder" if c.scaffold else where(index, c.path),
        )
        for c in promptfoo_configs(index)
    ]
    evs += [file_ev(index, p, 1, "OpenAI evals registry") for p, _ in openai_evals(index)]
    evs += [file_ev(index, p, 1, "lm-eval task config") for p in lm_eval_tasks(index)]
    maybe = index.python_calling_named(*EVAL_RUNS, *LANGSMITH_EVAL_RUNS, *CONFIG_EVAL_RUNS)
    maybe |= index.python_importing("inspect_ai")
    evs += [e for e in find_py(index, eval_frameworks, maybe) if not _only_skipped(index, e.path)]
    evs += find_js(index, r"\bpromptfoo\.evaluate\s*\(")
    evs += [file_ev(index, c.path, 1, "eval metrics: " + ", ".join(c.metrics[:4])) for c in _llm_metric_configs(index)]
    return evs


def _only_skipped(index: RepoIndex, path: str) -> bool:
    """A test module whose every test is skipped or trivial does not evaluate anything."""
    facts = index.python(path)
    if facts is None or index.kind(path) != TEST or not facts.tests:
        return False
    return all(t.skipped or t.trivial for t in facts.tests)


# every call `judge_calls` reports is under one of these namespaces, or named one of JUDGE_CALLS or load_evaluator
JUDGE_NAMESPACES = (
    "deepeval.metrics",
    "ragas",
    "mlflow.genai.scorers",
    "mlflow.genai.judges",
    "mlflow.metrics.genai",
    "azure.ai.evaluation",
)
JUDGE_CALLS = ("create_llm_as_judge", "LangChainStringEvaluator", "model_graded_qa", "model_graded_fact")


def judge_calls(facts: PyFacts) -> Iterable[tuple[int, str]]:
    """LLM-as-judge metrics and scorers."""
    ragas_metrics = facts.imported("ragas.metrics") is not None
    for call in facts.calls:
        name, last = call.name, call.name.rsplit(".", 1)[-1]
        azure = name.startswith("azure.ai.evaluation.") and last.endswith("Evaluator")
        if (
            (name.startswith("deepeval.metrics.") and (last == "GEval" or last.endswith("Metric")))
            or name.startswith(
                ("ragas.metrics.", "mlflow.genai.scorers.", "mlflow.genai.judges.", "mlflow.metrics.genai.")
            )
            or (name == "ragas.evaluate" and ragas_metrics)
            or (azure and not NON_JUDGE_EVALUATORS.search(last))
            or last in JUDGE_CALLS
            or (last == "load_evaluator" and bool(CRITERIA & set(call.str_args)))
        ):
            yield call.line, name


JUDGE_ASSERTS = frozenset(
    {
        "llm-rubric",
        "model-graded-closedqa",
        "model-graded-factuality",
        "factuality",
        "g-eval",
        "answer-relevance",
        "context-faithfulness",
        "context-recall",
        "context-relevance",
        "select-best",
        "conversation-relevance",
        "search-rubric",
    }
)


def judge_evidence(index: RepoIndex) -> list[Ev]:
    evs = [
        file_ev(index, c.path, line, f"promptfoo assert {kind}")
        for c in promptfoo_configs(index)
        if not c.scaffold
        for kind, line in c.asserts
        if kind in JUDGE_ASSERTS
    ]
    evs += [file_ev(index, p, 1, "OpenAI evals model-graded") for p, graded in openai_evals(index) if graded]
    maybe = index.python_calling_under(*JUDGE_NAMESPACES) | index.python_calling_named(*JUDGE_CALLS, "load_evaluator")
    evs += [e for e in find_py(index, judge_calls, maybe) if not _only_skipped(index, e.path)]
    maybe = index.python_importing(*FRAMEWORK_ROOTS)
    evs += [e for e in find_py(index, framework_judges, maybe) if not _only_skipped(index, e.path)]
    evs += [e for e in hand_judges(index) if not _only_skipped(index, e.path)]
    evs += [
        file_ev(index, c.path, 1, "judge metrics: " + ", ".join(c.judged[:4]))
        for c in metric_configs(index)
        if c.judged
    ]
    return evs
