"""Table tests: repo.llm.eval_config, repo.llm.multi_model_eval, code.llm.judge_evals, repo.llm.manual_eval,
repo.eval_from_traces."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.llm_eval import eval_config, eval_from_traces, judge_evals, manual_eval, multi_model_eval
from scanner.testing import Case, check_case, notebook
from tests.repo_llm.util import OPENAI_APP

PROMPTFOO = """description: Billing assistant regression suite
prompts:
  - file://prompts/system.txt
providers:
  - openai:gpt-4o-mini
  - id: anthropic:messages:claude-3-5-haiku-latest
tests:
  - vars: {question: "How do I pay?"}
    assert:
      - type: contains
        value: invoice
      - type: llm-rubric
        value: is polite
"""
ONE_PROVIDER = (
    "prompts: ['Answer: {{q}}']\nproviders: ['openai:gpt-4o']\ntests:\n  - vars: {q: hi}\n"
    "    assert:\n      - type: equals\n        value: hi\n"
)
SCAFFOLD = """description: "My eval"
prompts:
  - "Write a tweet about {{topic}}"
providers: ["openai:gpt-4o-mini", "openai:gpt-4o"]
tests:
  - vars: {topic: bananas}
"""
DEEPEVAL = """from deepeval import assert_test
from deepeval.metrics import AnswerRelevancyMetric
from deepeval.test_case import LLMTestCase


def test_answer():
    assert_test(LLMTestCase(input="q", actual_output="a"), [AnswerRelevancyMetric(threshold=0.7)])
"""
SKIPPED = (
    "import pytest\nfrom deepeval import assert_test\n\n@pytest.mark.skip\ndef test_answer():\n"
    "    assert_test(case, [])\n"
)
EVAL_CONFIG = [
    Case(
        "eval-tool run from config",
        {
            "evals/evaluate.py": "from evaltools.eval.evaluate import run_evaluate_from_config\n"
            "run_evaluate_from_config(d, c)\n"
        },
        "true",
        "medium",
    ),
    Case("pitfall: ml metrics config", {"evals/eval_config.json": '{"dataset": "d.csv", "metrics": ["f1"]}'}, "false"),
    Case(
        "promptfoo config", {"evals/promptfooconfig.yaml": PROMPTFOO}, "true", "medium", ("evals/promptfooconfig.yaml",)
    ),
    Case("deepeval tests", {"tests/test_llm_quality.py": DEEPEVAL}, "true", "medium"),
    Case("mlflow genai evaluate", {"jobs/ev.py": "import mlflow\nmlflow.genai.evaluate(data=d, scorers=[])\n"}, "true"),
    Case(
        "pitfall: promptfoo in examples",
        {"examples/promptfooconfig.yaml": PROMPTFOO},
        "false",
        values={"ignored_non_practice": 1},
        message="ignored",
    ),
    Case("pitfall: all tests skipped", {"tests/test_q.py": SKIPPED}, "false"),
    Case("pitfall: promptfoo init scaffold", {"promptfooconfig.yaml": SCAFFOLD}, "true", "low"),
    Case(
        "pitfall: ragas only in a notebook",
        {"nb/e.ipynb": notebook("from ragas import evaluate\nevaluate(ds, metrics=[])\n")},
        "true",
        "low",
    ),
    Case(
        "pitfall: classic mlflow.evaluate",
        {"jobs/e.py": "import mlflow\nmlflow.evaluate(m, d, model_type='classifier')\n"},
        "false",
    ),
]


@pytest.mark.parametrize("case", EVAL_CONFIG, ids=lambda c: c.id)
def test_eval_config(tmp_path: Path, case: Case) -> None:
    check_case(eval_config, case, tmp_path)


LOOP = """from openai import OpenAI
from deepeval import evaluate

for model in ["gpt-4o-mini", "claude-3-5-haiku-latest"]:
    evaluate(cases(model), metrics)
"""
FALLBACK = """from openai import OpenAI

def answer(q):
    for model in ["gpt-4o", "gpt-4o-mini"]:
        try:
            return OpenAI().chat.completions.create(model=model, messages=[])
        except Exception:
            continue
