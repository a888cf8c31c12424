"""Probes: training, evaluation, eval gates, model integration, security scans, feedback, LLM evals,
prompt tests, metric-triggered retraining, registry events, scheduled production evaluation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from probes.ci.events import continuous_prod_eval, registry_event_generates_deploy, retrain_on_metric_trigger
from probes.ci.llm import llm_eval_automated, prompt_tests
from probes.ci.mlops import (
    evaluates_model,
    model_eval_gate,
    model_integration_automated,
    model_security_scan,
    staging_eval_feedback,
    trains_model,
)
from scanner.model import Finding
from scanner.testing import expect, run_on_repo
from scanner.views import Views
from tests.ci._support import PUSH_MAIN, gha, gjob

Probe = Callable[[Views], Iterable[Finding]]
DISPATCH = {"workflow_dispatch": None}
NIGHTLY = {"schedule": [{"cron": "0 2 * * *"}]}
PR = {"pull_request": None}
GATE_SCRIPT = (
    "import sys, json\nscore = json.load(open('m.json'))['auc']\nthreshold = 0.8\n"
    "if score < threshold:\n    sys.exit(1)\n"
)
PRINT_SCRIPT = "import json\nprint(json.load(open('m.json')))\n"
DEEPEVAL_TEST = "from deepeval import assert_test\n\ndef test_answer():\n    assert_test(1, [])\n"
GENAI_SCRIPT = "import mlflow\nmlflow.genai.evaluate(data=[], scorers=[])\n"
MONITOR_SCRIPT = "from evidently.report import Report\nReport(metrics=[]).run(reference_data=None, current_data=None)\n"
SENDER = (
    "import requests\n\ndef on_drift(score):\n    if score > 0.3:\n        requests.post("
    "'https://api.github.com/repos/o/r/dispatches', json={'event_type': 'drift_detected'})\n"
)
RETRAIN = {"repository_dispatch": {"types": ["drift_detected"]}}
REGISTRY = {"repository_dispatch": {"types": ["model_registered"]}}
PR_ACTION = {"uses": "peter-evans/create-pull-request@v6"}
EVENTBRIDGE_TF = (
    'resource "aws_cloudwatch_event_rule" "drift" {}\n'
    'resource "aws_cloudwatch_event_target" "t" {\n  sagemaker_pipeline_target {}\n}\n'
)
AML_MONITOR = "$schema: https://azuremlschemas.azureedge.net/latest/monitorSchedule.schema.json\nname: m\n"

CASES: list[tuple[str, Probe, dict[str, str], str, str | None]] = [
    # ci.trains_model
    ("train_push", trains_model, gha(PUSH_MAIN, {"t": gjob("python src/train.py")}), "true", "medium"),
    ("train_manual", trains_model, gha(DISPATCH, {"t": gjob("dvc repro")}), "true", "low"),
    ("train_none", trains_model, gha(PUSH_MAIN, {"t": gjob("pytest")}), "false", None),
    ("train_test_file", trains_model, gha(PUSH_MAIN, {"t": gjob("pytest tests/test_train.py")}), "false", None),
    # ci.evaluates_model
    ("eval", evaluates_model, gha(NIGHTLY, {"e": gjob("python evaluate.py")}), "true", "medium"),
    ("eval_none", evaluates_model, gha(PUSH_MAIN, {"t": gjob("python src/train.py")}), "false", None),
    # ci.model_eval_gate
    (
        "gate_before_deploy",
        model_eval_gate,
        {
            **gha(PUSH_MAIN, {"m": gjob("python evaluate.py", "az ml online-deployment create -f d.yml")}),
            "evaluate.py": GATE_SCRIPT,
        },
        "true",
        "medium",
    ),
    (
        "gate_nothing_after",
        model_eval_gate,
        {**gha(PUSH_MAIN, {"m": gjob("python evaluate.py")}), "evaluate.py": GATE_SCRIPT},
        "true",
        "low",
    ),
    (
        "gate_flag",
        model_eval_gate,
        gha(
            PUSH_MAIN,
            {"e": gjob("python compare_models.py --champion prod"), "r": gjob("python register_model.py", needs="e")},
        ),
        "true",
        "medium",
    ),
    (
        "gate_report_only",
        model_eval_gate,
        {**gha(PUSH_MAIN, {"m": gjob("python evaluate.py", "kubectl apply -f k8s")}), "evaluate.py": PRINT_SCRIPT},
        "false",
        None,
    ),
    (
        "gate_masked",
        model_eval_gate,
        {**gha(PUSH_MAIN, {"m": gjob("python evaluate.py || true")}), "evaluate.py": GATE_SCRIPT},
        "false",
        None,
    ),
    # ci.model_integration_automated
    (
        "fetch_build",
        model_integration_automated,
        gha(PUSH_MAIN, {"b": gjob("mlflow artifacts download -u models:/churn@champion -d m", "docker build -t s .")}),
        "true",
        "medium",
    ),
    (
        "fetch_only",
        model_integration_automated,
        gha(PUSH_MAIN, {"b": gjob("mlflow artifacts download -u models:/churn/3 -d m")}),
        "false",
        None,
    ),
    ("dvc_pull_tests", model_integration_automated, gha(PUSH_MAIN, {"t": gjob("dvc pull", "pytest")}), "true", "low"),
    # ci.model_security_scan
    ("scan_model", model_security_scan, gha(PUSH_MAIN, {"s": gjob("modelscan -p models/")}), "true", "medium"),
    # bandit on the code counts as a security scan (docs/probes.md, ci.model_security_scan)
    ("scan_bandit", model_security_scan, gha(PUSH_MAIN, {"s": gjob("bandit -r src")}), "true", "medium"),
    ("scan_none", model_security_scan, gha(PUSH_MAIN, {"s": gjob("pytest")}), "false", None),
    # ci.staging_eval_feedback
    (
        "feedback_eval_comment",
        staging_eval_feedback,
        gha(PR, {"e": gjob("python evaluate.py > r.md", "gh pr comment 1 --body-file r.md")}),
        "true",
        "medium",
    ),
    (
        "feedback_promptfoo_action",
        staging_eval_feedback,
        gha(PR, {"e": gjob({"uses": "promptfoo/promptfoo-action@v1"})}),
        "true",
        "medium",
    ),
    (
        "feedback_train_cml",
        staging_eval_feedback,
        gha(PR, {"t": gjob("python train.py", "cml comment create report.md")}),
        "true",
        "low",
    ),
    (
        "feedback_coverage_comment",
        staging_eval_feedback,
        gha(PR, {"t": gjob("pytest --cov", "gh pr comment 1 --body cov.md")}),
        "false",
        None,
    ),
    # ci.llm.eval_automated
    (
        "llm_promptfoo",
        llm_eval_automated,
        gha(PR, {"e": gjob("npx promptfoo eval -c promptfooconfig.yaml")}),
        "true",
        "medium",
    ),
    (
        "llm_deepeval_pytest",
        llm_eval_automated,
        {**gha(PUSH_MAIN, {"t": gjob("pytest tests/")}), "tests/test_llm.py": DEEPEVAL_TEST},
        "true",
        "medium",
    ),
    (
        "llm_genai_script",
        llm_eval_automated,
        {**gha(NIGHTLY, {"e": gjob("python scripts/run_evals.py")}), "scripts/run_evals.py": GENAI_SCRIPT},
        "true",
        "medium",
    ),
    (
        "llm_script_after_cd",
        llm_eval_automated,
        {
            **gha(PR, {"e": gjob("set -o pipefail\ncd evals\nuv run python run_evals.py --quick")}),
            "evals/run_evals.py": GENAI_SCRIPT,
        },
        "true",
        "medium",
    ),
    (
        "llm_script_after_cd_and",
        llm_eval_automated,
        {**gha(PR, {"e": gjob("cd evals && python run_evals.py")}), "evals/run_evals.py": GENAI_SCRIPT},
        "true",
        "medium",
    ),
    (
        "llm_script_after_pushd_popd",
        llm_eval_automated,
        {
            **gha(PR, {"e": gjob("pushd evals\npython run_evals.py\npopd\npython run_evals.py")}),
            "evals/run_evals.py": GENAI_SCRIPT,
        },
        "true",
        "medium",
    ),
    (
        "llm_script_working_directory",
        llm_eval_automated,
        {
            **gha(PR, {"e": gjob({"run": "python run_evals.py", "working-directory": "evals"})}),
            "evals/run_evals.py": GENAI_SCRIPT,
        },
        "true",
        "medium",
    ),
    (
        "llm_script_in_other_dir_than_cd",
        llm_eval_automated,
        {**gha(PR, {"e": gjob("cd docs\npython run_evals.py")}), "evals/run_evals.py": GENAI_SCRIPT},
        "false",
        None,
    ),
    (
        "llm_script_after_cd_in_gitlab",
        llm_eval_automated,
        {
            ".gitlab-ci.yml": "evals:\n  script:\n    - cd evals\n    - python run_evals.py\n",
            "evals/run_evals.py": GENAI_SCRIPT,
        },
        "true",
        "medium",
    ),
    (
        "llm_make_recipe_cd_does_not_carry",
        llm_eval_automated,
        {
            **gha(PR, {"e": gjob("make evals")}),
            "Makefile": "evals:\n\tcd evals\n\tpython run_evals.py\n",
            "evals/run_evals.py": GENAI_SCRIPT,
        },
        "false",
        None,
    ),
    (
        "llm_make_recipe_cd_and",
        llm_eval_automated,
        {
            **gha(PR, {"e": gjob("make evals")}),
            "Makefile": "evals:\n\tcd evals && python run_evals.py\n",
            "evals/run_evals.py": GENAI_SCRIPT,
        },
        "true",
        "medium",
    ),
    ("llm_manual", llm_eval_automated, gha(DISPATCH, {"e": gjob("deepeval test run tests/")}), "true", "low"),
    ("llm_masked", llm_eval_automated, gha(PR, {"e": gjob("npx promptfoo eval || true")}), "false", None),
    (
        "llm_config_only_in_examples",
        llm_eval_automated,
        {"examples/promptfooconfig.yaml": "prompts: [a]\n", **gha(PUSH_MAIN, {"t": gjob("make")})},
        "false",
        None,
    ),
    # ci.prompt_tests
    (
        "prompt_paths",
        prompt_tests,
        gha({"pull_request": {"paths": ["prompts/**"]}}, {"e": gjob("npx promptfoo eval")}),
        "true",
        "medium",
    ),
    ("prompt_no_filter", prompt_tests, gha(PR, {"e": gjob("npx promptfoo eval")}), "false", None),
    (
        "prompt_code_filter",
        prompt_tests,
        gha({"pull_request": {"paths": ["src/**"]}}, {"e": gjob("npx promptfoo eval")}),
        "false",
        None,
    ),
    # ci.retrain_on_metric_trigger
    (
        "retrain_dispatch",
        retrain_on_metric_trigger,
        {**gha(RETRAIN, {"t": gjob("python train.py")}), "monitoring/drift.py": SENDER},
        "true",
        "medium",
    ),
    (
        "retrain_monitor_workflow_runs_training",
        retrain_on_metric_trigger,
        {
            **gha(DISPATCH, {"t": gjob("python train.py")}, ".github/workflows/retrain.yml"),
            **gha(
                NIGHTLY,
                {"m": gjob("python check_drift.py", "gh workflow run retrain.yml")},
                ".github/workflows/monitor.yml",
            ),
        },
        "true",
        "medium",
    ),
    (
        "retrain_unrelated_dispatch",
        retrain_on_metric_trigger,
        {
            **gha(DISPATCH, {"t": gjob("python train.py")}, ".github/workflows/retrain.yml"),
            "scripts/release.sh": "gh workflow run release.yml\n",
        },
        "false",
        None,
    ),
    ("retrain_schedule_only", retrain_on_metric_trigger, gha(NIGHTLY, {"t": gjob("python train.py")}), "false", None),
    ("retrain_no_sender", retrain_on_metric_trigger, gha(RETRAIN, {"t": gjob("python train.py")}), "false", None),
    (
        "retrain_sender_in_docs",
        retrain_on_metric_trigger,
        {**gha(RETRAIN, {"t": gjob("python train.py")}), "docs/drift.py": SENDER},
        "false",
        None,
    ),
    (
        "retrain_eventbridge",
        retrain_on_metric_trigger,
        {"infra/retrain.tf": EVENTBRIDGE_TF},
        "true",
        "medium",
    ),
    # ci.registry_event_generates_deploy
    (
        "registry_pr",
        registry_event_generates_deploy,
        gha(REGISTRY, {"bump": gjob("yq -i '.model.version = 3' values.yaml", PR_ACTION)}),
        "true",
        "medium",
    ),
    (
        "registry_push_deploy",
        registry_event_generates_deploy,
        gha(PUSH_MAIN, {"d": gjob("kubectl apply -f k8s"), "p": gjob(PR_ACTION)}),
        "false",
        None,
    ),
    (
        "registry_webhook_code_only",
        registry_event_generates_deploy,
        {"ops/hooks.py": "events = ['MODEL_VERSION_CREATED']\n"},
        "true",
        "low",
    ),
    # repo.continuous_prod_eval
    (
        "monitor_scheduled",
        continuous_prod_eval,
        {**gha(NIGHTLY, {"m": gjob("python monitoring/check.py")}), "monitoring/check.py": MONITOR_SCRIPT},
        "true",
        "medium",
    ),
    ("monitor_aml_schedule", continuous_prod_eval, {"azureml/monitor.yml": AML_MONITOR}, "true", "medium"),
    (
        "monitor_on_push_only",
        continuous_prod_eval,
        {**gha(PUSH_MAIN, {"m": gjob("python monitoring/check.py")}), "monitoring/check.py": MONITOR_SCRIPT},
        "false",
        None,
    ),
    ("monitor_none", continuous_prod_eval, gha(NIGHTLY, {"t": gjob("python train.py")}), "false", None),
]


@pytest.mark.parametrize(("name", "probe", "files", "outcome", "confidence"), CASES, ids=[c[0] for c in CASES])
def test_probe(
    tmp_path: Path, name: str, probe: Probe, files: dict[str, str], outcome: str, confidence: str | None
) -> None:
    expect(run_on_repo(probe, tmp_path, files), outcome, confidence)


def test_retrain_cites_workflow_and_sender(tmp_path: Path) -> None:
    files = {**gha(RETRAIN, {"t": gjob("python train.py")}), "monitoring/drift.py": SENDER}
    found = run_on_repo(retrain_on_metric_trigger, tmp_path, files).finding
    assert {loc.path for loc in found.locations} == {".github/workflows/ci.yml", "monitoring/drift.py"}
    assert found.values["event_types"] == ["drift_detected"]


def test_eval_gate_reads_exit_code_from_main(tmp_path: Path) -> None:
    script = (
        "import sys\n\ndef main() -> int:\n    failures = []\n    if auc < gates.min_auc:\n"
        "        failures.append('auc')\n    return 1 if failures else 0\n\n"
        "if __name__ == '__main__':\n    sys.exit(main())\n"
    )
    files = {
        **gha(
            NIGHTLY,
            {"train": gjob("python -m churn.evaluate"), "promote": gjob("python -m churn.promote", needs="train")},
        ),
        "src/churn/evaluate.py": script,
        "src/churn/promote.py": "print('promote')\n",
    }
    found = run_on_repo(model_eval_gate, tmp_path, files).finding
    expect(found, "true", "medium")
    assert found.values["before_deploy"] is True
