"""Table tests: iac.llm.inference, repo.llm.containerized."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.llm_infra import llm_containerized, llm_inference
from scanner.testing import Case, check_case, notebook
from tests.repo_llm.util import OPENAI_APP

TF_DEPLOYMENT = """resource "azurerm_cognitive_account" "oai" {
  name = "oai"
  kind = "OpenAI"
}

resource "azurerm_cognitive_deployment" "gpt" {
  name                 = "gpt-4o"
  cognitive_account_id = azurerm_cognitive_account.oai.id
}
"""
TF_OFF = """resource "azurerm_cognitive_deployment" "gpt" {
  count = 0
  name  = "gpt-4o"
}
"""
KSERVE_HF = """apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: llama
spec:
  predictor:
    model:
      modelFormat:
        name: huggingface
      args: ["--model_id=meta-llama/Llama-3.1-8B-Instruct"]
"""
KSERVE_SKLEARN = KSERVE_HF.replace("huggingface", "sklearn").replace("meta-llama/Llama-3.1-8B-Instruct", "churn")
VLLM = """apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.3
"""
INFERENCE = [
    Case(
        "azure openai deployment", {"infra/main.tf": TF_DEPLOYMENT}, "true", "medium", ("infra/main.tf",), {"count": 2}
    ),
    Case(
        "bicep deployment",
        {
            "infra/main.bicep": "resource d 'Microsoft.CognitiveServices/accounts/deployments@"
            "2023-05-01' = {\n  name: 'gpt'\n}\n"
        },
        "true",
        "medium",
    ),
    Case("kserve huggingface", {"k8s/isvc.yaml": KSERVE_HF}, "true", "medium", ("k8s/isvc.yaml",)),
    Case("vllm deployment", {"k8s/vllm.yaml": VLLM}, "true", "medium"),
    Case(
        "pitfall: non-openai cognitive account",
        {"infra/main.tf": 'resource "azurerm_cognitive_account" "t" {\n  kind = "TextAnalytics"\n}\n'},
        "false",
    ),
    Case("pitfall: count = 0", {"infra/main.tf": TF_OFF}, "false", values={"disabled_resources": 1}),
    Case("pitfall: classic ML InferenceService", {"k8s/isvc.yaml": KSERVE_SKLEARN}, "false"),
    Case(
        "pitfall: ollama in compose only",
        {"docker-compose.yml": "services:\n  llm:\n    image: ollama/ollama\n"},
        "true",
        "low",
    ),
    Case("pitfall: examples", {"examples/infra/main.tf": TF_DEPLOYMENT}, "false"),
]


@pytest.mark.parametrize("case", INFERENCE, ids=lambda c: c.id)
def test_llm_inference(tmp_path: Path, case: Case) -> None:
    check_case(llm_inference, case, tmp_path)


DOCKERFILE = 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "-m", "app"]\n'
CONTAINERIZED = [
    Case("root Dockerfile", {"Dockerfile": DOCKERFILE, "app/chat.py": OPENAI_APP}, "true", "medium", ("Dockerfile",)),
    Case(
        "service Dockerfile",
        {"services/api/Dockerfile": DOCKERFILE, "services/api/chat.py": OPENAI_APP},
        "true",
        "medium",
        ("services/api/Dockerfile",),
    ),
    Case(
        "compose build context",
        {"docker-compose.yml": "services:\n  api:\n    build: ./api\n", "api/chat.py": OPENAI_APP},
        "true",
        "medium",
        ("docker-compose.yml",),
    ),
    Case(
        "azd service",
        {
            "azure.yaml": "name: x\nservices:\n  api:\n    project: ./src/api\n    host: containerapp\n",
            "src/api/chat.py": OPENAI_APP,
        },
        "true",
        "medium",
        ("azure.yaml",),
    ),
    Case(
        "pitfall: Dockerfile of another service",
        {"services/billing/Dockerfile": DOCKERFILE, "services/api/chat.py": OPENAI_APP},
        "false",
    ),
    Case("pitfall: llm only in notebooks", {"Dockerfile": DOCKERFILE, "nb/a.ipynb": notebook(OPENAI_APP)}, "false"),
    Case("pitfall: examples", {"examples/Dockerfile": DOCKERFILE, "examples/chat.py": OPENAI_APP}, "false"),
    Case(
        "pitfall: helm chart not tied to the code",
        {"charts/api/Chart.yaml": "apiVersion: v2\nname: api\n", "app/chat.py": OPENAI_APP},
        "true",
        "low",
    ),
    Case("pitfall: helm chart without llm code", {"charts/api/Chart.yaml": "apiVersion: v2\nname: api\n"}, "false"),
    Case(
        "pitfall: a third-party package copied under dependencies/ (own setup.py and licence)",
        {
            "inference/dependencies/bench/Dockerfile": DOCKERFILE,
            "inference/dependencies/bench/setup.py": "from setuptools import setup\nsetup(name='bench')\n",
            "inference/dependencies/bench/LICENSE": "MIT License\n",
            "inference/dependencies/bench/bench/chat.py": OPENAI_APP,
        },
        "false",
    ),
    Case(
        "a FastAPI app's own dependencies/ module is its code",
        {"Dockerfile": DOCKERFILE, "app/dependencies/llm.py": OPENAI_APP, "app/main.py": "import fastapi\n"},
        "true",
        "medium",
        ("Dockerfile",),
    ),
]


@pytest.mark.parametrize("case", CONTAINERIZED, ids=lambda c: c.id)
def test_llm_containerized(tmp_path: Path, case: Case) -> None:
    check_case(llm_containerized, case, tmp_path)
