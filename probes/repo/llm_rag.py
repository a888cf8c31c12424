"""Retrieval-augmented generation and tool calling around LLM calls (Prompt Management in docs/model.md)."""

from __future__ import annotations

from collections.abc import Iterable

from probes.repo._llm import CODE, Ev, file_ev, find_js, find_py, index_of, weigh
from probes.repo.llm_scan import scan
from scanner.facts.python_facts import PyFacts
from scanner.model import Finding
from scanner.probekit import probe
from scanner.views import Views

VECTOR_ROOTS = frozenset(
    {"chromadb", "faiss", "pinecone", "weaviate", "qdrant_client", "pgvector", "lancedb", "pymilvus",
     "langchain_chroma", "langchain_pinecone", "langchain_qdrant", "langchain_postgres", "langchain_milvus",
     "langchain_weaviate", "vecs", "turbopuffer"}
)  # fmt: skip
VECTOR_PREFIXES = (
    "azure.search.documents.SearchClient",
    "langchain_community.vectorstores.",
    "langchain.vectorstores.",
    "llama_index.core.VectorStoreIndex",
    "llama_index.vector_stores.",
    "haystack.components.retrievers.",
    "haystack_integrations.components.retrievers.",
)
RETRIEVERS = frozenset(
    {
        "as_retriever",
        "create_retrieval_chain",
        "RetrievalQA",
        "similarity_search",
        "similarity_search_with_score",
        "retrieve_and_generate",
    }
)
JS_VECTOR = (
    r"""["'](?:@pinecone-database/pinecone|chromadb|@qdrant/js-client-rest|weaviate-client|weaviate-ts-client"""
    r"""|@zilliz/milvus2-sdk-node|@azure/search-documents|@lancedb/lancedb|vectordb"""
    r"""|@langchain/(?:community/vectorstores/[\w-]+|pinecone|qdrant|weaviate))["']"""
    r"""|\.asRetriever\s*\(|\.similaritySearch\s*\("""
)
TOOL_KWARGS = frozenset({"tools", "tool_choice", "functions", "function_call", "toolConfig"})
TOOL_DECORATORS = (
    "langchain_core.tools.tool",
    "langchain.tools.tool",
    "langchain.agents.tool",
    "semantic_kernel.functions.kernel_function",
    "agents.function_tool",
    "function_tool",
)
TOOL_CALLS = frozenset(
    {
        "bind_tools",
        "create_react_agent",
        "create_tool_calling_agent",
        "create_openai_tools_agent",
        "AgentExecutor",
        "FastMCP",
        "StructuredTool",
        "from_function",
        "ReAct",
    }
)
JS_TOOLS = r"""\.bindTools\s*\(|\btool\s*\(\s*\{|new\s+DynamicStructuredTool|new\s+McpServer\s*\("""


@probe(
    "code.rag",
    summary="Retrieval-augmented generation: vector stores (Chroma, FAISS, Pinecone, Qdrant, pgvector, Azure AI "
    "Search, ...), retrievers, and embedding calls in an LLM app.",
    remediation="Ground answers in retrieved documents (a vector store or search index) rather than the prompt alone.",
    evidence=("file",),
)
def rag(views: Views) -> list[Finding]:
    index = index_of(views)
    llm = scan(index)
    evs = find_py(index, _retrieval) + find_js(index, JS_VECTOR)
    evs += [file_ev(index, f.path, c.line, f"{c.name} (embeddings)") for f in llm.of() for c in f.embeddings]
    generates = any(f.generation for f in llm.of())
    if not generates:  # vector search with no LLM generation anywhere is search, not RAG
        evs = [Ev(e.path, e.line, e.snippet, "no-llm-generation") for e in evs]
    return [
        weigh(
            views,
            "code.rag",
            evs,
            "Retrieval for LLM calls",
            "No vector store, retriever or embeddings",
            values={"llm_generation": generates},
        )
    ]


def _retrieval(facts: PyFacts) -> Iterable[tuple[int, str]]:
    for call in facts.calls:
        last = call.name.rsplit(".", 1)[-1]
        root = call.name.split(".")[0]
        if root in VECTOR_ROOTS or call.name.startswith(VECTOR_PREFIXES) or last in RETRIEVERS:
            yield call.line, call.name


@probe(
    "code.tool_calling",
    summary="Tool/function calling: tools=/tool_choice= on LLM calls, function schemas, LangChain @tool/bind_tools, "
    "agents, Semantic Kernel functions, OpenAI Agents @function_tool, MCP servers.",
    remediation="Give the model typed tools (function calling) instead of parsing free text.",
    evidence=("file",),
)
def tool_calling(views: Views) -> list[Finding]:
    index = index_of(views)
    evs = []
    for f in scan(index).of():
        evs += [file_ev(index, f.path, c.line, f"{c.name}(tools=...)") for c in f.calls if TOOL_KWARGS & set(c.kwargs)]
        evs += [file_ev(index, f.path, line, "function tool schema") for line in f.tool_schemas]
    evs += find_py(index, _tools) + find_js(index, JS_TOOLS)
    evs += [Ev(p, None, "MCP client config", "ide-config") for p in index.by_name("mcp.json")]
    evs = list({(e.path, e.line): e for e in evs}.values())
    return [
        weigh(
            views,
            "code.tool_calling",
            evs,
            "Tool calling",
            "No tool/function calling",
            values={"runtime": sum(1 for e in evs if e.where == CODE)},
        )
    ]


def _tools(facts: PyFacts) -> Iterable[tuple[int, str]]:
    llm = (
        facts.imported(
            "langchain",
            "langchain_core",
            "langgraph",
            "llama_index",
            "semantic_kernel",
            "agents",
            "mcp",
            "fastmcp",
            "dspy",
            "haystack",
            "pydantic_ai",
        )
        is not None
    )
    if not llm:
        return
    for name, line in facts.decorators:
        if name in TOOL_DECORATORS or name.endswith(".tool"):
            yield line, "@" + name
    for call in facts.calls:
        if call.name.rsplit(".", 1)[-1] in TOOL_CALLS:
            yield call.line, call.name
