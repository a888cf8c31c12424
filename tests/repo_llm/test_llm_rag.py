"""Table tests: code.rag, code.tool_calling."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.llm_rag import rag, tool_calling
from scanner.testing import Case, check_case, notebook
from tests.repo_llm.util import OPENAI_APP

CHROMA = "import chromadb\nclient = chromadb.PersistentClient(path='db')\ncol = client.get_collection('docs')\n"
RAG = [
    Case(
        "chroma in an llm app",
        {"app/retrieve.py": CHROMA, "app/chat.py": OPENAI_APP},
        "true",
        "medium",
        ("app/retrieve.py",),
    ),
    Case(
        "langchain retriever",
        {
            "app/r.py": "from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model='gpt-4o')"
            "\nretriever = store.as_retriever()\n"
        },
        "true",
        "medium",
    ),
    Case(
        "typescript pinecone",
        {"web/r.ts": 'import { Pinecone } from "@pinecone-database/pinecone";\n', "app/chat.py": OPENAI_APP},
        "true",
        "medium",
        ("web/r.ts",),
    ),
    Case(
        "pitfall: vector search without llm",
        {"app/search.py": "import faiss\nindex = faiss.IndexFlatL2(128)\n"},
        "true",
        "low",
        values={"llm_generation": False},
    ),
    Case("pitfall: notebook only", {"nb/r.ipynb": notebook(CHROMA + OPENAI_APP)}, "true", "low"),
    Case("none", {"app/chat.py": OPENAI_APP}, "false"),
]


@pytest.mark.parametrize("case", RAG, ids=lambda c: c.id)
def test_rag(tmp_path: Path, case: Case) -> None:
    check_case(rag, case, tmp_path)


TOOLS_APP = """from openai import OpenAI

TOOLS = [{"type": "function", "function": {"name": "get_invoice", "parameters": {"type": "object"}}}]
OpenAI().chat.completions.create(model="gpt-4o", messages=[], tools=TOOLS, tool_choice="auto")
"""
LC_TOOL = "from langchain_core.tools import tool\n\n@tool\ndef lookup(order_id: str) -> str:\n    return order_id\n"
TOOLS = [
    Case("openai tools", {"app/chat.py": TOOLS_APP}, "true", "medium", ("app/chat.py",)),
    Case("langchain @tool", {"app/tools.py": LC_TOOL}, "true", "medium"),
    Case(
        "mcp server",
        {
            "app/server.py": "from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('x')\n\n"
            "@mcp.tool()\ndef add(a: int) -> int:\n    return a\n"
        },
        "true",
        "medium",
    ),
    Case(
        "pitfall: IDE mcp.json only", {".vscode/mcp.json": '{"servers": {}}', "app/chat.py": OPENAI_APP}, "true", "low"
    ),
    Case(
        "pitfall: @tool without an llm framework",
        {"app/cli.py": "import click\n\n@click.tool\ndef x():\n    pass\n"},
        "false",
    ),
    Case("pitfall: examples", {"examples/chat.py": TOOLS_APP}, "false"),
    Case("none", {"app/chat.py": OPENAI_APP}, "false"),
]


@pytest.mark.parametrize("case", TOOLS, ids=lambda c: c.id)
def test_tool_calling(tmp_path: Path, case: Case) -> None:
    check_case(tool_calling, case, tmp_path)
