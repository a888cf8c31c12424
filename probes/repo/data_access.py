"""How access is requested and served: access-as-code with reviewers, and dataset-specific interfaces.

repo.access_requests_gitops: files under `access/`, `grants/`, `permissions/`, `entitlements/` or
`rbac/` that list principals per dataset or role, approved through CODEOWNERS (a catch-all `*` rule or
no rule gives low confidence: reviews may still be enforced by branch protection, which a repo alone
cannot show).
repo.dataset_interfaces: secure views (`CREATE SECURE VIEW`, dbt `secure: true`), or dbt models with
`access: public` next to private/protected ones, so consumers get curated interfaces. Per-dataset API
services are not detected.
"""

from __future__ import annotations

import re

from probes.repo._data import codeowners, grep_code, hit_locs, owner_of, unavailable_all
from probes.repo.data_dbt_config import effective, model_names
from probes.repo.data_dbt_files import collect_dbt
from scanner.facts.paths import CODE, path_parts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

GITOPS, INTERFACES = "repo.access_requests_gitops", "repo.dataset_interfaces"
ACCESS_DIRS = frozenset(
    {"access", "grants", "permissions", "entitlements", "rbac", "access-requests", "access_requests"}
)
ACCESS_SUFFIXES = (".yml", ".yaml", ".json", ".tf", ".tfvars", ".hcl")
PRINCIPALS = re.compile(
    r"(?im)^\s*[\"']?(members|principals?|users|groups|grantees|readers|writers|owners|approvers|roles)[\"']?\s*[:=]|"
    r"\b(user|group):[\w.-]+@|[\w.+-]+@[\w-]+\.[a-z]{2,}"
)
SECURE_VIEW = re.compile(r"(?i)\bcreate\s+(?:or\s+replace\s+)?secure\s+(?:materialized\s+)?view\b")


def access_files(index: RepoIndex) -> list[tuple[str, int]]:
    """(path, line of the first principal) for access-as-code files."""
    out = []
    for path in index.by_suffix(*ACCESS_SUFFIXES):
        dirs = {d.lower() for d in path_parts(path)[:-1]}
        text = index.text(path) or ""
        m = PRINCIPALS.search(text) if dirs & ACCESS_DIRS else None
        if m:
            out.append((path, text.count("\n", 0, m.start()) + 1))
    return out


def _gitops(views: Views, index: RepoIndex) -> Finding:
    files = access_files(index)
    if not files:
        return miss(views, GITOPS, "No access-as-code files (access/, grants/, permissions/ listing principals)")
    rules = codeowners(index)
    owned = [(p, ln, r) for p, ln in files if (r := owner_of(rules, p)) is not None]
    specific = [(p, ln, r) for p, ln, r in owned if not r.catch_all]
    locs: list[Location] = [index.location(p, ln, "principals listed") for p, ln in files]
    locs += [index.location(r.path, r.line, f"{r.pattern} {' '.join(r.owners)}") for _, _, r in specific[:5]]
    values = {"count": len(files), "with_codeowners": len(specific)}
    if specific:
        return hit(views, GITOPS, locs, f"{len(files)} access-as-code file(s) with CODEOWNERS approvers", values=values)
    why = "only a catch-all CODEOWNERS rule" if owned else "no CODEOWNERS approvers"
    return hit(views, GITOPS, locs, f"{len(files)} access-as-code file(s), {why}", confidence="low", values=values)


def interfaces(index: RepoIndex) -> tuple[list[Location], dict[str, int]]:
    paths = index.by_suffix(".sql", ".py", ".ipynb", kinds={CODE})
    locs = hit_locs(index, grep_code(index, SECURE_VIEW, paths, words=("secure",)))
    facts = collect_dbt(index)
    public: list[Location] = []
    restricted = 0  # private/protected, explicitly or by dbt's default (protected)
    for model in model_names(facts):
        value, path, line = effective(facts, model, "access")
        if str(value).lower() == "public" and path:
            public.append(index.location(path, line, f"{model}: access public"))
        else:
            restricted += 1
        secure, where, at = effective(facts, model, "secure")
        if secure in (True, "true") and where:
            locs.append(index.location(where, at, f"{model}: secure view"))
    if restricted:
        locs += public
    return locs, {"public": len(public), "restricted": restricted}


@probe(
    "repo.data.access",
    summary="Access requests as reviewed code (access-as-code plus CODEOWNERS), and dataset-specific interfaces "
    "(secure views, public dbt models).",
    emits=(GITOPS, INTERFACES),
    remediation="Request access through reviewed changes to access-as-code files, and expose datasets through secure "
    "views or public dbt models only.",
    evidence=("file",),
)
def access(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (GITOPS, INTERFACES))
    locs, counts = interfaces(index)
    return [
        _gitops(views, index),
        hit(
            views,
            INTERFACES,
            locs,
            f"{len(locs)} dataset interface(s): secure views or public dbt models",
            values={"count": len(locs), "dbt_access": counts},
        )
        if locs
        else miss(
            views,
            INTERFACES,
            "No secure views or public dbt models next to private ones",
            values={"dbt_access": counts},
        ),
    ]
