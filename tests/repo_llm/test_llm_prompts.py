"""Table tests: code.prompts.inline, repo.prompts.files, code.prompt_registry, code.prompt_alias_resolution,
code.prompt_optimization."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.llm_promptfiles import prompt_files
from probes.repo.llm_prompts import prompt_alias_resolution, prompt_optimization, prompt_registry, prompts_inline
from scanner.testing import Case, check_case, notebook
from tests.repo_llm.util import OPENAI_APP

SYSTEM_APP = """from openai import OpenAI

SYSTEM = "You are a support assistant for the billing team; answer briefly."


def ask(question):
    messages = [{"role": "system", "content": SYSTEM}]
    messages.append({"role": "user", "content": question})
    return OpenAI().chat.completions.create(model="gpt-4o", messages=messages)
"""
ERROR_ONLY = """from openai import OpenAI

def ask(question, token):
    if not token:
        raise ValueError("You are not allowed to call this assistant without a token, sorry.")
    return OpenAI().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": question}])
"""
INLINE = [
    Case("system prompt constant", {"app/chat.py": SYSTEM_APP}, "true", "medium", ("app/chat.py",), {"count": 1}),
    Case(
        "langchain template",
        {
            "app/c.py": "from langchain_core.prompts import ChatPromptTemplate\n"
            "p = ChatPromptTemplate.from_messages([('system', 'You are a terse summariser of contracts.'),"
            " ('user', '{text}')])\n"
        },
        "true",
        "medium",
    ),
    Case(
        "f-string user prompt",
        {
            "app/s.py": "import ollama\ndef s(text):\n    return ollama.generate(model='llama3', "
            "prompt=f'Summarize the following text in three bullet points: {text}')\n"
        },
        "true",
    ),
    Case(
        "typescript system prompt",
        {
            "web/chat.ts": 'import OpenAI from "openai";\nconst c = new OpenAI();\nawait c.chat.completions.create({'
            'model: "gpt-4o", messages: [{ role: "system", content: "You are a helpful travel agent who '
            'plans trips." }] });\n'
        },
        "true",
        "medium",
    ),
    Case("pitfall: 'You are' in an error message", {"app/chat.py": ERROR_ONLY}, "false"),
    Case(
        "pitfall: UI copy in a typescript file that calls an LLM",
        {
            "web/page.tsx": 'import OpenAI from "openai";\nconst c = new OpenAI();\n'
            'const banner = { content: "You are signed in; continue to your order summary" };\n'
        },
        "false",
    ),
    Case("pitfall: notebook only", {"nb/p.ipynb": notebook(SYSTEM_APP)}, "true", "low"),
    Case("no llm", {"app/a.py": "MSG = 'You are welcome to contribute to this project anytime.'\n"}, "false"),
]


@pytest.mark.parametrize("case", INLINE, ids=lambda c: c.id)
def test_prompts_inline(tmp_path: Path, case: Case) -> None:
    check_case(prompts_inline, case, tmp_path)


LOADER = """from pathlib import Path
from openai import OpenAI

SYSTEM = (Path(__file__).parent / "prompts" / "system.txt").read_text()
"""
FLOW = "nodes:\n- name: chat\n  type: llm\n  source:\n    type: code\n    path: chat.jinja2\n"
JINJA_DIR = """from jinja2 import Environment, FileSystemLoader

