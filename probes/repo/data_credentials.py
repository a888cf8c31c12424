"""Credentials written into code and config (code.inline_credentials), gitleaks-style.

Reports counts and redacted locations only: a snippet names the rule and the key, never the value
("password=*** in connection URI"). Placeholders (changeme, <...>, ${VAR}, {{ }}, env-var names, stock
values such as `password`) and template files (`.env.example`, `*.sample`) are not credentials.
Test files and CI-only configuration (workflow files, `values-ci.yaml`) are counted apart: fixtures and
throwaway service containers routinely hold fake secrets. Dependency pins and printf verbs are not values.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from probes.repo._data import COMMENT_LINE, doc_spans, in_spans, is_placeholder, loc, source_of, unavailable_all
from scanner.facts.paths import CODE, TEST, file_name
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

SIGNAL = "code.inline_credentials"
SECRET_KEY = r"[\w.-]*(?:password|passwd|pwd|secret|token|api_?key|access_?key|secret_?key|client_?secret)"
TEMPLATE_FILE = re.compile(r"\.(example|sample|template|dist|defaults|tmpl|tpl)$|^\.env\.(example|sample|template)")
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{3,}$")
HINT = re.compile(
    r"akia|asia|sk-|gh[pousr]_|xox[abprs]-|private key|accountkey=|://[^/\s:@]+:[^@\s]+@|passw|pwd|secret|token|api_?key|access_?key"
)
FORMATTED = frozenset({"aws_access_key", "api_key", "github_token", "slack_token"})
PEM_BODY = re.compile(r"\s*(?:\\n|\n\s*)[\"']?[A-Za-z0-9+/=]{40,}")
SEQUENCE = re.compile(r"(?i)1234567|abcdefg|0123456")
NOT_SECRET_KEY = re.compile(r"(?i)page|next|cursor|csrf|continuation|type|name|url|endpoint|header|field")
WORDY = re.compile(r"(?i)passw|secret|token|api_?key|access_?key|private")
VERSION_SPEC = re.compile(r"^[\^~<>=!]{0,2}\d+(?:\.[\dx*]+)+")  # `tiktoken = "^0.7.0"` is a dependency pin
FORMAT_VERB = re.compile(r"^%[-+#0-9.]*[a-zA-Z]$")  # printf verbs: `postgresql://%s:%s@...`
# CI-only configuration: service containers and throwaway databases of test jobs, counted apart like tests
CI_FILE = re.compile(r"^\.github/workflows/|^\.gitlab-ci\.ya?ml$|^\.circleci/|[._-]ci\.(?:ya?ml|json|env)$")
CONFIG_SUFFIXES = (".env", ".ini", ".cfg", ".conf", ".properties", ".yml", ".yaml", ".toml", ".tfvars", ".config")


@dataclass(frozen=True)
class Rule:
    id: str
    regex: re.Pattern[str]
    label: str  # may use {key}; never the value
    config_only: bool = False  # unquoted `key = value` reads as a secret only in config files, not code


RULES = (
    Rule("aws_access_key", re.compile(r"\b(?P<secret>(?:AKIA|ASIA)[0-9A-Z]{16})\b"), "AWS access key id ***"),
    Rule("api_key", re.compile(r"\b(?P<secret>sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,})"), "API key sk-***"),
    Rule("github_token", re.compile(r"\b(?P<secret>gh[pousr]_[A-Za-z0-9]{36,})\b"), "GitHub token ***"),
    Rule("slack_token", re.compile(r"\b(?P<secret>xox[abprs]-[A-Za-z0-9-]{10,})"), "Slack token ***"),
    Rule(
        "private_key",
        re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY(?P<secret>)-----"),
        "private key block",
    ),
    Rule(
        "account_key", re.compile(r"(?i)\bAccountKey=(?P<secret>[^;\"'\s]{20,})"), "AccountKey=*** in connection string"
    ),
    Rule(
        "uri_password",
        re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?P<secret>[^@\s'\"/]+)@"),
        "password=*** in connection URI",
    ),
    Rule(
        "query_password",
        re.compile(r"(?i)[?&](?:password|pwd)=(?P<secret>[^&\s'\"]+)"),
        "password=*** in connection URL",
    ),
    Rule(
        "connstr_password",
        re.compile(r"(?i)(?:^|[;\"'\s])(?:password|pwd)\s*=\s*(?P<secret>[^;\"'\s]+)\s*;"),
        "Password=*** in connection string",
    ),
    Rule(
        "assignment",
        re.compile(rf"(?i)\b(?P<key>{SECRET_KEY})\b[\"']?\s*[:=]\s*[\"'](?P<secret>[^\"'\s]{{6,}})[\"']"),
        "{key}=***",
    ),
    Rule(
        "config_value",
        re.compile(rf"(?i)^\s*(?:export\s+)?(?P<key>{SECRET_KEY})\s*[:=]\s*(?P<secret>[^\s\"'#]{{6,}})\s*$"),
        "{key}=***",
        config_only=True,
    ),
)


@dataclass(frozen=True)
class Leak:
    path: str
    line: int
    rule: str
    snippet: str  # redacted


def _real(secret: str, rule: Rule, rest: str) -> bool:
    """Whether a matched value is a real credential, not a marker, placeholder, name or plain word."""
    if rule.id == "private_key":
        return bool(PEM_BODY.match(rest))  # a key body follows, not just the BEGIN marker
    if is_placeholder(secret) or "{" in secret or SEQUENCE.search(secret):
        return False
    if VERSION_SPEC.match(secret) or FORMAT_VERB.match(secret):
        return False
    if rule.id in FORMATTED:
        return True  # provider formats (AKIA..., ghp_..., sk-...) are credentials by shape
    classes = sum(bool(re.search(c, secret)) for c in ("[a-z]", "[A-Z]", "[0-9]", r"[^\w.\-/]"))
    return classes >= 2 and not (ENV_NAME.match(secret) or WORDY.search(secret) or "/" in secret)


def scan_text(path: str, text: str) -> list[Leak]:
    """Leaks in one file; only lines holding a hint (one lower-case pass) are checked against the rules."""
    name = file_name(path).lower()
    config = name.startswith(".env") or name.endswith(CONFIG_SUFFIXES)
    rules = [r for r in RULES if config or not r.config_only]
    spans: list[tuple[int, int]] | None = None
    out: list[Leak] = []
    lower, pos = text.lower(), 0
    while (hint := HINT.search(lower, pos)) is not None:  # one search per line holding a hint: linear
        start = text.rfind("\n", 0, hint.start()) + 1
        end = text.find("\n", hint.start())
        pos = end + 1 if end >= 0 else len(text)
        line = text[start : end if end >= 0 else len(text)]
        if COMMENT_LINE.match(line) or len(line) > 2000:
            continue
        for rule in rules:
            m = rule.regex.search(line)
            key = (m.groupdict().get("key") or "") if m else ""
            if m and not NOT_SECRET_KEY.search(key) and _real(m.group("secret"), rule, text[start + m.end() :][:200]):
                if path.endswith((".py", ".ipynb")):
                    spans = doc_spans(text) if spans is None else spans
                    if in_spans(spans, start + m.start()):
                        break  # documentation, not configuration
                out.append(Leak(path, text.count("\n", 0, start) + 1, rule.id, rule.label.format(key=key.lower())))
                break  # one finding per line
    return out


def leaks(index: RepoIndex) -> tuple[list[Leak], int]:
    """Leaks in the org's own code and config, and the number seen in test files and CI-only config."""
    found: list[Leak] = []
    in_tests = 0
    for path in index.paths(kinds={CODE, TEST}):
        if TEMPLATE_FILE.search(file_name(path)):
            continue
        text = source_of(index, path)
        if not text:
            continue
        items = scan_text(path, text)
        if index.kind(path) == TEST or CI_FILE.search(path):
            in_tests += len(items)
        else:
            found += items
    return found, in_tests


@probe(
    "repo.data.credentials",
    summary="Credentials written into code or config: passwords in connection strings, access keys, tokens, "
    "committed .env values (counts and redacted locations only).",
    emits=(SIGNAL,),
    remediation="Move secrets to a secret store or CI secrets, rotate the exposed ones, and read them from the "
    "environment.",
    evidence=("file",),
)
def inline_credentials(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (SIGNAL,))
    found, in_tests = leaks(index)
    values = {"ignored_in_tests": in_tests}
    if not found:
        return [miss(views, SIGNAL, "No credentials written into code or config (placeholders aside)", values=values)]
    by_rule = Counter(leak.rule for leak in found)
    files = {leak.path for leak in found}
    locs: list[Location] = [loc(index, leak.path, leak.line, leak.snippet) for leak in found]
    return [
        hit(
            views,
            SIGNAL,
            locs,
            f"{len(found)} credential(s) written into {len(files)} file(s)",
            values={"count": len(found), "files": len(files), "by_rule": dict(sorted(by_rule.items())), **values},
        )
    ]
