"""Test probes: real unit tests, integration suites, and tests that exercise the model artifact or the
scoring endpoint. Skipped and trivial tests never count (docs/model.md, "Presence is not use")."""

from __future__ import annotations

import re
from collections import Counter

from probes.repo._ml import facts, loc, method_calls, repo_of
from probes.repo.llm_sdks import PY_FAMILIES
from probes.repo.tests_collect import FoundTest, all_tests
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

MODEL_LOADS = (
    "joblib.load",
    "pickle.load",
    "cloudpickle.load",
    "torch.load",
    "torch.jit.load",
    "tensorflow.saved_model.load",
    "onnxruntime.InferenceSession",
    "xgboost.Booster",
    "lightgbm.Booster",
)
# Pretrained models loaded by name (a hub id or a package): the real model is exercised.
PRETRAINED_LOADS = (
    "transformers.pipeline",
    "sentence_transformers.SentenceTransformer",
    "sentence_transformers.CrossEncoder",
    "spacy.load",
    "torch.hub.load",
)
ENDPOINT = re.compile(
    r"/(score|scoring|predict\w*|invocations|inference|infer|v[12]/models|chat|ask|answer\w*|generate\w*"
    r"|completions?|recommend\w*|rank\w*|classify\w*|embed\w*)\b",
    re.I,
)
# LLM clients replaced by mocks or recorded responses: the application's integration of the LLM (prompt
# assembly, parsing, tools) is exercised without calling the provider.
LLM_MODULES = (
    *PY_FAMILIES,
    "langchain",
    "langchain_core",
    "langchain_openai",
    "langchain_anthropic",
    "langchain_aws",
    "langchain_community",
    "llama_index",
    "haystack",
)
LLM_TARGET = re.compile(
    r"openai|anthropic|bedrock|litellm|langchain|llama_index|vertexai|genai|ollama|mistral|cohere|(^|[._])llm($|[._])",
    re.I,
)
MOCK_MODULES = ("unittest.mock", "mock", "pytest_mock")
REPLAY_MODULES = ("vcr", "pytest_recording", "respx", "syrupy")
MOCK_CALLS = ("patch", "patch.object", "MagicMock", "AsyncMock", "Mock", "mocker.patch", "mocker.patch.object")
COMPOSE_TEST = (
    "**/docker-compose.test*.y*ml",
    "**/docker-compose.ci*.y*ml",
    "**/compose.test*.y*ml",
    "**/docker-compose.integration*.y*ml",
)


def _first_per_file(index: RepoIndex, tests: list[FoundTest]) -> list[Location]:
    seen: dict[str, int] = {}
    for t in tests:
        seen.setdefault(t.path, t.line)
    return [loc(index, path, line) for path, line in seen.items()]


@probe(
    "repo.tests.unit",
    summary="Real (non-skipped, non-trivial) test functions in the repo's test files",
    remediation="Write unit tests for feature, training and scoring code, and run them in CI.",
    evidence=("file",),
)
def tests_unit(views: Views) -> list[Finding]:
    index = repo_of(views)
    tests = all_tests(index)
    real = [t for t in tests if t.real]
    values = {
        "count": len(real),
        "skipped": sum(t.skipped for t in tests),
        "trivial": sum(t.trivial and not t.skipped for t in tests),
        "files": len({t.path for t in real}),
        "by_language": dict(sorted(Counter(t.lang for t in real).items())),
        "integration": sum(t.integration for t in real),
    }
    if real:
        note = (
            f" ({values['skipped']} skipped, {values['trivial']} trivial not counted)" if len(real) < len(tests) else ""
        )
        msg = f"{len(real)} real tests in {values['files']} test files{note}"
        return [hit(views, "repo.tests.unit", _first_per_file(index, real), msg, values=values)]
    if tests:
        msg = f"{len(tests)} test functions found, but all are skipped or trivial"
        return [miss(views, "repo.tests.unit", msg, values=values, locations=_first_per_file(index, tests))]
    return [miss(views, "repo.tests.unit", "no test functions in the repo's test files", values=values)]


