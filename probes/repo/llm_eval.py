"""LLM evaluation: eval configs, multi-model comparison, LLM-as-judge, manual lab evaluation, and eval
datasets built from traces (Discovery and Testing, Monitoring in docs/model.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from probes.repo._llm import CODE, NOTEBOOK, TEST, Ev, FileLlm, basename, file_ev, find_js, find_py, index_of, weigh
from probes.repo.llm_evalfacts import (
    EVAL_STRONG,
    PROMPTFOO_GLOBS,
    eval_evidence,
    judge_evidence,
    lm_eval_tasks,
    openai_evals,
    promptfoo_configs,
)
from probes.repo.llm_scan import scan
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import probe
from scanner.views import Views

EVAL_PATH = re.compile(r"(?i)eval|bench|compar|leaderboard|arena")
EVAL_IMPORTS = (
    "deepeval", "ragas", "mlflow.genai", "promptfoo", "langsmith.evaluation", "azure.ai.evaluation", "inspect_ai",
    "lm_eval", "giskard", "evals",
)  # fmt: skip
CLI_RUNS = re.compile(r"\blm[_-]eval\b.*--model|\binspect eval\b|\boaieval\b")
QUESTION_KEYS = re.compile(r"(?i)^(question|query|prompt|input|user_input|q)$")
ANSWER_KEYS = re.compile(r"(?i)^(expected(_answer|_output)?|answer|ground_truth|reference(_answer)?|ideal|gold)$")
GOLDEN_NAME = re.compile(r"(?i)golden|q_?and_?a|qa[_-]|questions|eval[_-]?set|test[_-]?set|ground[_-]?truth")
DATA = "data"


@probe(
    "repo.llm.eval_config",
    summary="LLM eval configs or eval runs: promptfoo, deepeval, ragas, mlflow.genai.evaluate, LangSmith, OpenAI "
    "evals, lm-eval, inspect_ai.",
    remediation="Write an eval suite (promptfoo, deepeval, mlflow.genai.evaluate, ...) for the prompts and models.",
    evidence=("file",),
)
def eval_config(views: Views) -> list[Finding]:
    index = index_of(views)
    ignored = len(set(index.paths(*PROMPTFOO_GLOBS, kinds=None)) - set(index.paths(*PROMPTFOO_GLOBS)))
    note = f" ({ignored} promptfoo config(s) in examples/docs/templates ignored)" if ignored else ""
    return [
        weigh(
            views,
            "repo.llm.eval_config",
            eval_evidence(index),
            "LLM eval configs/runs",
            "No LLM eval config or eval run" + note,
            strong=EVAL_STRONG,
            values={"ignored_non_practice": ignored},
        )
    ]


@probe(
    "repo.llm.multi_model_eval",
    summary="Evals over two or more models: promptfoo providers >= 2, eval scripts looping over model lists, "
    "lm-eval, inspect_ai tasks, OpenAI evals registry.",
    remediation="Run the same eval suite against candidate models (e.g. several promptfoo providers).",
    evidence=("file",),
)
def multi_model_eval(views: Views) -> list[Finding]:
    index = index_of(views)
    configs = promptfoo_configs(index)
    evs = [
        Ev(c.path, 1, "promptfoo providers: " + ", ".join(c.providers[:4]), "placeholder" if c.scaffold else CODE)
        for c in configs
        if len(c.providers) >= 2
    ]
    evs += [
        file_ev(index, f.path, line, "models: " + ", ".join(models[:4]))
        for f in scan(index).of()
        if _eval_file(index, f)
        for line, models in f.model_lists
    ]
    evs += [file_ev(index, p, 1, "lm-eval task config") for p in lm_eval_tasks(index)]
    evs += [file_ev(index, p, 1, "OpenAI evals registry") for p, _ in openai_evals(index)]
    evs += find_py(index, _harness_calls, index.python_calling_under("lm_eval") | index.python_importing("inspect_ai"))
    scripts = index.paths("*.sh", "**/*.sh", "Makefile", "**/Makefile", "justfile", "**/justfile")
    evs += [file_ev(index, m.path, m.line, m.text) for m in index.grep(CLI_RUNS, scripts)]
    values: dict[str, object] = {"single_provider_configs": sum(1 for c in configs if len(c.providers) == 1)}
    return [
        weigh(
            views,
            "repo.llm.multi_model_eval",
            evs,
            "Evals over several models",
            "No eval compares several models (single-provider or no eval configs)",
            values=values,
            strong=EVAL_STRONG,
        )
    ]


def _eval_file(index: RepoIndex, f: FileLlm) -> bool:
    """A file whose loops over model lists are evaluations, not fallbacks: an eval path, a test, or an import
    of an eval framework."""
    if EVAL_PATH.search(f.path) or f.where == TEST:
        return True
    facts = index.python(f.path)
    return facts is not None and facts.imported(*EVAL_IMPORTS) is not None


def _harness_calls(facts: PyFacts) -> Iterable[tuple[int, str]]:
    for call in facts.calls:
        if call.name.startswith("lm_eval.") and call.name.rsplit(".", 1)[-1] in ("simple_evaluate", "evaluate"):
            yield call.line, call.name
    if facts.imported("inspect_ai"):
        yield from ((line, "@task") for name, line in facts.decorators if name in ("inspect_ai.task", "task"))


@probe(
    "code.llm.judge_evals",
    summary="LLM-as-judge evaluations: promptfoo llm-rubric/factuality/g-eval asserts, deepeval GEval/*Metric, "
    "ragas metrics, mlflow.genai scorers, azure-ai-evaluation evaluators.",
    remediation="Add model-graded metrics (rubrics, faithfulness, relevance) to the eval suite.",
    evidence=("file",),
)
def judge_evals(views: Views) -> list[Finding]:
    evs = judge_evidence(index_of(views))
    return [
        weigh(
            views,
            "code.llm.judge_evals",
            evs,
            "LLM-as-judge metrics",
            "No LLM-as-judge metric or assert",
            strong=EVAL_STRONG,
        )
    ]


@probe(
    "repo.llm.manual_eval",
    summary="Lab-driven manual evaluation: loops printing LLM answers to hand-written questions, golden Q/A sets "
    "with no eval framework.",
    remediation="Turn hand-written question lists into an automated eval suite with assertions.",
    evidence=("file",),
)
def manual_eval(views: Views) -> list[Finding]:
    index = index_of(views)
    llm = scan(index)
    evs = [
        file_ev(index, f.path, line, "loop printing LLM answers to literal questions")
        for f in llm.of(NOTEBOOK, CODE)
        for line in f.inspect_loops
    ]
    framework = bool(eval_evidence(index))
    uses_llm = any(f.generation for f in llm.of())
    golden = _golden_sets(index) if uses_llm and not framework else []
    values: dict[str, object] = {"golden_sets": len(golden), "eval_framework": framework}
    return [
        weigh(
            views,
            "repo.llm.manual_eval",
            evs + golden,
            "Manual LLM evaluation",
            "No manual evaluation loops or golden Q/A sets",
            values=values,
            strong=(NOTEBOOK, CODE),
        )
    ]


def _golden_sets(index: RepoIndex) -> list[Ev]:
    """Q/A files: JSON(L) records or CSV headers with question and expected-answer columns (CSV/XLSX that
    the index does not read are judged by name)."""
    out = []
    for path in index.by_suffix(".jsonl", ".json", ".csv", ".tsv", ".xlsx", ".xls"):
        keys = _record_keys(index, path)
        if keys is None and GOLDEN_NAME.search(basename(path)) and not path.endswith((".json", ".jsonl")):
            out.append(Ev(path, None, "Q/A set (by name)", DATA))
        elif keys and any(QUESTION_KEYS.match(k) for k in keys) and any(ANSWER_KEYS.match(k) for k in keys):
            out.append(Ev(path, 1, "question/answer columns", DATA))
    return out


def _record_keys(index: RepoIndex, path: str) -> list[str] | None:
    text = index.text(path)
    if text is None:
        return None
    first = text.lstrip().split("\n", 1)[0]
    if path.endswith((".csv", ".tsv")):
        return [k.strip().strip('"') for k in re.split(r"[,\t;]", first)]
    try:
        record = json.loads(first) if path.endswith(".jsonl") else index.json(path)
    except ValueError:
        return []
    if isinstance(record, list) and record:
        record = record[0]
    return [str(k) for k in record] if isinstance(record, dict) else []


@probe(
    "repo.eval_from_traces",
    summary="Eval datasets built from production traces (mlflow.search_traces into datasets, Langfuse "
    "source_trace_id, LangSmith examples from runs).",
    remediation="Sample production traces into an evaluation dataset and re-run evals on it.",
    evidence=("file",),
)
def eval_from_traces(views: Views) -> list[Finding]:
    index = index_of(views)
    evs = find_py(index, _trace_datasets, index.python_calling_named(*TRACE_DATASET_CALLS))
    evs += find_js(index, r"createDatasetItem\s*\([^)]*sourceTraceId", requires="langfuse")
    return [
        weigh(
            views,
            "repo.eval_from_traces",
            evs,
            "Eval datasets built from traces",
            "No code builds eval datasets from traces",
        )
    ]


# the last names of the calls `_trace_datasets` reports
TRACE_DATASET_CALLS = (
    "create_dataset_item",
    "create_example",
    "create_examples",
    "create_dataset",
    "merge_records",
    "upload_dataset",
    "evaluate",
)


def _trace_datasets(facts: PyFacts) -> Iterable[tuple[int, str]]:
    names = {c.name.rsplit(".", 1)[-1] for c in facts.calls}
    traces = bool(names & {"search_traces", "get_spans_dataframe", "list_runs"})
    for call in facts.calls:
        last = call.name.rsplit(".", 1)[-1]
        kwargs = set(call.kwargs)
        if (
            (last == "create_dataset_item" and kwargs & {"source_trace_id", "source_observation_id"})
            or (
                last in ("create_example", "create_examples")
                and (kwargs & {"source_run_id", "source_run_ids"} or traces)
            )
            or (traces and last in ("create_dataset", "merge_records", "upload_dataset"))
            or (traces and last == "evaluate" and "data" in kwargs and "search_traces" in names)
        ):
            yield call.line, call.name
