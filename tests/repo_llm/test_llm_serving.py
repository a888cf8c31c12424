"""Table tests: repo.llm.gateway, code.llm.uses_gateway, code.runtime_config_switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.llm_serving import llm_gateway, runtime_config_switch, uses_gateway
from scanner.testing import Case, check_case, notebook
from tests.repo_llm.util import OPENAI_APP

LITELLM = """model_list:
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o
      api_base: os.environ/AZURE_API_BASE
router_settings:
  routing_strategy: simple-shuffle
"""
MLFLOW_GATEWAY = """endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
"""
APIM = '<policies><inbound><azure-openai-token-limit tokens-per-minute="5000" /></inbound></policies>\n'
KONG = """_format_version: "3.0"
services:
  - name: llm
    url: https://api.openai.com
    plugins:
      - name: ai-proxy
        config:
          route_type: llm/v1/chat
"""
GATEWAY = [
    Case(
        "litellm proxy config",
        {"deploy/litellm/config.yaml": LITELLM},
        "true",
        "medium",
        ("deploy/litellm/config.yaml",),
        message="LiteLLM",
    ),
    Case("mlflow gateway endpoints", {"gateway/config.yaml": MLFLOW_GATEWAY}, "true", "medium"),
    Case("apim token policy", {"infra/apim/policy.xml": APIM}, "true", "medium", ("infra/apim/policy.xml",)),
    Case("kong ai-proxy", {"kong/kong.yaml": KONG}, "true", "medium"),
    Case(
        "pitfall: in-process router only",
        {"app/r.py": "import litellm\nr = litellm.Router(model_list=[])\n"},
        "true",
        "low",
    ),
    Case("pitfall: examples", {"examples/litellm/config.yaml": LITELLM}, "false"),
    Case(
        "pitfall: unrelated model_list",
        {"conf/models.yaml": "model_list:\n  - name: churn\n    path: m.pkl\n"},
        "false",
    ),
    Case("none", {"app/chat.py": OPENAI_APP}, "false"),
]


@pytest.mark.parametrize("case", GATEWAY, ids=lambda c: c.id)
def test_llm_gateway(tmp_path: Path, case: Case) -> None:
    check_case(llm_gateway, case, tmp_path)


def client(base_url: str) -> str:
    return f"import os\nfrom openai import OpenAI\nclient = OpenAI(base_url={base_url})\n"


HELM = "env:\n  - name: OPENAI_BASE_URL\n    value: http://litellm-proxy:4000\n"
USES = [
    Case("literal gateway host", {"app/c.py": client("'http://litellm:4000'")}, "true", "medium", ("app/c.py",)),
    Case("gateway env var", {"app/c.py": client("os.environ['LLM_GATEWAY_URL']")}, "true", "medium"),
    Case(
        "env var set to gateway in helm values",
        {"app/c.py": client("os.getenv('OPENAI_BASE_URL')"), "charts/app/values.yaml": HELM},
        "true",
        "medium",
        ("app/c.py", "charts/app/values.yaml"),
    ),
    Case(
        "compose service running litellm",
        {
            "app/c.py": client("'http://llm:4001/v1'"),
            "docker-compose.yml": "services:\n  llm:\n    image: ghcr.io/berriai/litellm:main\n",
        },
        "true",
        "medium",
    ),
    Case("vendor endpoint", {"app/c.py": client("'https://api.openai.com/v1'")}, "false"),
    Case("pitfall: local ollama is not a gateway", {"app/c.py": client("'http://localhost:11434/v1'")}, "false"),
    Case(
        "pitfall: only in .env.example",
        {".env.example": "OPENAI_BASE_URL=http://litellm:4000\n", "app/c.py": OPENAI_APP},
        "true",
        "low",
    ),
    Case(
        "pitfall: payment gateway is not an LLM gateway",
        {"conf/app.yaml": "PAYMENT_GATEWAY_URL: https://gateway.payments.example\n", "app/c.py": OPENAI_APP},
        "false",
    ),
    Case("pitfall: notebook only", {"nb/a.ipynb": notebook(client("'http://litellm:4000'"))}, "true", "low"),
]


@pytest.mark.parametrize("case", USES, ids=lambda c: c.id)
def test_uses_gateway(tmp_path: Path, case: Case) -> None:
    check_case(uses_gateway, case, tmp_path)


FLAGS = "import ldclient\nmodel = ldclient.get().variation('llm-model', ctx, 'gpt-4o')\n"
SWITCH = [
    Case(
        "llm providers kept in the app database",
        {
            "app/db/models.py": "from app.db.base import Base\n\nclass LLMProvider(Base):\n    name = 1\n"
            "    default_model_name = 2\n",
            "app/chat.py": OPENAI_APP,
        },
        "true",
        "medium",
        ("app/db/models.py",),
    ),
    Case(
        "rails table of llm settings",
        {
            "app/models/llm_setting.rb": "class LlmSetting < ApplicationRecord\nend\n",
            "lib/chat.rb": "c = Anthropic::Client.new\nc.messages.create(model: m, messages: [])\n",
        },
        "true",
        "medium",
    ),
    Case(
        "pitfall: llm provider table without llm runtime code",
        {"app/db/models.py": "from django.db import models\n\nclass LLMProvider(models.Model):\n    name = 1\n"},
        "true",
        "low",
    ),
    Case(
        "pitfall: a plain config class is not a table",
        {"app/config.py": "class LLMConfig:\n    model = 'gpt-4o'\n", "app/chat.py": OPENAI_APP},
        "false",
    ),
    Case(
        "prompt alias at runtime",
        {"app/p.py": "import mlflow\np = mlflow.genai.load_prompt('prompts:/qa@prod')\n", "app/chat.py": OPENAI_APP},
        "true",
        "medium",
        ("app/p.py",),
    ),
    Case(
        "feature flag in an llm app",
        {"app/flags.py": FLAGS, "app/chat.py": OPENAI_APP},
        "true",
        "medium",
        ("app/flags.py",),
    ),
    Case(
        "pitfall: feature flags without llm runtime code",
        {"app/flags.py": FLAGS},
        "true",
        "low",
        values={"llm_runtime_code": False},
    ),
    Case(
        "pitfall: pinned prompt version",
        {"app/p.py": "import mlflow\nmlflow.genai.load_prompt('prompts:/qa/2')\n", "app/chat.py": OPENAI_APP},
        "false",
    ),
    Case("none", {"app/chat.py": OPENAI_APP}, "false"),
]


@pytest.mark.parametrize("case", SWITCH, ids=lambda c: c.id)
def test_runtime_config_switch(tmp_path: Path, case: Case) -> None:
    check_case(runtime_config_switch, case, tmp_path)
