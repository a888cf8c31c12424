"""Jenkins: `Jenkinsfile*` anywhere, read best effort with regexes over the Groovy text (never run).

Each `stage('name') { ... }` is a job (nested stages wait with their parent; top-level stages run in
order); `sh`/`bat`/`powershell` calls are steps; `input` is a manual gate; `when { branch / tag /
buildingTag() / changeRequest() / triggeredBy }` narrows a stage's triggers. The pipeline is assumed
to run on pushes (multibranch/SCM); `triggers { cron / pollSCM / upstream }` add schedule and upstream
triggers. Steps in `catchError(buildResult: 'SUCCESS')` or `warnError` blocks, or with
`returnStatus: true`, can fail silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.facts.ci._util import stamp
from scanner.facts.ci.model import (
    MANUAL,
    PULL_REQUEST,
    PUSH,
    SCHEDULE,
    TAG,
    WORKFLOW_RUN,
    Job,
    ParseError,
    Pipeline,
    Step,
    Trigger,
)
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "jenkins"
GLOBS = ("**/Jenkinsfile*", "**/*.jenkinsfile", "**/*.Jenkinsfile")
_STAGE = re.compile(r"\bstage\s*\(\s*(['\"])(.+?)\1\s*\)\s*\{")
_SHELL = re.compile(
    r"\b(sh|bat|powershell|pwsh)\s*\(?\s*(?:script\s*:\s*)?('''|\"\"\"|'|\")(.*?)\2(?=([^\n]{0,80}))", re.DOTALL
)
_INPUT = re.compile(r"(?:^|[;{])\s*input\s*(\(|\{|message\s*:|id\s*:|['\"])", re.MULTILINE)
_WHEN = re.compile(r"\bwhen\s*\{")
_CRON = re.compile(r"\bcron\s*\(\s*(['\"])(.+?)\1")
_UPSTREAM = re.compile(r"\bupstream\s*\(\s*(?:upstreamProjects\s*:\s*)?(['\"])(.+?)\1")
_MASK_BLOCK = re.compile(
    r"\b(?:catchError\s*\([^)]*buildResult\s*:\s*['\"]SUCCESS['\"][^)]*\)|warnError\s*\([^)]*\))"
    r"\s*\{"
)


@dataclass
class _Block:
    name: str
    start: int  # position of `{`
    end: int  # position of the matching `}`
    line: int


def parse(index: RepoIndex, path: str) -> tuple[Pipeline | None, list[ParseError]]:
    raw = index.text(path)
    if raw is None:
        return None, [ParseError(path, None, "Jenkinsfile not readable")]
    text = _strip_comments(raw)
    stages = []
    for m in _STAGE.finditer(text):
        end = _match_brace(text, m.end() - 1)
        if end is None:
            return None, [ParseError(path, _line(text, m.start()), f"unbalanced braces in stage {m.group(2)!r}")]
        stages.append(_Block(m.group(2), m.end() - 1, end, _line(text, m.start())))
    masked = [(m.end() - 1, _match_brace(text, m.end() - 1) or len(text)) for m in _MASK_BLOCK.finditer(text)]
    triggers = stamp(_triggers(text), path)
    steps_by_stage: dict[int, list[Step]] = {}
    for m in _SHELL.finditer(text):
        owner = _innermost(stages, m.start())
        body = m.group(3)
        start = m.start(3) + (1 if body.startswith("\n") else 0)
        can_fail = "returnStatus" in m.group(4) or any(a < m.start() < b for a, b in masked)
        steps_by_stage.setdefault(owner, []).append(
            Step(
                name=m.group(1),
                path=path,
                line=_line(text, m.start()),
                run=body.strip("\n"),
                can_fail=can_fail,
                run_line=_line(text, start),
            )
        )
    jobs = _jobs(path, text, stages, steps_by_stage, triggers)
    return Pipeline(path, SYSTEM, path, triggers, tuple(jobs), line=1), []


def _jobs(
    path: str, text: str, stages: list[_Block], steps: dict[int, list[Step]], triggers: tuple[Trigger, ...]
) -> list[Job]:
    jobs = []
    previous: tuple[str, ...] = ()
    parents = {i: _innermost(stages[:i], stages[i].start) for i in range(len(stages))}
    needs_of: dict[int, tuple[str, ...]] = {}
    if steps.get(-1):
        jobs.append(Job("(outside stages)", "(outside stages)", steps[-1][0].line, path, tuple(steps[-1])))
    for i, block in enumerate(stages):
        parent = parents[i]
        if parent == -1:
            needs_of[i] = previous
            previous = (block.name,)
        else:
            needs_of[i] = needs_of.get(parent, ())
        body = _own_body(text, block, stages)
        jobs.append(
            Job(
                id=block.name,
                name=block.name,
                line=block.line,
                path=path,
                steps=tuple(steps.get(i, [])),
                needs=needs_of[i],
                manual_gate=bool(_INPUT.search(body)),
                triggers=_when(body, triggers, block.line, path),
            )
        )
    return jobs


def _own_body(text: str, block: _Block, stages: list[_Block]) -> str:
    """The stage's text without the bodies of stages nested in it."""
    parts, pos = [], block.start
    for other in stages:
        if block.start < other.start < block.end and other.start >= pos:
            parts.append(text[pos : other.start])
            pos = other.end
    parts.append(text[pos : block.end])
    return "".join(parts)


