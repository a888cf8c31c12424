"""The Python LLM SDK catalogue used by the AST pass (no probes here): which modules are LLM SDKs or
frameworks, which call chains generate, embed or build a client, and which keywords carry the model,
the prompt and the endpoint."""

from __future__ import annotations

import re
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Python module prefix -> SDK family (`langchain*`, `llama_index*`, `haystack*` match by prefix).
PY_FAMILIES: dict[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "vertexai": "vertexai",
    "google.genai": "google-genai",
    "google.generativeai": "google-genai",
    "ollama": "ollama",
    "litellm": "litellm",
    "langgraph": "langchain",
    "semantic_kernel": "semantic_kernel",
    "dspy": "dspy",
    "mistralai": "mistral",
    "cohere": "cohere",
    "groq": "groq",
    "azure.ai.inference": "azure-ai-inference",
    "pydantic_ai": "pydantic_ai",
    # self-hosted inference engines and text-generation servers
    "vllm": "vllm",
    "llama_cpp": "llama_cpp",
    "text_generation": "tgi",
    "transformers.AutoModelForCausalLM": "transformers",
    "transformers.AutoModelForSeq2SeqLM": "transformers",
    "huggingface_hub.InferenceClient": "hf_inference",
    "huggingface_hub.AsyncInferenceClient": "hf_inference",
}
# Self-hosted model classes that load an LLM; for transformers only `.generate` counts as LLM use (a causal
# LM loaded to score perplexity or as a component of a library is not).
SELF_HOSTED_CLIENTS = frozenset(
    {"LLM", "AsyncLLMEngine", "Llama", "AutoModelForCausalLM", "AutoModelForSeq2SeqLM", "InferenceClient"}
    | {"AsyncInferenceClient", "LLMEngine"}
)
# Class methods that build a self-hosted client (`AutoModelForCausalLM.from_pretrained(...)`,
# vLLM's `AsyncLLMEngine.from_engine_args(...)`).
SELF_HOSTED_BUILDERS = frozenset({"from_pretrained", "from_engine_args"})
GENERATE_ONLY = frozenset({"transformers"})
FRAMEWORKS = _words("langchain llama_index semantic_kernel dspy haystack pydantic_ai")

# Method chains on client objects: suffix, role, families (comma-separated), and whether the file
# must import one of those families for the chain to count (`messages.create` is also Twilio's API).
_SUFFIX_TABLE = """
chat.completions.create            generate  openai                any
chat.completions.parse             generate  openai                any
chat.completions.stream            generate  openai                any
embeddings.create                  embed     openai                any
ChatCompletion.create              generate  openai                imported
Completion.create                  generate  openai                imported
Embedding.create                   embed     openai                imported
responses.create                   generate  openai                imported
responses.parse                    generate  openai                imported
completions.create                 generate  openai                imported
messages.create                    generate  anthropic             imported
messages.stream                    generate  anthropic             imported
converse                           generate  bedrock               imported
converse_stream                    generate  bedrock               imported
invoke_model                       generate  bedrock               imported
invoke_model_with_response_stream  generate  bedrock               imported
retrieve_and_generate              generate  bedrock               imported
generate_content                   generate  google-genai,vertexai imported
generate_content_stream            generate  google-genai,vertexai imported
embed_content                      embed     google-genai,vertexai imported
chat.complete                      generate  mistral               imported
as_query_engine                    generate  llama_index           imported
as_chat_engine                     generate  llama_index           imported
invoke_prompt                      generate  semantic_kernel       imported
"""
SUFFIX_RULES: tuple[tuple[str, str, tuple[str, ...], bool], ...] = tuple(
    (suffix, role, tuple(families.split(",")), need == "imported")
    for suffix, role, families, need in (row.split() for row in _SUFFIX_TABLE.strip().splitlines())
)
# Names directly under an SDK module: client constructors, generation functions, prompt builders.
CLIENT_RE = re.compile(
    r"^(?:Async)?(?:Azure)?OpenAI$|^(?:Async)?Anthropic(?:Bedrock|Vertex)?$|^(?:Async)?Client(?:V2)?$"
    r"|^(?:GenerativeModel|TextGenerationModel|ChatModel|LM|Router|init_chat_model|create_react_agent)$"
    r"|^(?:Async)?(?:Mistral|Groq)$|^AzureChatOpenAI$|^Chat[A-Z]\w*$|^\w*Generator$|^\w*ChatCompletion$"
    r"|^ChatCompletionsClient$|^(?:Bedrock\w*|VertexAI|Ollama\w*|HuggingFaceEndpoint|Gemini|Agent)$"
)
NOT_CLIENT_RE = re.compile(r"(?:Message|Template|History|Memory|Value|Parser|Chunk|Result|Error)$")
GEN_LAST = _words(
    "completion acompletion text_completion chat achat generate agenerate Predict ChainOfThought ReAct ProgramOfThought"
    " batch_completion abatch_completion batch_completion_models batch_completion_models_all_responses"
)
PROMPT_RE = re.compile(
    r"^(?:System|Human|AI)Message(?:PromptTemplate)?$|^(?:Chat)?PromptTemplate$|^from_(?:messages|template|system)$"
    r"|^(?:Chat)?PromptBuilder$|^KernelFunctionFromPrompt$"
)
# Methods that run a client held in a variable (`llm = ChatOpenAI(...)`, then `llm.invoke(...)`).
INVOKE_LAST = _words(
    "invoke ainvoke stream astream batch predict complete acomplete chat achat generate_content "
    "query run arun create acreate generate agenerate text_generation chat_completion create_chat_completion"
)
MODEL_KWARGS = _words(
    "model model_name modelId model_id deployment_name azure_deployment engine deployment_id llm_model"
)
PROMPT_KWARGS = _words(
    "messages system prompt input contents instructions content query question text "
    "system_prompt system_message template inputs user_prompt"
)
BASE_URL_KWARGS = _words("base_url api_base openai_api_base azure_endpoint endpoint base_path host")


@lru_cache(maxsize=16384)  # asked for every import of every module: the same few thousand names
def module_family(name: str) -> str | None:
    """The SDK family of a dotted module or call name, or None."""
    root = name.split(".", 1)[0]
    for prefix in ("langchain", "llama_index", "haystack"):
        if root.startswith(prefix):
            return prefix
    for module, family in PY_FAMILIES.items():
        if name == module or name.startswith(module + "."):
            return family
    return None


def role_in_family(family: str, parts: list[str]) -> str | None:
    """The role of a call named directly under an SDK module (`openai.OpenAI`, `ollama.chat`)."""
    last = parts[-1]
    before = parts[-2] if len(parts) >= 2 else ""
    if any("embed" in p.lower() for p in parts[1:]):
        return "embed"
    if family in ("vllm", "llama_cpp", "transformers", "tgi", "hf_inference") and (
        last in SELF_HOSTED_CLIENTS
        or (last in SELF_HOSTED_BUILDERS and before in SELF_HOSTED_CLIENTS)
        or (family == "tgi" and last in ("Client", "AsyncClient"))
    ):
        return "client"
    if family in FRAMEWORKS and PROMPT_RE.match(last):
        return "prompt"
    if (CLIENT_RE.match(last) or (last == "from_pretrained" and CLIENT_RE.match(before))) and not NOT_CLIENT_RE.search(
        last
    ):
        return "client"
    return "generate" if last in GEN_LAST else None
