"""CODEOWNERS as GitHub reads it: lines GitHub rejects (unknown owners, bad patterns) own nothing."""

from __future__ import annotations

from scanner.model import Finding, Location
from scanner.probekit import hit, miss, need, not_applicable, probe
from scanner.views import Views

SIGNAL = "gh.codeowners.errors"
PLACES = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")


@probe(
    SIGNAL,
    summary="CODEOWNERS lines that GitHub reports as errors (unknown owners, invalid patterns)",
    needs=("github", "repo"),
    evidence=("api_object", "file"),
    remediation="Fix the CODEOWNERS lines GitHub reports as errors (unknown users or teams, invalid patterns), "
    "so that the rules take effect.",
)
def codeowners_errors(views: Views) -> list[Finding]:
    f, index = views.github, views.repo
    if f is None or index is None:
        return need(views, [SIGNAL], views, "github", "repo")
    path = next((p for p in PLACES if index.has(p)), None)
    if path is None:
        return [not_applicable(views, SIGNAL, "no CODEOWNERS file")]
    if gaps := need(views, [SIGNAL], f, "codeowners"):
        return gaps
    errors = f.codeowners_errors
    if not errors:
        return [miss(views, SIGNAL, f"GitHub reports no error in {path}", locations=[index.location(path)])]
    locs = [
        Location(path=str(e.get("path") or path), line=e.get("line"), commit=index.commit, snippet=e.get("message"))
        for e in errors
    ]
    kinds = sorted({str(e.get("kind")) for e in errors})
    msg = f"GitHub rejects {len(errors)} CODEOWNERS line(s) ({', '.join(kinds)}): those paths have no owner"
    return [hit(views, SIGNAL, locs, msg, values={"kinds": kinds})]
