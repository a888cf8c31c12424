"""Sensitivity rules: classification policy docs, and row-access, masking and aggregation policies in
SQL or IaC.

A policy that is created but attached to no table or column is config present, feature off (docs/model.md):
it is reported as false with the number defined. Statements are read from the org's own SQL, Python,
notebooks, dbt YAML (hooks), shell and Terraform; comment-only lines are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from probes.repo._data import OWN_KINDS, Hit, grep_code, hit_locs, unavailable_all
from scanner.facts.paths import CODE
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import hit, miss, probe
from scanner.views import Views

DOC, ROWS, MASKS, AGG = (
    "repo.data_classification_doc",
    "repo.sql.row_access_policy",
    "repo.sql.masking_policy",
    "repo.sql.aggregation_policy",
)
SIGNALS = (DOC, ROWS, MASKS, AGG)
POLICY_SUFFIXES = (".sql", ".py", ".ipynb", ".tf", ".yml", ".yaml", ".sh", ".scala")
POLICY_WORDS = ("policy", "filter", "mask", "security", "differential_privacy", "aggregation_threshold")

# What puts a policy on data ("attached") and what only declares one ("defined"), per signal. Order matters:
# a statement is classified by the first rule that accepts it, so attached forms come first.
RULES: dict[tuple[str, str], re.Pattern[str]] = {
    (ROWS, "attached"): re.compile(
        r"\b(?:add|with)\s+row\s+access\s+policy\b|\bset\s+row\s+filter\b|\bwith\s+row\s+filter\b|"
        r"\bcreate\s+(?:or\s+replace\s+)?row\s+access\s+policy\s+(?:if\s+not\s+exists\s+)?[\w.`\"]+\s+on\s|"
        r"\"aws_lakeformation_data_cells_filter\"|^\s*row_access_policy\s*\{",
        re.I | re.M,
    ),
    (MASKS, "attached"): re.compile(
        r"\b(?:set|with)\s+masking\s+policy\b|\bset\s+mask\s+[\w.`]+|\"snowflake_tag_masking_policy_association\"|"
        r"\bsecurity\s+label\s+for\s+anon\s+on\s+column\b|^\s*masking_policy\s*=",
        re.I | re.M,
    ),
    (AGG, "attached"): re.compile(
        r"\bset\s+aggregation\s+policy\b|\bwith\s+differential_privacy\b|\bwith\s+aggregation_threshold\b|"
        r"aggregation_threshold_policy",
        re.I,
    ),
    (ROWS, "defined"): re.compile(
        r"\bcreate\s+(?:or\s+replace\s+)?row\s+access\s+policy\b|\bresource\s+\"snowflake_row_access_policy\"", re.I
    ),
    (MASKS, "defined"): re.compile(
        r"\bcreate\s+(?:or\s+replace\s+)?masking\s+policy\b|\bresource\s+\"snowflake_masking_policy\"", re.I
    ),
    (AGG, "defined"): re.compile(r"\bcreate\s+(?:or\s+replace\s+)?aggregation\s+policy\b", re.I),
    ("postgres", "enable"): re.compile(r"\benable\s+row\s+level\s+security\b", re.I),
    ("postgres", "policy"): re.compile(r"\bcreate\s+policy\s+\w+\s+on\s", re.I),
}
ANY_RULE = re.compile("|".join(f"(?:{r.pattern})" for r in RULES.values()), re.I | re.M)
LEVELS = re.compile(r"(?i)\b(public|internal|confidential|restricted|secret|sensitive)\b")
PII_WORDS = re.compile(r"(?i)\bPII\b|personal(ly identifiable)?\s+(data|information)|\bGDPR\b")
POLICY_NAME = re.compile(r"(?i)classif|sensitiv|privacy|governance|policy|policies")


def classification_docs(index: RepoIndex) -> list[tuple[str, int, bool]]:
    """(path, line, dedicated) for prose defining a classification scheme with PII; or sqlfluff rules
    enforcing a `pii_` naming convention."""
    out = []
    for path in index.by_suffix(".md", ".rst", ".adoc", ".txt", kinds=OWN_KINDS):
        text = index.text(path) or ""
        m = re.search(r"(?i)classif", text)
        levels = {w.lower() for w in LEVELS.findall(text)}
        if m and len(levels) >= 3 and PII_WORDS.search(text):
            out.append((path, text.count("\n", 0, m.start()) + 1, bool(POLICY_NAME.search(PurePosixPath(path).name))))
    for path in index.by_name(".sqlfluff", "setup.cfg", "tox.ini", "pyproject.toml"):
        text = index.text(path) or ""
        if "sqlfluff" in text and "pii_" in text:
            out.append((path, text.count("\n", 0, text.find("pii_")) + 1, False))
    return out


def policy_hits(index: RepoIndex) -> dict[tuple[str, str], list[Hit]]:
    """Policy statements in the org's own SQL, code and IaC, by (signal, attached|defined), in one pass."""
    paths = index.by_suffix(*POLICY_SUFFIXES, kinds={CODE})
    out: dict[tuple[str, str], list[Hit]] = {key: [] for key in RULES}
    for h in grep_code(index, ANY_RULE, paths, words=POLICY_WORDS):
        key = next((k for k, rule in RULES.items() if rule.search(h.match)), None)
        if key is not None:
            out[key].append(h)
    if out["postgres", "enable"] and out["postgres", "policy"]:  # Postgres RLS needs both statements
        out[ROWS, "attached"] += out["postgres", "enable"] + out["postgres", "policy"]
    for signal in (ROWS, MASKS, AGG):
        out[signal, "attached"] += hooked(index, out[signal, "defined"])
    return out


