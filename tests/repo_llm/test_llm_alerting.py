"""Table tests: repo.llm.eval_alerts (scheduled LLM evaluations that notify people on failure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.llm_alerting import eval_alerts
from scanner.testing import Case, check_case

NIGHTLY = """name: Nightly LLM provider tests
on:
  schedule:
    - cron: "30 10 * * *"
jobs:
  chat-test:
    uses: ./.github/workflows/reusable-chat.yml
  notify:
    needs: [chat-test]
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - name: Send Slack notification
        uses: slackapi/slack-github-action@v2
"""
REUSABLE = """on: workflow_call
jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - run: pytest tests/llm_provider --models "$OPENAI_MODELS"
"""
WEEKLY_NO_NOTICE = """on:
  schedule:
    - cron: "0 5 * * 1"
jobs:
  promptfoo:
    runs-on: ubuntu-latest
    steps:
      - uses: promptfoo/promptfoo-action@v1
"""
CASES = [
    Case(
        "nightly llm tests through a reusable workflow alert slack",
        {".github/workflows/nightly.yml": NIGHTLY, ".github/workflows/reusable-chat.yml": REUSABLE},
        "true",
        "medium",
        (".github/workflows/nightly.yml",),
    ),
    Case("pitfall: scheduled eval that notifies nobody", {".github/workflows/eval.yml": WEEKLY_NO_NOTICE}, "false"),
    Case(
        "pitfall: nightly non-llm job that alerts",
        {
            ".github/workflows/nightly.yml": NIGHTLY.replace("LLM provider", "dependency"),
            ".github/workflows/reusable-chat.yml": "jobs: {}\n",
        },
        "false",
    ),
    Case(
        "pitfall: slack on failure of a push-triggered llm workflow",
        {".github/workflows/ci.yml": NIGHTLY.replace('schedule:\n    - cron: "30 10 * * *"', "push: {}")}
        | {".github/workflows/reusable-chat.yml": REUSABLE},
        "false",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_eval_alerts(tmp_path: Path, case: Case) -> None:
    check_case(eval_alerts, case, tmp_path)
