"""Table tests: code.llm.tracing, code.llm.feedback_capture, iac.llm.alerts, code.guardrails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from probes.repo.llm_guardrails import guardrails
from probes.repo.llm_monitoring import feedback_capture, llm_alerts, llm_tracing
from scanner.testing import Case, check_case, notebook
from tests.repo_llm.util import OPENAI_APP

OBSERVE = "from langfuse import observe\n\n@observe()\ndef answer(q):\n    return q\n"
AUTOLOG = "import mlflow\nmlflow.openai.autolog()\n"
TRACING = [
    Case("langfuse observe", {"app/chat.py": OBSERVE}, "true", "medium", ("app/chat.py",)),
    Case("mlflow autolog", {"app/main.py": AUTOLOG}, "true", "medium"),
    Case(
        "helm values enable langsmith",
        {"charts/app/values.yaml": 'env:\n  LANGSMITH_TRACING: "true"\n'},
        "true",
        "medium",
        ("charts/app/values.yaml",),
    ),
    Case("Dockerfile ENV", {"Dockerfile": "FROM python:3.12\nENV LANGCHAIN_TRACING_V2=true\n"}, "true", "medium"),
    Case(
        "pitfall: only .env.example",
        {".env.example": "LANGSMITH_TRACING=true\nLANGSMITH_API_KEY=xyz\n", "app/chat.py": OPENAI_APP},
        "false",
        values={"dev_only": 1},
        message="does not count",
    ),
    Case("pitfall: only a notebook", {"nb/t.ipynb": notebook(AUTOLOG)}, "false", message="does not count"),
    Case(
        "pitfall: dev compose",
        {"docker-compose.dev.yml": "services:\n  app:\n    environment:\n      LANGFUSE_HOST: http://localhost:3000\n"},
        "false",
    ),
    Case(
        "kubernetes env entry switches langfuse on",
        {
            "deploy/k8s/app.yaml": "spec:\n  containers:\n    - env:\n        - name: LANGFUSE_PUBLIC_KEY\n"
            "          valueFrom:\n            secretKeyRef: {name: lf, key: pk}\n"
        },
        "true",
        "medium",
        ("deploy/k8s/app.yaml",),
    ),
    Case(
        "pitfall: kubernetes env entry in a dev compose",
        {"docker-compose.local.yml": "services:\n  app:\n    environment:\n      - name: LANGSMITH_TRACING\n"},
        "false",
    ),
    Case("pitfall: generic mlflow autolog", {"app/train.py": "import mlflow\nmlflow.sklearn.autolog()\n"}, "false"),
    Case("none", {"app/chat.py": OPENAI_APP}, "false"),
]


@pytest.mark.parametrize("case", TRACING, ids=lambda c: c.id)
def test_llm_tracing(tmp_path: Path, case: Case) -> None:
    check_case(llm_tracing, case, tmp_path)


def test_tracing_env_values_are_not_copied(tmp_path: Path) -> None:
    secret = "sk-lf-0123456789abcdef0123"
    files = {"charts/app/values.yaml": f"env:\n  LANGFUSE_SECRET_KEY: {secret}\n"}
    finding = check_case(llm_tracing, Case("secret", files, "true"), tmp_path)
    assert secret not in json.dumps(finding.to_json())


ROUTE = (
    "from fastapi import FastAPI\napp = FastAPI()\n\n@app.post('/api/feedback')\ndef feedback(body):\n    save(body)\n"
)
FEEDBACK = [
    Case(
        "langfuse score",
        {"app/fb.py": "from langfuse import Langfuse\nLangfuse().create_score(trace_id=t, name='thumbs', value=1)\n"},
        "true",
        "medium",
        ("app/fb.py",),
    ),
    Case(
        "langsmith feedback",
        {"app/fb.py": "from langsmith import Client\nClient().create_feedback(run_id, key='user-score', score=1)\n"},
        "true",
        "medium",
    ),
    Case(
        "feedback route in an llm app",
        {"app/api.py": ROUTE, "app/chat.py": OPENAI_APP},
        "true",
        "medium",
        ("app/api.py",),
    ),
    Case("pitfall: feedback route without llm", {"app/api.py": ROUTE}, "false"),
    Case(
        "django ratings route in an llm app",
        {
            "web/urls.py": "from django.urls import path\nurlpatterns = [path('ratings/<uuid:id>/', rate_message)]\n",
            "app/chat.py": OPENAI_APP,
        },
        "true",
        "medium",
        ("web/urls.py",),
    ),
    Case(
        "js front end posts a rating",
        {
            "web/src/feedback-buttons.js": "await fetch(`/ratings/${this.dataset.id}/`, {method: 'POST'});\n",
            "app/chat.py": OPENAI_APP,
        },
        "true",
        "medium",
        ("web/src/feedback-buttons.js",),
    ),
    Case(
        "pitfall: js rating fetch without llm",
        {"web/src/stars.js": "await fetch(`/ratings/${id}/`, {method: 'POST'});\n"},
        "false",
    ),
    Case(
        "pitfall: a route that merely generates in an llm app",
        {"web/urls.py": "urlpatterns = [path('chat/<uuid:id>/', chat)]\n", "app/chat.py": OPENAI_APP},
        "false",
    ),
    Case(
        "pitfall: notebook only",
        {"nb/f.ipynb": notebook("import mlflow\nmlflow.log_feedback(trace_id=t, name='ok', value=True)\n")},
        "true",
        "low",
    ),
    Case("pitfall: score without langfuse", {"app/m.py": "model.score(X, y)\n"}, "false"),
]


@pytest.mark.parametrize("case", FEEDBACK, ids=lambda c: c.id)
def test_feedback_capture(tmp_path: Path, case: Case) -> None:
    check_case(feedback_capture, case, tmp_path)


PROM_RULE = """apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
spec:
  groups:
    - name: llm
      rules:
        - alert: TokenBudgetBurn
          expr: sum(rate(gen_ai_client_token_usage_sum[5m])) > 1e6
