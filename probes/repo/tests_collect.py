"""Test discovery for the test probes (no probes here): real test functions per language, with skipped
and trivial ones told apart. Python by AST (PyFacts.tests); Jest/Vitest, JUnit, Go and xUnit by regex,
since only their text is indexed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from probes.repo._ml import facts, memo
from scanner.facts.paths import file_name, is_test_path
from scanner.facts.python_facts import PyFacts, TestFunction
from scanner.facts.repo_index import RepoIndex

INTEGRATION_PATH = re.compile(
    r"(^|/)(integration|integration_tests|e2e|end_to_end|system_tests?|functional(_tests)?|acceptance|smoke)(/|_|\.|$)"
    r"|integration|e2e|IT\.(java|kt)$|(^|/)cypress/",
    re.I,
)
INTEGRATION_MARKERS = ("integration", "e2e", "system", "smoke", "functional", "acceptance", "end_to_end")
PYTESTMARK = re.compile(
    r"^pytestmark\s*=.*\bmark\.((integration|e2e|system|smoke|functional|acceptance|end_to_end)\b)", re.M
)
# Rails request, system and feature specs (and minitest integration/system tests) drive the whole app.
RUBY_INTEGRATION_PATH = re.compile(r"(^|/)(spec|test)/(requests|system|features|integration)/")
RUBY_TEST = re.compile(
    r"^[ \t]*(x?)(it|specify|scenario|test)\b[ \t(]{0,4}(?:(['\"])([^\n]{0,200}?)\3)?[^\n]{0,200}?\b(do|\{)"
    r"[ \t]*(\|[^|\n]{0,80}\|)?[ \t]*$"
    r"|^[ \t]*def (test_\w+)",
    re.M,
)
RUBY_SKIP = re.compile(r"^[ \t]*(skip|pending)\b", re.M)
MODULE_SKIP = re.compile(r"^pytestmark\s*=.*mark\.(skip|xfail)\b|^pytest\.skip\(.*allow_module_level", re.M)
LIVE_HTTP = ("requests.get", "requests.post", "requests.put", "httpx.get", "httpx.post", "urllib.request.urlopen")
DB_CONNECT = (
    "psycopg2.connect",
    "psycopg.connect",
    "sqlalchemy.create_engine",
    "pymongo.MongoClient",
    "redis.Redis",
    "pyodbc.connect",
    "snowflake.connector.connect",
    "pymysql.connect",
)
HTTP_MOCKS = ("responses", "requests_mock", "respx", "httpretty", "vcr", "pytest_recording")
OTHER_INTEGRATION_TEXT = re.compile(
    r"@SpringBootTest|@Testcontainers|WebApplicationFactory|//go:build integration"
    r"|@playwright/test|testcontainers",
    re.I,
)


@dataclass(frozen=True)
class FoundTest:
    path: str
    line: int
    name: str
    lang: str
    skipped: bool = False
    trivial: bool = False
    integration: bool = False

    @property
    def real(self) -> bool:
        return not (self.skipped or self.trivial)


def all_tests(index: RepoIndex) -> list[FoundTest]:
    """Every test function in the organisation's test files (examples, docs, vendored excluded)."""

    def build() -> list[FoundTest]:
        out: list[FoundTest] = []
        for path in index.paths(kinds=("test", "code")):
            if not is_test_path(path):
                continue
            lower = path.lower()
            if lower.endswith(".py"):
                out += _python(index, path)
            elif re.search(r"\.(test|spec)\.[cm]?[jt]sx?$", lower):
                out += _js(index, path)
            elif lower.endswith("_test.go"):
                out += _go(index, path)
            elif lower.endswith((".java", ".kt")):
                out += _annotated(index, path, r"@(Test|ParameterizedTest|RepeatedTest)\b", r"@(Disabled|Ignore)\b")
            elif lower.endswith(".cs"):
                out += _annotated(index, path, r"\[(Fact|Theory|Test|TestMethod|TestCase)\b", r"Skip\s*=|\[Ignore")
            elif lower.endswith(("_spec.rb", "_test.rb")):
                out += _ruby(index, path)
        return out

    return memo(index, "all_tests", build)


def _collectable(path: str, f: PyFacts) -> bool:
    name = file_name(path)
    testcase = any(b.endswith("TestCase") for _, bases, _ in f.classes for b in bases)
    return name.startswith("test_") or name.endswith(("_test.py", "tests.py")) or testcase


def _python(index: RepoIndex, path: str) -> list[FoundTest]:
    f = facts(index, path)
    if f.error or not f.tests or not _collectable(path, f):
        return []
    text = index.text(path) or ""
    lines = text.splitlines()
    file_skip = bool(MODULE_SKIP.search(text))
    module_mark = PYTESTMARK.search(text)
    file_integration = bool(
        INTEGRATION_PATH.search(path)
        or (module_mark and module_mark.group(2))
        or any(n.endswith(tuple(f"mark.{m}" for m in INTEGRATION_MARKERS)) for n, _ in f.decorators)
        or f.imported("testcontainers") is not None
        or _live_calls(f)
    )
    fixtures = _decorated_defs(f, ("fixture",))
    skipped_classes = _decorated_defs(f, ("skip", "skipIf", "skipUnless", "xfail"), classes=True)
    out = []
    for t in f.tests:
        if t.line in fixtures:
            continue
        skipped = t.skipped or file_skip or _in_class(t, f, lines) in skipped_classes
        integration = file_integration or any(m in t.markers for m in INTEGRATION_MARKERS)
        out.append(FoundTest(path, t.line, t.name, "python", skipped, t.trivial, integration))
    return out


