"""LLM judges written by hand or on eval frameworks' base classes, in-house wrappers of LLM SDKs, and
judges that run online on production answers (Monitoring in docs/model.md).

An in-house class or function that wraps an LLM SDK is treated as the SDK: a file calling it (directly or
through up to four wrappers) calls an LLM. A hand-written judge is such a file that is named as a judge
or an evaluation and reads a score or a verdict out of the answer. A judge runs online when a background
job of the app (a Rails job, a Celery/RQ task, a worker) invokes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from probes.repo._llm import CODE, Ev, index_of, weigh, where
from probes.repo.llm_rbscan import RB_SUFFIXES
from probes.repo.llm_scan import scan
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import probe
from scanner.views import Views

HOPS = 4
RB_DEFINES = re.compile(
    r"^\s{0,12}(class|module)\s+((?:[A-Z]\w{0,60}::){0,4}([A-Z]\w{2,60}))(\s*<\s*[\w:]{1,80})?", re.M
)
JUDGE_NAME = re.compile(
    r"(?i)judge|grader|grading|faithful|groundedness|coherence|hallucinat|evaluator|auto_?eval|llm_?eval|rubric"
    r"|(?:^|/)evals?/(?:[\w-]{1,60}/){0,3}[\w-]{0,40}metric"  # metrics modules of an eval package
)
SCORE = re.compile(r"\b(?:score|scores|verdict|verdicts|grade|rating)\b")
JOB_PATH = re.compile(r"(?i)(?:^|/)(?:jobs|workers|tasks|background)/|_job\.rb$|_worker\.(?:rb|py)$|(?:^|/)tasks\.py$")
JOB_TEXT = re.compile(r"\b(?:perform_later|perform_async|apply_async|ActiveJob::Base|Sidekiq::Job|shared_task)\b")
# Base classes and decorators that make a class or function an LLM judge in an eval framework.
FRAMEWORK_BASES = frozenset({"BaseMetric", "BaseConversationalMetric", "MetricWithLLM", "SingleTurnMetric", "Scorer"})
FRAMEWORK_ROOTS = ("deepeval", "ragas", "mlflow.genai", "inspect_ai")
SCORER_DECORATORS = ("mlflow.genai.scorer", "mlflow.genai.scorers.scorer", "inspect_ai.scorer.scorer")


def _rb_names(text: str) -> set[str]:
    """Classes (and modules of class-less files) a Ruby file defines; error classes are not wrappers."""
    found = [(m.group(1), m.group(3), m.group(4) or "") for m in RB_DEFINES.finditer(text)]
    classes = {n for kind, n, base in found if kind == "class" and not re.search(r"Error|Exception", n + base)}
    return classes or {n for kind, n, _ in found if kind == "module"}


def _py_module(path: str) -> str:
    return ".".join(PurePosixPath(path).with_suffix("").parts).removesuffix(".__init__")


def llm_callers(index: RepoIndex) -> dict[str, int]:
    """Files that call an LLM: 0 for a direct SDK call, n for a call through n in-house wrappers."""
    return index.derived("llm:callers", lambda: _callers(index))


def _callers(index: RepoIndex) -> dict[str, int]:
    hops = {f.path: 0 for f in scan(index).of() if f.generation}
    ruby = [p for p in index.by_suffix(*RB_SUFFIXES) if index.text(p) is not None]
    python = index.python_files(notebooks=False)
    frontier = set(hops)
    for hop in range(1, HOPS + 1):
        found = {p for p in rb_users(index, frontier, ruby) if p not in hops}
        found |= {p for p in _py_users(index, frontier, python) if p not in hops}
        for path in found:
            hops[path] = hop
        frontier = found
        if not frontier:
            break
    return hops


def rb_users(index: RepoIndex, defining: Iterable[str], ruby: list[str]) -> dict[str, re.Match[str]]:
    """Ruby files naming a class that one of the `defining` files declares (first reference)."""
    names = {n for p in defining if p.endswith(RB_SUFFIXES) for n in _rb_names(index.text(p) or "")}
    if not names:
        return {}
    uses = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")(?:\.|::)")
    out = {}
    for path in ruby:
        m = uses.search(index.text(path) or "")
        if m:
            out[path] = m
    return out


def _py_users(index: RepoIndex, defining: Iterable[str], python: list[str]) -> set[str]:
    """Python modules importing a class or function that one of the `defining` modules declares."""
    exported: dict[str, set[str]] = {}  # module name and its dotted suffixes (2+ parts) -> names defined
    for path in defining:
        facts = index.python(path) if path.endswith(".py") else None
        if facts is None:
            continue
        names = set(facts.functions) | {c[0] for c in facts.classes}
        parts = _py_module(path).split(".")
        for i in range(max(len(parts) - 1, 1)):
            exported.setdefault(".".join(parts[i:]), set()).update(names)
    if not exported:
        return set()
    out = set()
    for path in python:
        facts = index.python(path)
        if facts is not None and any(
            member in exported.get(module, ()) for module, _, member in (n.rpartition(".") for n in facts.imports)
        ):
            out.add(path)
    return out


def py_importers(index: RepoIndex, modules: list[str], importers: list[str]) -> dict[str, str]:
    """Module -> the first of `importers` that imports it (or a name from it)."""
    by_name = {_py_module(m): m for m in modules}
    suffixes: dict[str, str] = {}
    for dotted, path in by_name.items():
        parts = dotted.split(".")
        for i in range(max(len(parts) - 1, 1)):
            suffixes.setdefault(".".join(parts[i:]), path)
    out: dict[str, str] = {}
    for importer in importers:
        facts = index.python(importer) if importer.endswith(".py") else None
        for name in facts.imports if facts else ():
            module = suffixes.get(name) or suffixes.get(name.rpartition(".")[0])
            if module and module != importer:
                out.setdefault(module, importer)
    return out


def hand_judges(index: RepoIndex) -> list[Ev]:
    """Judges written by hand: LLM-calling files named as judges/evaluations that read a score or verdict."""
    out = []
    for path in llm_callers(index):
        text = index.text(path) or ""
        if path.endswith(".ipynb") or not JUDGE_NAME.search(path + "\n" + _names(index, path)):
            continue
        m = SCORE.search(text)
        if m:
            out.append(Ev(path, text.count("\n", 0, m.start()) + 1, "hand-written LLM judge", where(index, path)))
    return out


def _names(index: RepoIndex, path: str) -> str:
    if path.endswith(RB_SUFFIXES):
        return " ".join(_rb_names(index.text(path) or ""))
    facts = index.python(path)
    return " ".join(c[0] for c in facts.classes) if facts else ""


def framework_judges(facts: PyFacts) -> Iterable[tuple[int, str]]:
    """Judges built on eval frameworks' base classes or scorer decorators."""
    if facts.imported(*FRAMEWORK_ROOTS) is None:
        return
    for name, bases, line in facts.classes:
        if any(b.rsplit(".", 1)[-1] in FRAMEWORK_BASES for b in bases):
            yield line, f"class {name}({', '.join(bases)})"
    for name, line in facts.decorators:
        if name in SCORER_DECORATORS or name.endswith((".scorer", "scorers.scorer")) or name == "scorer":
            yield line, "@" + name