"""
MULTI = [
    Case("promptfoo two providers", {"evals/promptfooconfig.yaml": PROMPTFOO}, "true", "medium"),
    Case(
        "providers from a file",
        {
            "promptfooconfig.yaml": "prompts: [a]\nproviders: file://providers.yaml\ntests: []\n",
            "providers.yaml": "- openai:gpt-4o\n- vertex:gemini-1.5-pro\n",
        },
        "true",
        "medium",
    ),
    Case(
        "eval script loops over models",
        {"scripts/compare_models.py": LOOP},
        "true",
        "medium",
        ("scripts/compare_models.py",),
    ),
    Case(
        "inspect_ai task",
        {"evals/tasks.py": "from inspect_ai import task\n\n@task\ndef qa():\n    return None\n"},
        "true",
    ),
    Case("single provider", {"promptfooconfig.yaml": ONE_PROVIDER}, "false", values={"single_provider_configs": 1}),
    Case("pitfall: model fallback loop in the app", {"app/chat.py": FALLBACK}, "false"),
    Case("pitfall: examples", {"examples/promptfooconfig.yaml": PROMPTFOO}, "false"),
    Case("pitfall: scaffold providers", {"promptfooconfig.yaml": SCAFFOLD}, "true", "low"),
]


@pytest.mark.parametrize("case", MULTI, ids=lambda c: c.id)
def test_multi_model_eval(tmp_path: Path, case: Case) -> None:
    check_case(multi_model_eval, case, tmp_path)


RAG_EVAL_CONFIG = (
    '{"testdata_path": "ground_truth.jsonl", "requested_metrics": ["gpt_groundedness", "gpt_relevance", "latency"]}'
)
ML_EVAL_CONFIG = '{"dataset": "data/test.csv", "metrics": ["accuracy", "f1"]}'
JUDGE = [
    Case("eval-tool config with gpt judge metrics", {"evals/eval_config.json": RAG_EVAL_CONFIG}, "true", "medium"),
    Case("pitfall: ml metrics config is not an llm judge", {"evals/eval_config.json": ML_EVAL_CONFIG}, "false"),
    Case("promptfoo llm-rubric", {"promptfooconfig.yaml": PROMPTFOO}, "true", "medium", ("promptfooconfig.yaml",)),
    Case("deepeval metric", {"tests/test_q.py": DEEPEVAL}, "true", "medium"),
    Case(
        "mlflow scorers",
        {
            "jobs/ev.py": "import mlflow\nfrom mlflow.genai.scorers import Correctness\n"
            "mlflow.genai.evaluate(data=d, scorers=[Correctness()])\n"
        },
        "true",
    ),
    Case("only deterministic asserts", {"promptfooconfig.yaml": ONE_PROVIDER}, "false"),
    Case(
        "pitfall: skipped judge tests",
        {
            "tests/test_q.py": "import pytest\nfrom deepeval.metrics import GEval\n"
            "@pytest.mark.skip\ndef test_a():\n    GEval(name='x')\n"
        },
        "false",
    ),
    Case(
        "pitfall: azure non-judge evaluator",
        {"jobs/e.py": "from azure.ai.evaluation import BleuScoreEvaluator\nBleuScoreEvaluator()\n"},
        "false",
    ),
]


@pytest.mark.parametrize("case", JUDGE, ids=lambda c: c.id)
def test_judge_evals(tmp_path: Path, case: Case) -> None:
    check_case(judge_evals, case, tmp_path)


INSPECT = (
    OPENAI_APP
    + """

questions = ["How do I reset my password?", "What is the refund policy for annual plans?"]
for q in questions:
    print(answer(q))
"""
)
NO_PRINT = (
    OPENAI_APP + "\nfor q in ['How do I reset my password?', 'What is the refund policy here?']:\n    answer(q)\n"
)
GOLDEN = '{"question": "How do I pay?", "expected_answer": "By card"}\n'
MANUAL = [
    Case("notebook question loop", {"nb/try.ipynb": notebook(INSPECT)}, "true", "medium", ("nb/try.ipynb",)),
    Case(
        "golden set, no framework",
        {"app/chat.py": OPENAI_APP, "data/golden_qa.jsonl": GOLDEN},
        "true",
        "low",
        ("data/golden_qa.jsonl",),
        {"golden_sets": 1},
    ),
    Case("loop without inspection", {"nb/try.ipynb": notebook(NO_PRINT)}, "false"),
    Case(
        "pitfall: golden set read by an eval framework",
        {"app/chat.py": OPENAI_APP, "data/golden_qa.jsonl": GOLDEN, "tests/test_q.py": DEEPEVAL},
        "false",
    ),
    Case("pitfall: Q/A data in a repo without LLM use", {"data/faq.jsonl": GOLDEN}, "false"),
]


@pytest.mark.parametrize("case", MANUAL, ids=lambda c: c.id)
def test_manual_eval(tmp_path: Path, case: Case) -> None:
    check_case(manual_eval, case, tmp_path)


MLFLOW_TRACES = (
    "import mlflow\ntraces = mlflow.search_traces(filter_string='tag.env = \"prod\"')\n"
    "ds = mlflow.genai.datasets.create_dataset(name='from-prod')\nds.merge_records(traces)\n"
)
TRACES = [
    Case(
        "mlflow traces to dataset",
        {"jobs/build_eval_set.py": MLFLOW_TRACES},
        "true",
        "medium",
        ("jobs/build_eval_set.py",),
    ),
    Case(
        "langfuse trace items",
        {
            "jobs/d.py": "from langfuse import Langfuse\nLangfuse().create_dataset_item("
            "dataset_name='x', input=i, source_trace_id=t)\n"
        },
        "true",
        "medium",
    ),
    Case(
        "pitfall: traces searched, no dataset", {"jobs/d.py": "import mlflow\nprint(mlflow.search_traces())\n"}, "false"
    ),
    Case("pitfall: notebook only", {"nb/d.ipynb": notebook(MLFLOW_TRACES)}, "true", "low"),
]


@pytest.mark.parametrize("case", TRACES, ids=lambda c: c.id)
def test_eval_from_traces(tmp_path: Path, case: Case) -> None:
    check_case(eval_from_traces, case, tmp_path)