def _when(body: str, base: tuple[Trigger, ...], line: int, path: str) -> tuple[Trigger, ...] | None:
    found = _when_triggers(body, base, line)
    return stamp(found, path) if found is not None else None


def _when_triggers(body: str, base: tuple[Trigger, ...], line: int) -> tuple[Trigger, ...] | None:
    m = _WHEN.search(body)
    if m is None:
        return None
    end = _match_brace(body, m.end() - 1) or len(body)
    when = body[m.end() : end]
    if re.search(r"\b(anyOf|not|expression)\b", when):
        return None
    if re.search(r"\bbuildingTag\s*\(|\btag\s+(['\"]|pattern\s*:)", when):
        return (Trigger(TAG, line=line, event="tag", detail=when.strip()),)
    if re.search(r"\bchangeRequest\s*\(", when):
        return (Trigger(PULL_REQUEST, line=line, event="changeRequest"),)
    if "TimerTrigger" in when:
        return (Trigger(SCHEDULE, line=line, event="TimerTrigger"),)
    if "UserIdCause" in when:
        return (Trigger(MANUAL, line=line, event="UserIdCause"),)
    bm = re.search(r"\bbranch\s+(?:pattern\s*:\s*)?(['\"])(.+?)\1", when)
    if bm:
        return tuple(
            Trigger(PUSH, branches=(bm.group(2),), line=line, event="push") if t.kind == PUSH else t
            for t in base
            if t.kind in (PUSH, MANUAL, SCHEDULE)
        )
    return None


def _triggers(text: str) -> tuple[Trigger, ...]:
    out = [Trigger(PUSH, line=1, event="scm", detail="assumed: multibranch or SCM-triggered job")]
    for m in _CRON.finditer(text):
        out.append(Trigger(SCHEDULE, line=_line(text, m.start()), event="cron", detail=m.group(2)))
    for m in _UPSTREAM.finditer(text):
        out.append(
            Trigger(
                WORKFLOW_RUN,
                line=_line(text, m.start()),
                event="upstream",
                workflows=tuple(s.strip() for s in m.group(2).split(",")),
            )
        )
    return tuple(out)


def _innermost(stages: list[_Block], pos: int) -> int:
    best = -1
    for i, block in enumerate(stages):
        if block.start < pos < block.end and (best == -1 or block.start > stages[best].start):
            best = i
    return best


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _strip_comments(text: str) -> str:
    """Blank out // and /* */ comments (keeping newlines so lines stay right), not inside strings."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith(("'''", '"""'), i):
            end = text.find(text[i : i + 3], i + 3)
            end = n if end == -1 else end + 3
            out.append(text[i:end])
            i = end
        elif text[i] in "'\"":
            end = _string_end(text, i)
            out.append(text[i:end])
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end == -1 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end == -1 else end + 2
            out.append("".join(c if c == "\n" else " " for c in text[i:end]))
            i = end
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _string_end(text: str, i: int) -> int:
    quote, j = text[i], i + 1
    while j < len(text) and text[j] != quote and text[j] != "\n":
        j += 2 if text[j] == "\\" else 1
    return min(j + 1, len(text))


def _match_brace(text: str, open_pos: int) -> int | None:
    depth, i, n = 0, open_pos, len(text)
    while i < n:
        c = text[i]
        if text.startswith(("'''", '"""'), i):
            end = text.find(text[i : i + 3], i + 3)
            i = n if end == -1 else end + 3
            continue
        if c in "'\"":
            i = _string_end(text, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


PLUGIN = CISystem(name=SYSTEM, globs=GLOBS, parse=parse)