@probe(
    "code.llm.online_judges",
    summary="LLM judges run online on production answers: a background job of the app (Rails job, Celery/RQ "
    "task, worker) invokes a judge (hand-written or framework-based) on each answer.",
    remediation="Score a sample of production answers with LLM judges in a background job and alert on the scores.",
    evidence=("file",),
)
def online_judges(views: Views) -> list[Finding]:
    index = index_of(views)
    judges = [e for e in hand_judges(index) if e.where == CODE]
    judge_paths = {e.path for e in judges}
    callers = [p for p in llm_callers(index) if p not in judge_paths and where(index, p) == CODE]
    jobs = [p for p in callers if JOB_PATH.search(p) or JOB_TEXT.search(index.text(p) or "")]
    evs: list[Ev] = []
    for path, m in rb_users(index, judge_paths, [p for p in jobs if p.endswith(RB_SUFFIXES)]).items():
        line = (index.text(path) or "").count("\n", 0, m.start()) + 1
        evs.append(Ev(path, line, f"job runs judge {m.group(0).rstrip('.:')}", CODE))
    py_jobs = [p for p in jobs if p.endswith(".py")]
    evs += [Ev(p, None, "job runs an LLM judge", CODE) for p in sorted(_py_users(index, judge_paths, py_jobs))]
    return [
        weigh(
            views,
            "code.llm.online_judges",
            evs,
            "LLM judges run by background jobs on production answers",
            "No LLM judge runs online (no background job invokes one)",
            values={"hand_written_judges": len(judges)},
        )
    ]