@probe(
    "repo.tests.integration",
    summary="Integration suites: tests/integration, integration markers, "
    "testcontainers, tests against live HTTP endpoints or databases",
    evidence=("file",),
    remediation="Add an integration suite (tests/integration or an integration marker) that exercises the "
    "service against real dependencies (testcontainers, a live database or endpoint).",
)
def tests_integration(views: Views) -> list[Finding]:
    index = repo_of(views)
    tests = [t for t in all_tests(index) if t.integration]
    real = [t for t in tests if t.real]
    values = {"count": len(real), "skipped_or_trivial": len(tests) - len(real), "files": len({t.path for t in real})}
    if real:
        msg = f"{len(real)} integration tests in {values['files']} files"
        return [hit(views, "repo.tests.integration", _first_per_file(index, real), msg, values=values)]
    compose = index.paths(*COMPOSE_TEST)
    if compose and any(t.real for t in all_tests(index)):
        msg = "a compose file for test services exists beside real tests (which tests use it is not known)"
        return [
            hit(
                views,
                "repo.tests.integration",
                [loc(index, p) for p in compose],
                msg,
                confidence="low",
                values={**values, "compose_files": len(compose)},
            )
        ]
    absent = "no integration tests" + (" (only skipped or trivial ones)" if tests else "")
    return [miss(views, "repo.tests.integration", absent, values=values)]


def model_integration_sites(index: RepoIndex) -> list[tuple[str, int, str]]:
    """(path, line, what) in test files with real tests: model artifacts or pretrained models loaded, or
    scoring endpoints called."""
    real_files = {t.path for t in all_tests(index) if t.real and t.lang == "python"}
    out = []
    for path in sorted(real_files):
        f = facts(index, path)
        for c in f.calls_to(*MODEL_LOADS, *PRETRAINED_LOADS) + method_calls(f, "load_model", "from_pretrained"):
            out.append((path, c.line, c.name))
        for c in method_calls(f, "post", "get", "put"):
            if any(ENDPOINT.search(s) for s in c.str_args):
                out.append((path, c.line, f"{c.name}({next(s for s in c.str_args if ENDPOINT.search(s))!r})"))
    return sorted(set(out))


def llm_replay_sites(index: RepoIndex) -> list[tuple[str, int, str]]:
    """(path, line, what) in test files with real tests that drive the LLM integration against a mocked
    client or recorded responses: an LLM SDK imported or patched, beside a mock or a replay library."""
    real_files = {t.path for t in all_tests(index) if t.real and t.lang == "python"}
    out = []
    for path in sorted(real_files):
        f = facts(index, path)
        mocks = f.calls_to(*MOCK_CALLS)
        replay = f.imported(*REPLAY_MODULES)
        vcr = [line for name, line in f.decorators if name.endswith("mark.vcr")]
        if not (mocks or replay is not None or vcr or f.imported(*MOCK_MODULES) is not None):
            continue
        patched = [c for c in mocks if any(LLM_TARGET.search(s) for s in c.str_args)]
        sdk = f.imported(*LLM_MODULES)
        if patched:
            out.append((path, patched[0].line, f"{patched[0].name}({patched[0].str_args[0]!r})"))
        elif sdk is not None and (mocks or replay is not None or vcr):
            out.append((path, sdk, "LLM client with mocked or recorded responses"))
    return sorted(set(out))


@probe(
    "repo.tests.model_integration",
    summary="Tests that load the real model artifact or a pretrained model, call the scoring endpoint, "
    "or drive the LLM integration against mocked clients or recorded responses (low confidence)",
    evidence=("file",),
    remediation="Add tests that load the real model artifact (or call the scoring endpoint, or drive the LLM "
    "integration against recorded responses) and check its outputs.",
)
def tests_model_integration(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites = model_integration_sites(index)
    replays = llm_replay_sites(index)
    files = sorted({p for p, _, _ in sites + replays})
    if sites or replays:
        kinds = sorted({w for _, _, w in sites + replays})[:5]
        msg = f"{len(files)} test files load a model, call a scoring endpoint or drive a mocked LLM: {', '.join(kinds)}"
        locs = [loc(index, p, line) for p, line, _ in sites + replays]
        values = {"count": len(files), "llm_replays": len({p for p, _, _ in replays})}
        # a mocked or recorded LLM exercises the integration code, not the model itself
        confidence = "medium" if sites else "low"
        return [hit(views, "repo.tests.model_integration", locs, msg, confidence=confidence, values=values)]
    return [
        miss(
            views,
            "repo.tests.model_integration",
            "no non-skipped test loads a model artifact or calls a scoring endpoint",
        )
    ]