def _live_calls(f: PyFacts) -> bool:
    if f.imported(*HTTP_MOCKS) is not None:
        return False
    http = any(s.startswith("http") for c in f.calls_to(*LIVE_HTTP) for s in c.str_args)
    return http or bool(f.calls_to(*DB_CONNECT))


def _decorated_defs(f: PyFacts, suffixes: tuple[str, ...], *, classes: bool = False) -> set[int]:
    """Lines of the defs (or classes) that carry a decorator ending with one of `suffixes`."""
    class_lines = {line for _, _, line in f.classes}
    def_lines = set(f.functions.values()) | {t.line for t in f.tests}
    targets = class_lines if classes else def_lines
    defs = sorted(class_lines | def_lines)
    out = set()
    for name, line in f.decorators:
        if name.rsplit(".", 1)[-1] not in suffixes:
            continue
        attached = next((d for d in defs if d > line), None)
        if attached in targets:
            out.add(attached)
    return out


def _in_class(t: TestFunction, f: PyFacts, lines: list[str]) -> int | None:
    """The line of the class a test method sits in (indented def below a class), else None."""
    if not (0 < t.line <= len(lines)) or not lines[t.line - 1][:1].isspace():
        return None
    above = [line for _, _, line in f.classes if line < t.line]
    return max(above) if above else None


def _js(index: RepoIndex, path: str) -> list[FoundTest]:
    text = index.text(path) or ""
    integration = bool(INTEGRATION_PATH.search(path) or OTHER_INTEGRATION_TEXT.search(text))
    out = []
    pattern = re.compile(r"^[ \t]*(x?)(it|test)(\.(skip|todo|only|concurrent))?\s*\(\s*(['\"`])(.*?)\5(.*)$", re.M)
    for m in pattern.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        skipped = bool(m.group(1)) or m.group(4) in ("skip", "todo")
        trivial = bool(re.match(r"\s*(,\s*(async\s*)?\(\s*\)\s*=>\s*\{\s*\}\s*\)|\)\s*;?\s*$)", m.group(7)))
        out.append(FoundTest(path, line, m.group(6), "javascript", skipped, trivial, integration))
    return out


def _go(index: RepoIndex, path: str) -> list[FoundTest]:
    text = index.text(path) or ""
    integration = bool(INTEGRATION_PATH.search(path) or OTHER_INTEGRATION_TEXT.search(text))
    out = []
    for m in re.finditer(r"^func (Test\w*)\(\s*\w+ \*testing\.T\s*\)\s*\{(.*?)^\}", text, re.M | re.S):
        body = m.group(2)
        skipped = bool(re.match(r"\s*\w+\.Skip(Now|f)?\(", body))
        out.append(
            FoundTest(
                path, text.count("\n", 0, m.start()) + 1, m.group(1), "go", skipped, not body.strip(), integration
            )
        )
    return out


def _ruby(index: RepoIndex, path: str) -> list[FoundTest]:
    """RSpec examples (`it "..." do`, `xit` skipped) and minitest tests (`test "..." do`, `def test_x`). A test
    whose first line is `skip`/`pending` counts as skipped."""
    text = index.text(path) or ""
    integration = bool(INTEGRATION_PATH.search(path) or RUBY_INTEGRATION_PATH.search(path))
    out = []
    for m in RUBY_TEST.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        following = text[m.end() : m.end() + 200].lstrip("\n")
        skipped = bool(m.group(1)) or bool(RUBY_SKIP.match(following))
        name = m.group(4) or m.group(7) or m.group(2) or "?"
        out.append(FoundTest(path, line, name, "ruby", skipped, False, integration))
    return out


def _annotated(index: RepoIndex, path: str, test_re: str, skip_re: str) -> list[FoundTest]:
    """JUnit/xUnit: one test per block of consecutive annotation lines holding a test annotation."""
    text = index.text(path) or ""
    integration = bool(INTEGRATION_PATH.search(path) or OTHER_INTEGRATION_TEXT.search(text))
    lang = "java" if path.endswith((".java", ".kt")) else "dotnet"
    out = []
    block: list[tuple[int, str]] = []
    for n, raw in enumerate([*text.splitlines(), ""], 1):
        stripped = raw.strip()
        if stripped.startswith(("@", "[")):
            block.append((n, stripped))
            continue
        tests = [(ln, s) for ln, s in block if re.match(test_re, s)]
        if tests:
            skipped = any(re.search(skip_re, s) for _, s in block)
            name = re.search(r"(\w+)\s*\(", stripped)
            out.append(FoundTest(path, tests[0][0], name.group(1) if name else "?", lang, skipped, False, integration))
        block = []
    return out