env = Environment(loader=FileSystemLoader("prompts"))
template = env.get_template(name)
"""
FILES = [
    Case(
        "prompts file opened by code",
        {"app/prompts/system.txt": "You are ...", "app/llm.py": LOADER},
        "true",
        "medium",
        ("app/prompts/system.txt",),
        {"loaded": 1},
    ),
    Case(
        "prompts dir loaded by jinja",
        {"prompts/a.j2": "x", "prompts/b.j2": "y", "app/render.py": JINJA_DIR},
        "true",
        "medium",
        ("prompts/a.j2", "prompts/b.j2"),
    ),
    Case(
        "prompty loaded",
        {
            "app/chat.prompty": "---\nname: chat\n---\nsystem: hi",
            "app/run.py": "import prompty\np = prompty.load('chat.prompty')\n",
        },
        "true",
        "medium",
    ),
    Case(
        "semantic kernel plugin dir",
        {
            "plugins/Writer/Summarize/skprompt.txt": "Summarize {{$input}}",
            "plugins/Writer/Summarize/config.json": "{}",
            "app/k.py": "kernel.add_plugin(parent_directory='plugins', plugin_name='Writer')\n",
        },
        "true",
        "medium",
        ("plugins/Writer/Summarize/skprompt.txt",),
    ),
    Case(
        "prompt flow nodes",
        {
            "flows/chat/flow.dag.yaml": FLOW,
            "flows/chat/chat.jinja2": "system: hi",
        },
        "true",
        "medium",
        ("flows/chat/flow.dag.yaml", "flows/chat/chat.jinja2"),
    ),
    Case(
        "pitfall: prompt files nobody loads",
        {"prompts/system.txt": "You are ...", "app/a.py": "x = 1\n"},
        "true",
        "low",
        values={"unloaded": 1},
        message="no code loads them",
    ),
    Case(
        "pitfall: loaded only by a notebook", {"prompts/system.txt": "x", "nb/t.ipynb": notebook(LOADER)}, "true", "low"
    ),
    Case(
        "pitfall: examples",
        {"examples/prompts/system.txt": "x", "examples/llm.py": LOADER},
        "false",
        values={"ignored_non_practice": 1},
        message="ignored",
    ),
    Case(
        "pitfall: site navigation metadata in a prompts folder",
        {
            "pages/prompts/_meta.json": '{"classification": "Classification"}',
            "pages/prompts/_meta.en.json": '{"coding": "Coding"}',
            "site/nav.py": "import json\nfrom pathlib import Path\n"
            "NAV = [json.loads(p.read_text()) for p in Path('pages/prompts').glob('*.json')]\n",
        },
        "false",
    ),
    Case("none", {"app/a.py": "x = 1\n"}, "false"),
    Case(
        "package of prompt modules imported by llm code",
        {
            "app/prompts/chat_prompts.py": 'SYSTEM = "You are a helpful assistant for the docs."\n',
            "app/prompts/tool_prompts.py": 'TOOLS = "Use the search tool when unsure of an answer."\n',
            "app/chat.py": "from app.prompts.chat_prompts import SYSTEM\n" + OPENAI_APP,
        },
        "true",
        "medium",
        ("app/prompts/chat_prompts.py",),
    ),
    Case(
        "pitfall: a single prompts module stays inline prompting",
        {
            "app/prompts/chat_prompts.py": 'SYSTEM = "You are a helpful assistant for the docs."\n',
            "app/chat.py": "from app.prompts.chat_prompts import SYSTEM\n" + OPENAI_APP,
        },
        "false",
    ),
    Case(
        "pitfall: prompt modules no llm code imports",
        {
            "app/prompts/a.py": 'A = "You are a helpful assistant for the docs."\n',
            "app/prompts/b.py": 'B = "Use the search tool when unsure of an answer."\n',
            "app/chat.py": OPENAI_APP,
        },
        "false",
    ),
    Case(
        "ruby prompts resolved by name from versioned configuration",
        {
            "lib/prompts.rb": "module Prompts\n  def self.config(name)\n"
            "    Rails.configuration.private_gem.llm_prompts.fetch(name)\n  end\nend\n",
            "lib/router.rb": "class Router\n  def call\n    client.messages.create(system: Prompts.config(:router))\n"
            "  end\n\n  def client = Anthropic::Client.new\nend\n",
        },
        "true",
        "medium",
        ("lib/prompts.rb",),
    ),
    Case(
        "pitfall: prompt configuration no llm code uses",
        {
            "lib/prompts.rb": "module Prompts\n"
            "  def self.config(name) = Rails.configuration.llm_prompts.fetch(name)\nend\n"
        },
        "false",
    ),
]


@pytest.mark.parametrize("case", FILES, ids=lambda c: c.id)
def test_prompt_files(tmp_path: Path, case: Case) -> None:
    check_case(prompt_files, case, tmp_path)


REGISTRY = [
    Case(
        "mlflow load_prompt",
        {"app/p.py": "import mlflow\np = mlflow.genai.load_prompt('prompts:/qa/3')\n"},
        "true",
        "medium",
        ("app/p.py",),
    ),
    Case(
        "langfuse get_prompt",
        {"app/p.py": "from langfuse import Langfuse\np = Langfuse().get_prompt('qa')\n"},
        "true",
        "medium",
    ),
    Case("langsmith hub", {"app/p.py": "from langchain import hub\np = hub.pull('rlm/rag-prompt')\n"}, "true"),
    Case(
        "pitfall: notebook only",
        {"nb/r.ipynb": notebook("import mlflow\nmlflow.genai.register_prompt('qa', 'x')\n")},
        "true",
        "low",
    ),
    Case("pitfall: get_prompt without langfuse", {"app/p.py": "def get_prompt(x): ...\nget_prompt('a')\n"}, "false"),
    Case("pitfall: examples", {"examples/p.py": "import mlflow\nmlflow.genai.load_prompt('prompts:/qa/1')\n"}, "false"),
]


@pytest.mark.parametrize("case", REGISTRY, ids=lambda c: c.id)
def test_prompt_registry(tmp_path: Path, case: Case) -> None:
    check_case(prompt_registry, case, tmp_path)


ALIAS = [
    Case(
        "mlflow alias uri",
        {"app/p.py": "import mlflow\np = mlflow.genai.load_prompt('prompts:/qa@production')\n"},
        "true",
        "medium",
        ("app/p.py",),
    ),
    Case(
        "langfuse label",
        {"app/p.py": "from langfuse import Langfuse\nLangfuse().get_prompt('qa', label='prod')\n"},
        "true",
        "medium",
    ),
    Case(
        "pitfall: pinned versions only",
        {"app/p.py": "import mlflow\nmlflow.genai.load_prompt('prompts:/qa/3')\n"},
        "false",
        values={"pinned_version_loads": 1},
        message="pin a version",
    ),
    Case(
        "pitfall: alias set only in a notebook",
        {"nb/a.ipynb": notebook("import mlflow\nmlflow.genai.set_prompt_alias('qa', alias='prod', version=2)\n")},
        "true",
        "low",
    ),
    Case("none", {"app/a.py": "x = 1\n"}, "false"),
]


@pytest.mark.parametrize("case", ALIAS, ids=lambda c: c.id)
def test_prompt_alias_resolution(tmp_path: Path, case: Case) -> None:
    check_case(prompt_alias_resolution, case, tmp_path)


DSPY = "import dspy\nopt = dspy.MIPROv2(metric=m)\nbest = opt.compile(program, trainset=data)\n"
OPTIMIZATION = [
    Case("dspy optimiser compiled", {"jobs/optimise.py": DSPY}, "true", "medium", ("jobs/optimise.py",)),
    Case(
        "mlflow optimize_prompts",
        {"jobs/o.py": "import mlflow\nmlflow.genai.optimize_prompts(predict_fn=f)\n"},
        "true",
        "medium",
    ),
    Case("pitfall: optimisation only in a notebook", {"nb/o.ipynb": notebook(DSPY)}, "true", "low"),
    Case(
        "pitfall: dspy without an optimiser",
        {"app/q.py": "import dspy\nqa = dspy.Predict('question -> answer')\n"},
        "false",
    ),
    Case("pitfall: optimiser never compiled", {"app/q.py": "import dspy\nopt = dspy.MIPROv2(metric=m)\n"}, "false"),
]


@pytest.mark.parametrize("case", OPTIMIZATION, ids=lambda c: c.id)
def test_prompt_optimization(tmp_path: Path, case: Case) -> None:
    check_case(prompt_optimization, case, tmp_path)
