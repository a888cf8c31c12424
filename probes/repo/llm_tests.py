"""Tests of LLM code: test files that exercise the app's LLM calls with a mocked client or stubbed
endpoint (unittest.mock/pytest-mock patches of an SDK, respx/responses/webmock stubs of an LLM API, a
stubbed Bedrock client) or replay recorded responses (VCR cassettes, pytest-recording). The test must
reach LLM code (an SDK or an in-house wrapper of one); a mock in a file that never touches LLM code does
not count."""

from __future__ import annotations

import re

from probes.repo._llm import TEST, Ev, index_of, weigh, where
from probes.repo.llm_judges import llm_callers
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import probe
from scanner.views import Views

LLM_HOST = (
    r"(?:api\.openai\.com|api\.anthropic\.com|bedrock|openai\.azure\.com|generativelanguage|/v1/chat/completions)"
)
DOUBLE = re.compile(
    r"\b(?:mock\.patch|patch(?:\.object)?|mocker\.patch|MagicMock|AsyncMock|monkeypatch\.setattr|stub_request"
    r"|allow\([\w:]{1,80}\)\.to\s+receive|instance_double|class_double|jest\.mock|vi\.mock|stub_responses)\b"
    r"|\bstub_\w{0,40}(?:bedrock|claude|openai|anthropic|llm|gpt)\w{0,40}"
    r"|\bFake\w{0,30}(?:LLM|Llm|ChatModel|ListLLM)\b|\bGenericFakeChatModel\b|\bTestModel\b"
)
REPLAY = re.compile(r"\buse_cassette\b|\bmark\.vcr\b|\bVCR\.use_cassette\b|\bvcr:\s|\bcassette_library_dir\b")
ENDPOINT_STUB = re.compile(r"(?:stub_request|respx\.\w{1,10}|responses\.add|nock)\s*\(?[^\n]{0,160}" + LLM_HOST)


@probe(
    "repo.tests.llm",
    summary="Tests that exercise the app's LLM code with mocked clients, stubbed LLM endpoints (webmock, respx, "
    "responses) or recorded-response replays (VCR cassettes).",
    remediation="Test the LLM code paths with a mocked client or recorded responses, so they run in CI without keys.",
    evidence=("file",),
)
def llm_tests(views: Views) -> list[Finding]:
    index = index_of(views)
    evs: list[Ev] = []
    for path in llm_callers(index):
        if where(index, path) != TEST:
            continue
        text = index.text(path) or ""
        m = ENDPOINT_STUB.search(text) or REPLAY.search(text) or DOUBLE.search(text)
        if m:
            evs.append(Ev(path, text.count("\n", 0, m.start()) + 1, m.group(0)[:80], "code"))
    cassettes = [p for p in index.paths("**/cassettes/**", "**/vcr_cassettes/**") if _llm_cassette(index, p)]
    evs += [Ev(p, None, "recorded LLM response", "code") for p in cassettes[:20]]
    return [
        weigh(
            views,
            "repo.tests.llm",
            evs,
            "Tests of LLM code with mocked clients or recorded responses",
            "No test exercises LLM code with a mocked client or recorded responses",
            values={"cassettes": len(cassettes)},
        )
    ]


def _llm_cassette(index: RepoIndex, path: str) -> bool:
    text = index.text(path)
    return text is not None and re.search(LLM_HOST, text[:20000]) is not None