MACRO = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\(")
HOOK = re.compile(r"\b(?:post|pre)[-_]hook\b[^\n]{0,300}")


def hooked(index: RepoIndex, defined: list[Hit]) -> list[Hit]:
    """Policies defined in dbt macros that a model or project runs as a pre/post hook: the hook puts the
    policy on the model's table each build. A macro nobody hooks stays a definition."""
    names: set[str] = set()
    for path in {h.path for h in defined if h.path.endswith(".sql")}:
        names.update(MACRO.findall(index.text(path) or ""))
    if not names:
        return []
    calls = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")\s*\(")
    out: list[Hit] = []
    for path in index.by_suffix(".sql", ".yml", ".yaml", kinds={CODE}):
        if path in {h.path for h in defined}:
            continue
        text = index.text(path) or ""
        if "hook" not in text:
            continue
        for m in HOOK.finditer(text):
            window = text[m.start() : m.end() + 200]
            if calls.search(window):
                line = text.count("\n", 0, m.start()) + 1
                out.append(Hit(path, line, text[m.start() : m.end()].strip()[:200], m.group(0)[:200]))
                break
    return out


def _policy_finding(views: Views, signal: str, what: str, defined: list[Hit], attached: Iterable[Hit]) -> Finding:
    assert views.repo is not None
    attached = list(attached)
    if attached:
        return hit(
            views,
            signal,
            hit_locs(views.repo, attached + defined),
            f"{what.capitalize()} applied to data in {len({h.path for h in attached})} file(s)",
            values={"count": len(attached), "defined": len(defined)},
        )
    if defined:
        return miss(
            views,
            signal,
            f"{len(defined)} {what} definition(s), attached to no table or column",
            values={"defined": len(defined)},
            locations=hit_locs(views.repo, defined),
        )
    return miss(views, signal, f"No {what} in SQL or IaC")


@probe(
    "repo.data.sensitivity",
    summary="Data classification policy docs, and row-access, masking and aggregation policies applied in SQL/IaC.",
    emits=SIGNALS,
    remediation="Write down the classification scheme, then enforce it with row access, masking and aggregation "
    "policies on the sensitive tables.",
    evidence=("file",),
)
def sensitivity(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, SIGNALS)
    docs = classification_docs(index)
    out = [
        hit(
            views,
            DOC,
            [index.location(p, ln, "classification scheme") for p, ln, _ in docs],
            f"Data classification scheme written down in {len(docs)} file(s)",
            confidence="medium" if any(d for *_, d in docs) else "low",
        )
        if docs
        else miss(views, DOC, "No data classification policy doc or enforced pii_ naming convention")
    ]
    found = policy_hits(index)
    for signal, what in ((ROWS, "row access policy"), (MASKS, "masking policy"), (AGG, "aggregation policy")):
        out.append(_policy_finding(views, signal, what, found[signal, "defined"], found[signal, "attached"]))
    return out
