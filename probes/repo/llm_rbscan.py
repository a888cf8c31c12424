"""The Ruby pass of the LLM scan (no probes here): Rails apps load gems without `require`, so a file's
SDK family is read from the SDK constants it names (`Anthropic::BedrockClient`, `Aws::BedrockRuntime`,
`OpenAI::Client`, `Langchain::LLM`, `RubyLLM`), and calls count only in a file that names the family."""

from __future__ import annotations

import re

from probes.repo._llm import FileLlm, LlmCall, is_prose

RB_SUFFIXES = (".rb",)
RB_FAMILIES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), f)
    for p, f in (
        (r"\bAnthropic::", "anthropic"),
        (r"\bAws::BedrockRuntime\b", "bedrock"),
        (r"\bOpenAI::Client\b", "openai"),
        (r"\bLangchain::LLM::", "langchain"),
        (r"\bRubyLLM\b", "ruby_llm"),
        (r"\bGemini\.new\b", "google-genai"),
    )
)
# (regex, role, families one of which the file must name)
RB_CALLS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = tuple(
    (re.compile(p), role, fams)
    for p, role, fams in (
        (r"\bAnthropic::(?:Bedrock|Vertex)?Client\.new\b", "client", ("anthropic",)),
        (r"\bAws::BedrockRuntime::Client\.new\b", "client", ("bedrock",)),
        (r"\bOpenAI::Client\.new\b", "client", ("openai",)),
        (r"\bLangchain::LLM::\w{1,40}\.new\b", "client", ("langchain",)),
        (r"\.messages\.(?:create|stream)\b", "generate", ("anthropic",)),
        (r"\.(?:invoke_model|invoke_model_with_response_stream|converse|converse_stream)\b", "generate", ("bedrock",)),
        (r"\.chat\(\s*parameters:", "generate", ("openai",)),
        (r"\.embeddings\(\s*parameters:", "embed", ("openai",)),
        (r"\bRubyLLM\.chat\b", "generate", ("ruby_llm",)),
        (r"\bRubyLLM\.embed\b", "embed", ("ruby_llm",)),
    )
)
RB_MODEL = re.compile(r"""\bmodel(?:_id|_name)?:\s{0,5}(["']?)([^"',\s)]{1,120})""")
RB_PROMPT = re.compile(
    r"""\b(?:system|system_prompt|prompt|instructions):\s{0,5}(["'])((?:\\.|(?!\1)[^\\]){20,2000}?)\1"""
)
RB_TOOLS = re.compile(r"""\btools:\s{0,5}[\[{\w]|\btool_choice:|\btoolConfig:""")


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def scan_ruby(text: str, path: str, where_: str) -> FileLlm:
    out = FileLlm(path, where_)
    for rx, family in RB_FAMILIES:
        m = rx.search(text)
        if m:
            out.families.setdefault(family, _line(text, m.start()))
    if not out.families:
        return out
    for rx, role, needs in RB_CALLS:
        if not any(f in out.families for f in needs):
            continue
        for m in rx.finditer(text):
            model, from_config = _model(text, m.end()) if role != "client" else (None, False)
            kind = "embed" if role == "generate" and "embed" in (model or _window(text, m.end())).lower() else role
            name = m.group(0).lstrip(".")
            family = next(f for f in needs if f in out.families)
            out.calls.append(LlmCall(_line(text, m.start()), name, family, kind, model, from_config))
    if not out.calls:
        return out
    out.prompts = [(_line(text, m.start()), m.group(2)) for m in RB_PROMPT.finditer(text) if is_prose(m.group(2))]
    out.tool_schemas = [_line(text, m.start()) for m in RB_TOOLS.finditer(text)]
    return out


def _window(text: str, end: int) -> str:
    return text[end : end + 300]


def _model(text: str, end: int) -> tuple[str | None, bool]:
    """The model of a call: a literal after `model:`/`model_id:` within the call's first lines, else
    whether one is passed at all (from a constant, config or an argument)."""
    m = RB_MODEL.search(_window(text, end))
    if not m:
        return None, False
    return (m.group(2), False) if m.group(1) else (None, True)
