"""Table tests: hand-written and framework-based LLM judges (code.llm.judge_evals), in-house wrappers of LLM
SDKs, and judges run online by background jobs (code.llm.online_judges)."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.llm_eval import judge_evals
from probes.repo.llm_judges import online_judges
from scanner.testing import Case, check_case
from tests.repo_llm.util import OPENAI_APP

RB_WRAPPER = """module Evaluation
  class BedrockInvoke
    class InvalidResponseError < StandardError; end

    def self.call(...) = new(...).call

    def call
      client = Aws::BedrockRuntime::Client.new
      client.invoke_model(model_id: MODEL, body: body)
    end
  end
end
"""
RB_JUDGE = """class Evaluation::Faithfulness
  THRESHOLD = 0.5

  def call
    verdicts = Evaluation::BedrockInvoke.call(user_message: prompt)
    score = verdicts.count { |v| v["verdict"] == "yes" }.to_d / verdicts.count
    Result.new(score:)
  end
end
"""
RB_JOB = """class FaithfulnessJob < ApplicationJob
  def perform(answer_id)
    answer = Answer.find(answer_id)
    Evaluation::Faithfulness.call(answer)
  end
end
"""
PY_WRAPPER = "from openai import OpenAI\n\nclass Llm:\n    def ask(self, p):\n" + (
    "        return OpenAI().chat.completions.create(model=MODEL, messages=[{'role': 'user', 'content': p}])\n"
)
PY_JUDGE = """from app.llm_client import Llm

GRADING = "Grade the answer from 1 to 5 against the reference. Reply with the score only."


def grade(answer, reference):
    reply = Llm().ask(GRADING + answer + reference)
    return {"score": int(reply.strip())}
"""

JUDGES = [
    Case(
        "ruby judge through an in-house bedrock wrapper",
        {"lib/evaluation/bedrock_invoke.rb": RB_WRAPPER, "lib/evaluation/faithfulness.rb": RB_JUDGE},
        "true",
        "medium",
        ("lib/evaluation/faithfulness.rb",),
    ),
    Case(
        "python grading prompt through an in-house client",
        {"app/llm_client.py": PY_WRAPPER, "app/judge.py": PY_JUDGE},
        "true",
        "medium",
        ("app/judge.py",),
    ),
    Case(
        "deepeval metric written on the base class",
        {
            "evals/metrics.py": "from deepeval.metrics import BaseMetric\n\nclass Tone(BaseMetric):\n"
            "    def measure(self, case):\n        return 1.0\n"
        },
        "true",
        "medium",
        ("evals/metrics.py",),
    ),
    Case(
        "llm-judged metric in an eval package's metrics module",
        {"pipeline/eval/metrics.py": OPENAI_APP + "\ndef llm_ref(a):\n    return {'score': float(answer(a))}\n"},
        "true",
        "medium",
        ("pipeline/eval/metrics.py",),
    ),
    Case(
        "pitfall: bleu metrics module with no llm call",
        {
            "pipeline/eval/metrics.py": "import sacrebleu\n\n"
            "def bleu(h, r):\n    return {'score': sacrebleu.corpus_bleu(h, r)}\n"
        },
        "false",
    ),
    Case(
        "pitfall: judge-named file with no llm call",
        {"app/judge.py": "def grade(answer):\n    return {'score': len(answer)}\n"},
        "false",
    ),
    Case(
        "pitfall: llm call that parses no score",
        {
            "app/llm_client.py": PY_WRAPPER,
            "app/evaluator_names.py": "from app.llm_client import Llm\nLlm().ask('hi')\n",
        },
        "false",
    ),
    Case(
        "pitfall: score in an llm app file not named as a judge",
        {"app/chat.py": OPENAI_APP + "\nscore = 1\n"},
        "false",
    ),
    Case(
        "pitfall: a same-named class from another module is not the wrapper",
        {"app/llm_client.py": PY_WRAPPER, "app/judge.py": PY_JUDGE.replace("app.llm_client", "other.lib")},
        "false",
    ),
]


@pytest.mark.parametrize("case", JUDGES, ids=lambda c: c.id)
def test_judge_evals(tmp_path: Path, case: Case) -> None:
    check_case(judge_evals, case, tmp_path)


ONLINE = [
    Case(
        "rails job runs a judge on each answer",
        {
            "lib/evaluation/bedrock_invoke.rb": RB_WRAPPER,
            "lib/evaluation/faithfulness.rb": RB_JUDGE,
            "app/jobs/faithfulness_job.rb": RB_JOB,
        },
        "true",
        "medium",
        ("app/jobs/faithfulness_job.rb",),
    ),
    Case(
        "celery task runs a python judge",
        {
            "app/llm_client.py": PY_WRAPPER,
            "app/judge.py": PY_JUDGE,
            "app/tasks.py": "from celery import shared_task\nfrom app.judge import grade\n\n@shared_task\n"
            "def grade_answer(a, r):\n    return grade(a, r)\n",
        },
        "true",
        "medium",
        ("app/tasks.py",),
    ),
    Case(
        "pitfall: judge run by hand from a script",
        {
            "lib/evaluation/bedrock_invoke.rb": RB_WRAPPER,
            "lib/evaluation/faithfulness.rb": RB_JUDGE,
            "bin/evaluate.rb": "puts Evaluation::Faithfulness.call(Answer.last)\n",
        },
        "false",
    ),
    Case(
        "pitfall: a job in the spec folder",
        {
            "lib/evaluation/bedrock_invoke.rb": RB_WRAPPER,
            "lib/evaluation/faithfulness.rb": RB_JUDGE,
            "spec/jobs/faithfulness_job_spec.rb": RB_JOB,
        },
        "false",
    ),
    Case("pitfall: job without a judge", {"app/jobs/mail_job.rb": "class MailJob < ApplicationJob\nend\n"}, "false"),
]


@pytest.mark.parametrize("case", ONLINE, ids=lambda c: c.id)
def test_online_judges(tmp_path: Path, case: Case) -> None:
    check_case(online_judges, case, tmp_path)
