"""PII screening in application code: inputs or records are checked for personal data and rejected or
redacted before they are stored or sent on.

code.pii_screening: a PII library is called (Presidio analyzer/anonymizer, scrubadub, LLM Guard's
Anonymize scanner), or the repo defines a PII validator/redactor (`PiiValidator`, `redact_pii`,
`contains_pii`...) and calls it from another file of its own code. Tests, examples and docs do not
count, and a definition nobody calls is intent, not practice.
"""

from __future__ import annotations

import re

from probes.repo._data import unavailable_all
from scanner.facts.paths import CODE
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

PII = "code.pii_screening"
LIBRARIES = ("presidio_analyzer", "presidio_anonymizer", "scrubadub", "llm_guard.input_scanners.Anonymize")
SUFFIXES = (".py", ".rb", ".ts", ".js", ".java", ".go", ".kt", ".scala")
DEFINITION = re.compile(
    r"(?im)^\s*(?:export\s+)?(?:def|class|module|function|const|func|public\s+class)\s+"
    r"(\w{0,40}(?:pii|personal_?data)\w{0,40})"
)
ACTION = re.compile(r"(?i)valid|detect|filter|redact|scrub|mask|anonymi|screen|check|contains|guard|strip|remove")


def pii_screening(index: RepoIndex) -> list[Location]:
    out: list[Location] = []
    for path in index.python_files(notebooks=False, kinds={CODE}):
        facts = index.python(path)
        calls = facts.calls_under(*LIBRARIES) if facts is not None else []
        if calls:
            out.append(index.location(path, calls[0].line, f"{calls[0].name}(...)"))
    paths = index.by_suffix(*SUFFIXES, kinds={CODE})
    texts = {p: index.text(p) or "" for p in paths if "pii" in (index.text(p) or "").lower()}
    for path, text in texts.items():
        for m in DEFINITION.finditer(text):
            name = m.group(1)
            if not ACTION.search(name):
                continue
            used = re.compile(rf"\b{re.escape(name)}\b")
            callers = [p for p, t in texts.items() if p != path and used.search(t)]
            if callers:
                line = text.count("\n", 0, m.start()) + 1
                out.append(index.location(path, line, f"{name}, used in {callers[0]}"))
                break
    return out


@probe(
    "repo.data.pii",
    summary="PII screening in application code: inputs or records checked for personal data and rejected or "
    "redacted (Presidio, scrubadub, own PII validators in use).",
    emits=(PII,),
    remediation="Screen inputs and records for personal data before storing them, and write the rule down.",
    evidence=("file",),
)
def pii(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (PII,))
    found = pii_screening(index)
    if found:
        return [hit(views, PII, found, f"PII screening in {len(found)} place(s)", values={"count": len(found)})]
    return [miss(views, PII, "No PII detection, rejection or redaction in the repo's own code")]
