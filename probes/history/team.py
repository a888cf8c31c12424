"""Several people maintain the model or LLM code together, in the repository that also holds the rest of
the application: engineers see (and change) the model pipeline instead of receiving a model remotely."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from scanner.facts.history import Commit, History
from scanner.facts.paths import CODE
from scanner.facts.repo_index import RepoIndex
from scanner.facts.roles import is_boilerplate
from scanner.model import Finding
from scanner.probekit import hit, miss, not_applicable, probe
from scanner.views import Views

from ._common import commit_locations, missing_history, window_words
from ._files import FileClass, model_code_files, prompt_files

SIGNAL = "people.team.shared_model_code"
MIN_PEOPLE = 3  # distinct people, each with MIN_COMMITS commits on model/LLM code in the window
MIN_COMMITS = 2
MAX_TOP_SHARE = 0.8  # one person making more of these commits is a solo project with drive-by help
SOURCE_SUFFIXES = (".py", ".rb", ".ts", ".js", ".go", ".java", ".kt", ".scala", ".cs", ".rs")
# ML and LLM libraries named in source (imports, requires, client classes); bounded, word-delimited.
MODEL_LIBS = re.compile(
    r"\b(?:openai|anthropic|bedrock(?:runtime)?|langchain\w{0,20}|llama_index|litellm|vertexai|google\.genai"
    r"|torch|tensorflow|keras|sklearn|xgboost|lightgbm|catboost|transformers|onnxruntime|mlflow)\b",
    re.IGNORECASE,
)
# What every MODEL_LIBS match holds, in lower case: files with none of them are skipped unread by the regex.
MODEL_LIB_WORDS = tuple(
    "openai anthropic bedrock langchain llama_index litellm vertexai google.genai torch tensorflow keras sklearn "
    "xgboost lightgbm catboost transformers onnxruntime mlflow".split()
)
_NOT_LETTERS = re.compile(r"[^a-z]")


def model_and_llm_files(index: RepoIndex) -> FileClass:
    """Model, serving and training code, prompts, and own source files that use an ML or LLM library."""
    found = set(model_code_files(index).at_head) | set(prompt_files(index).at_head)
    sources = [p for p in index.paths(kinds={CODE}) if p.lower().endswith(SOURCE_SUFFIXES)]
    found |= {m.path for m in index.grep(MODEL_LIBS, sources, limit=100_000, words=MODEL_LIB_WORDS)}
    return FileClass("model and LLM code", model_code_files(index).globs, frozenset(found))


def people_of(history: History) -> dict[str, str]:
    """Identity key -> person: identities sharing a normalised name or e-mail user are one person."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for key, author in history.authors.items():
        labels = [f"key:{key}"]
        name = _NOT_LETTERS.sub("", author.name.lower())
        if len(name) >= 4:
            labels.append(f"name:{name}")
        user = _NOT_LETTERS.sub("", author.email.lower().split("@")[0].split("+")[-1])
        if len(user) >= 4:
            labels.append(f"user:{user}")
        for label in labels[1:]:
            parent[find(label)] = find(labels[0])
    return {key: find(f"key:{key}") for key in history.authors}


@probe(
    SIGNAL,
    summary="Several people (not bots, not one person's aliases) change the model or LLM code in the repository",
    needs=("repo", "history"),
    evidence=("commit", "file"),
    remediation="Share the model and LLM code between several people: reviews, pairing and rotation, so that it "
    "is not one person's code.",
)
def shared_model_code(views: Views) -> list[Finding]:
    history, index = views.history, views.repo
    if history is None or index is None:
        return missing_history(views, [SIGNAL])
    files = model_and_llm_files(index)
    touched = [(c, p) for c, p in history.touching(files) if not all(is_boilerplate(x) for x in p)]
    if not touched:
        return [not_applicable(views, SIGNAL, f"no commit on model or LLM code in {window_words(history)}")]
    person = people_of(history)
    per: Counter[str] = Counter()
    cited: dict[str, list[tuple[Commit, str | None]]] = defaultdict(list)
    for commit, paths in touched:
        who = person.get(commit.author, commit.author)
        per[who] += 1
        cited[who].append((commit, paths[0]))
    total = sum(per.values())
    regular = [p for p, n in per.items() if n >= MIN_COMMITS]
    top_share = round(per.most_common(1)[0][1] / total, 2)
    values = {"people": len(per), "regular_people": len(regular), "commits": total, "top_share": top_share}
    if len(regular) >= MIN_PEOPLE and top_share <= MAX_TOP_SHARE:
        locs = commit_locations(history, (item for p in regular for item in cited[p][:2]))
        msg = (
            f"{len(regular)} people made {MIN_COMMITS}+ commits each on model or LLM code in {window_words(history)}"
            f" (most active: {top_share:.0%} of {total})"
        )
        return [hit(views, SIGNAL, locs, msg, confidence="low", values={**values, "count": len(regular)})]
    msg = (
        f"{len(regular)} people with {MIN_COMMITS}+ commits on model or LLM code, the most active made"
        f" {top_share:.0%} of {total}: not a team maintaining it"
    )
    return [miss(views, SIGNAL, msg, confidence="low", values=values)]
