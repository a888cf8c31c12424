"""Table tests: repo.llm.present, code.llm.adhoc_calls, code.llm.personal_keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from probes.repo.llm_usage import adhoc_calls, llm_present, personal_keys
from scanner.testing import Case, check_case, notebook
from tests.repo_llm.util import OPENAI_APP

KEY = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0aB4c"  # fake, key-shaped

PRESENT = [
    Case("openai module", {"app/chat.py": OPENAI_APP}, "true", "medium", ("app/chat.py",), {"runtime_files": 1}),
    Case("no llm", {"app/main.py": "import json\nprint(json.dumps({}))\n"}, "false"),
    Case(
        "langchain chat model",
        {
            "svc/chain.py": "from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model='gpt-4o')\n"
            "print(llm.invoke('hi there'))\n"
        },
        "true",
        "medium",
        values={"families": ["langchain"]},
    ),
    Case(
        "bedrock converse",
        {
            "svc/bed.py": "import boto3\nc = boto3.client('bedrock-runtime')\n"
            "c.converse(modelId='anthropic.claude-3-haiku', messages=[])\n"
        },
        "true",
        "medium",
        values={"families": ["bedrock"]},
    ),
    Case(
        "typescript openai",
        {
            "web/src/chat.ts": 'import OpenAI from "openai";\nconst c = new OpenAI();\n'
            'await c.chat.completions.create({ model: "gpt-4o", messages: [] });\n'
        },
        "true",
        "medium",
        ("web/src/chat.ts",),
    ),
    Case(
        "ruby anthropic on bedrock (rails, no require)",
        {
            "Gemfile": 'source "https://rubygems.org"\ngem "anthropic"\n',
            "lib/composer.rb": "class Composer\n  def call\n    client.messages.create(model: model_id, messages:)\n"
            "  end\n\n  def client\n    @client ||= Anthropic::BedrockClient.new(aws_region: ENV['REGION'])\n"
            "  end\nend\n",
        },
        "true",
        "medium",
        ("lib/composer.rb",),
        {"families": ["anthropic"]},
    ),
    Case(
        "ruby bedrock runtime invoke_model",
        {
            "lib/judge.rb": "client = Aws::BedrockRuntime::Client.new\n"
            "client.invoke_model(model_id: MODEL, body: {messages: []}.to_json)\n"
        },
        "true",
        "medium",
        values={"families": ["bedrock"]},
    ),
    Case(
        "pitfall: ruby twilio messages.create is not an LLM",
        {"lib/sms.rb": "client = Twilio::REST::Client.new\nclient.messages.create(from: a, to: b, body: 'hello')\n"},
        "false",
    ),
    Case(
        "pitfall: ruby stubs of the SDK in spec/ only",
        {"spec/support/stub_claude.rb": "allow(Anthropic::Client).to receive(:new)\n"},
        "false",
    ),
    Case(
        "pitfall: ruby titan embeddings only",
        {
            "lib/embed.rb": "c = Aws::BedrockRuntime::Client.new\n"
            "c.invoke_model(model_id: 'amazon.titan-embed-text-v2:0', body: '{}')\n"
        },
        "true",
        "low",
        values={"embedding_only_files": 1},
    ),
    Case(
        "self-hosted causal lm generates",
        {
            "svc/gen.py": "from transformers import AutoModelForCausalLM, AutoTokenizer\n"
            "model = AutoModelForCausalLM.from_pretrained(NAME)\nout = model.generate(**inputs, max_new_tokens=64)\n"
        },
        "true",
        "medium",
        values={"families": ["transformers"]},
    ),
    Case(
        "vllm offline inference",
        {
            "svc/serve.py": "from vllm import LLM, SamplingParams\n"
            "llm = LLM(model=NAME)\nllm.generate(prompts, params)\n"
        },
        "true",
        "medium",
        values={"families": ["vllm"]},
    ),
    Case(
        "litellm batch completion",
        {
            "jobs/infer.py": "from litellm import batch_completion\n"
            "def run(cfg, examples):\n    return batch_completion(model=cfg.model, messages=examples)\n"
        },
        "true",
        "medium",
        ("jobs/infer.py",),
        {"families": ["litellm"]},
    ),
    Case(
        "vllm engine built from engine args (an OpenAI-compatible server)",
        {
            "serve/app.py": "from vllm.engine.async_llm_engine import AsyncLLMEngine\n"
            "class Server:\n    def __init__(self, args):\n"
            "        self.engine = AsyncLLMEngine.from_engine_args(args)\n"
        },
        "true",
        "medium",
        values={"families": ["vllm"]},
    ),
    Case(
        "text-generation server through the hub client",
        {"svc/tgi.py": "from huggingface_hub import InferenceClient\nc = InferenceClient(URL)\nc.text_generation(p)\n"},
        "true",
        "medium",
    ),
    Case(
        "pitfall: a causal lm loaded as a component (perplexity), never generating",
        {
            "lib/metrics.py": "from transformers import AutoModelForCausalLM\n"
            "lm = AutoModelForCausalLM.from_pretrained('gpt2')\nloss = lm(**batch).loss\n"
        },
        "false",
        values={"runtime_files": 0},
    ),
    Case(
        "pitfall: a library that defines a model class",
        {"lib/model.py": "from transformers import PreTrainedModel\n\nclass TinyLM(PreTrainedModel):\n    pass\n"},
        "false",
    ),
    Case(
        "pitfall: bert classifier",
        {
            "app/clf.py": "from transformers import AutoModelForSequenceClassification\n"
            "m = AutoModelForSequenceClassification.from_pretrained('bert-base')\nm.generate = None\n"
        },
        "false",
    ),
    Case(
        "pitfall: llm calls in an experiments folder are lab work",
        {"experiments/teacher/run.py": OPENAI_APP},
        "true",
        "low",
        values={"runtime_files": 0, "notebook_files": 1},
    ),
    Case("pitfall: notebook only", {"nb/try.ipynb": notebook(OPENAI_APP)}, "true", "low", values={"notebook_files": 1}),
    Case(
        "pitfall: embeddings only",
        {
            "jobs/embed.py": "from openai import OpenAI\nOpenAI().embeddings.create(model='text-embedding-3-small', "
            "input=['a'])\n"
        },
        "true",
        "low",
        values={"embedding_only_files": 1},
        message="embeddings only",
    ),
    Case(
        "pitfall: dependency only",
        {"requirements.txt": "openai==1.40\n", "app/x.py": "x = 1\n"},
        "true",
        "low",
        ("requirements.txt",),
        message="dependency declared",
    ),
    Case("pitfall: examples only", {"examples/chat.py": OPENAI_APP}, "false"),
    Case(
        "pitfall: twilio messages.create is not anthropic",
        {"app/sms.py": "from twilio.rest import Client\nClient().messages.create(to='1', body='hello there')\n"},
        "false",
    ),
    Case("pitfall: tests only", {"tests/test_chat.py": OPENAI_APP}, "true", "low", values={"test_files": 1}),
]


@pytest.mark.parametrize("case", PRESENT, ids=lambda c: c.id)
def test_llm_present(tmp_path: Path, case: Case) -> None:
    check_case(llm_present, case, tmp_path)


ENV_MODEL = (
    "import os\nfrom openai import OpenAI\nOpenAI().chat.completions.create(model=os.environ['MODEL'], messages=[])\n"
)
ADHOC = [
    Case(
        "literal model",
        {"app/chat.py": OPENAI_APP},
        "true",
        "medium",
        ("app/chat.py",),
        {"literal_model_calls": 1, "models": ["gpt-4o-mini"]},
    ),
    Case("model from config", {"app/chat.py": ENV_MODEL}, "false", message="none hard-codes"),
    Case("notebook call weighs as ad hoc", {"nb/a.ipynb": notebook(ENV_MODEL)}, "true", values={"notebook_calls": 1}),
    Case(
        "module constant",
        {
            "app/c.py": "import anthropic\nMODEL = 'claude-3-5-sonnet-latest'\n"
            "anthropic.Anthropic().messages.create(model=MODEL, max_tokens=5, messages=[])\n"
        },
        "true",
        values={"models": ["claude-3-5-sonnet-latest"]},
    ),
    Case(
        "vercel ai sdk provider model",
        {
            "web/route.ts": 'import { generateText } from "ai";\nimport { openai } from "@ai-sdk/openai";\n'
            'const r = await generateText({ model: openai("gpt-4o"), prompt: "Write a haiku about rain" });\n'
        },
        "true",
        values={"models": ["gpt-4o"]},
    ),
    Case("no llm calls", {"app/a.py": "print('x')\n"}, "false", message="No LLM SDK calls"),
    Case("pitfall: examples", {"examples/a.py": OPENAI_APP}, "false"),
    Case("pitfall: tests are not ad hoc use", {"tests/test_a.py": OPENAI_APP}, "false"),
]


@pytest.mark.parametrize("case", ADHOC, ids=lambda c: c.id)
def test_adhoc_calls(tmp_path: Path, case: Case) -> None:
    check_case(adhoc_calls, case, tmp_path)


KEYS = [
    Case(
        "literal key in notebook",
        {"nb/a.ipynb": notebook(f"import os\nos.environ['OPENAI_API_KEY'] = '{KEY}'\n")},
        "true",
        "medium",
        ("nb/a.ipynb",),
    ),
    Case(
        "getpass per user",
        {"app/k.py": "import os, getpass\nos.environ['ANTHROPIC_API_KEY'] = getpass.getpass()\n"},
        "true",
        "medium",
    ),
    Case(
        "colab secret per user",
        {"nb/c.ipynb": notebook("from google.colab import userdata\nkey = userdata.get('OPENAI_API_KEY')\n")},
        "true",
        "medium",
    ),
    Case("key file in the home folder", {"app/k.py": "import os\np = os.path.expanduser('~/.openai_key')\n"}, "true"),
    Case(
        "pitfall: documentation key in a docstring",
        {"app/d.py": '"""Example: client = OpenAI(api_key="sk-1234567890abcdefghijklmnopqrstuvwxyz")"""\n'},
        "false",
    ),
    Case("client api_key literal", {"app/k.py": f"from openai import OpenAI\nc = OpenAI(api_key='{KEY}')\n"}, "true"),
    Case("committed .env", {".env": f"OPENAI_API_KEY={KEY}\n", "app/a.py": "x = 1\n"}, "true", locations=(".env",)),
    Case(
        "env read",
        {"app/k.py": "import os\nfrom openai import OpenAI\nc = OpenAI(api_key=os.getenv('OPENAI_API_KEY'))\n"},
        "false",
    ),
    Case(
        "pitfall: placeholders",
        {
            "app/k.py": "import os\nos.environ['OPENAI_API_KEY'] = 'YOUR_API_KEY_HERE_PLEASE'\n"
            "from openai import OpenAI\nc = OpenAI(api_key='EMPTY', base_url='x')\n"
        },
        "false",
    ),
    Case("pitfall: examples", {"examples/k.py": f"import os\nos.environ['OPENAI_API_KEY'] = '{KEY}'\n"}, "false"),
    Case(
        "pitfall: fixture keys in tests",
        {"tests/test_provider.py": f"from openai import OpenAI\nc = OpenAI(api_key='{KEY}')\n"},
        "false",
        values={"test_fixtures": 1},
    ),
    Case(
        "pitfall: padded fake key",
        {"app/k.py": "from openai import OpenAI\nc = OpenAI(api_key='sk-original-stored-key-00000000000000000000')\n"},
        "false",
    ),
]


@pytest.mark.parametrize("case", KEYS, ids=lambda c: c.id)
def test_personal_keys(tmp_path: Path, case: Case) -> None:
    finding = check_case(personal_keys, case, tmp_path)
    assert KEY not in json.dumps(finding.to_json())  # never the key value