"""
HTTP_RULE = PROM_RULE.replace("TokenBudgetBurn", "Http5xx").replace(
    "sum(rate(gen_ai_client_token_usage_sum[5m])) > 1e6", "rate(http_requests_total{code=~'5..'}[5m]) > 1"
)
NULL_AM = "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n"
LIVE_AM = "route:\n  receiver: oncall\nreceivers:\n  - name: oncall\n    slack_configs:\n      - channel: '#llm'\n"
TF_ALERT = """resource "azurerm_monitor_scheduled_query_rules_alert_v2" "tokens" {
  name = "llm-token-spike"
  criteria {
    query = "customMetrics | where name == 'gen_ai.client.token.usage'"
  }
}
"""
ALERTS = [
    Case(
        "prometheus rule on gen_ai tokens",
        {"monitoring/rules.yaml": PROM_RULE},
        "true",
        "medium",
        ("monitoring/rules.yaml",),
    ),
    Case(
        "with a live receiver",
        {"monitoring/rules.yaml": PROM_RULE, "monitoring/alertmanager.yml": LIVE_AM},
        "true",
        "medium",
        values={"null_receiver": False},
    ),
    Case("azure scheduled query alert", {"infra/alerts.tf": TF_ALERT}, "true", "medium"),
    Case(
        "pitfall: routed to a null receiver",
        {"monitoring/rules.yaml": PROM_RULE, "monitoring/alertmanager.yml": NULL_AM},
        "true",
        "low",
        values={"null_receiver": True},
    ),
    Case("pitfall: http alert without llm", {"monitoring/rules.yaml": HTTP_RULE}, "false"),
    Case(
        "pitfall: generic latency alert in an llm app",
        {
            "monitoring/rules.yaml": HTTP_RULE.replace("http_requests_total", "request_latency_seconds"),
            "app/chat.py": OPENAI_APP,
        },
        "true",
        "low",
    ),
    Case("pitfall: examples", {"examples/rules.yaml": PROM_RULE}, "false"),
]


@pytest.mark.parametrize("case", ALERTS, ids=lambda c: c.id)
def test_llm_alerts(tmp_path: Path, case: Case) -> None:
    check_case(llm_alerts, case, tmp_path)


NEMO = (
    "models:\n  - type: main\n    engine: openai\n    model: gpt-4o\nrails:\n  input:\n    flows:\n"
    "      - self check input\n"
)
NEMO_EMPTY = "models: []\nrails:\n  input:\n    flows: []\n"
GUARDRAILS = [
    Case("nemo rails", {"guardrails/config.yml": NEMO}, "true", "medium", ("guardrails/config.yml",)),
    Case(
        "hand-written jailbreak guardrail calling an llm",
        {
            "lib/pipeline/jailbreak_guardrails.rb": "class JailbreakGuardrails\n  def call\n"
            "    Anthropic::Client.new.messages.create(model: m, messages: [])\n  end\nend\n"
        },
        "true",
        "medium",
        ("lib/pipeline/jailbreak_guardrails.rb",),
    ),
    Case(
        "pitfall: a guardrail-named file with no llm call",
        {"app/guardrails.py": "BLOCKED = ['password']\n\ndef check(text):\n    return text not in BLOCKED\n"},
        "false",
    ),
    Case("guardrails-ai Guard", {"app/g.py": "from guardrails import Guard\nguard = Guard()\n"}, "true", "medium"),
    Case(
        "bedrock guardrail in terraform",
        {"infra/g.tf": 'resource "aws_bedrock_guardrail" "g" {\n  name = "x"\n}\n'},
        "true",
        "medium",
    ),
    Case(
        "content safety client",
        {
            "app/s.py": "from azure.ai.contentsafety import ContentSafetyClient\n"
            "c = ContentSafetyClient(endpoint, cred)\n"
        },
        "true",
    ),
    Case("pitfall: empty rails", {"guardrails/config.yml": NEMO_EMPTY}, "false", values={"empty_rails_configs": 1}),
    Case("pitfall: notebook only", {"nb/g.ipynb": notebook("from guardrails import Guard\nGuard()\n")}, "true", "low"),
    Case("none", {"app/chat.py": OPENAI_APP}, "false"),
]


@pytest.mark.parametrize("case", GUARDRAILS, ids=lambda c: c.id)
def test_guardrails(tmp_path: Path, case: Case) -> None:
    check_case(guardrails, case, tmp_path)
