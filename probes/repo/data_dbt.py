"""dbt governance: classification metadata, grants, contracts and tests in the repo's dbt projects.

Specification is not enforcement (docs/model.md): PII `meta` without narrower grants stays a convention; tests
that only warn, or grants to an all-users role, are reported as such.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from probes.repo._data import line_of, unavailable_all
from probes.repo.data_dbt_config import (
    effective,
    folder_configs,
    generic_tests,
    model_names,
    pii_marks,
    singular_tests,
)
from probes.repo.data_dbt_files import DbtFacts, collect_dbt
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

PII, GRANTS, PII_GRANTS = "dbt.meta.pii", "dbt.grants", "dbt.grants.pii_differentiated"
CONTRACTS, TESTS, MIN_GROUP = "dbt.contracts.enforced", "dbt.tests.present", "dbt.tests.min_group_size"
SIGNALS = (PII, GRANTS, PII_GRANTS, CONTRACTS, TESTS, MIN_GROUP)
PUBLIC = re.compile(r"^(public|all[_ ]?users|account users|everyone|allauthenticatedusers)$", re.IGNORECASE)
MIN_GROUP_SQL = re.compile(r"(?is)having\s+count\s*\(\s*(?:\*|distinct\s+[\w.]+|[\w.]+)\s*\)\s*<=?\s*(?:\d+|\{\{)")
MIN_GROUP_TEST = re.compile(r"min(imum)?_group|k_anon", re.IGNORECASE)
Grants = frozenset[tuple[str, str]]


def grant_pairs(value: Any) -> Grants:
    """{select: [a, b]} -> {(select, a), (select, b)}; templated values give an empty set."""
    pairs: set[tuple[str, str]] = set()
    for priv, grantees in (value or {}).items() if isinstance(value, dict) else ():
        for grantee in grantees if isinstance(grantees, list) else [grantees]:
            if grantee:
                pairs.add((str(priv).lstrip("+").lower(), str(grantee).lower()))
    return frozenset(pairs)


def grant_sites(index: RepoIndex, facts: DbtFacts) -> list[tuple[Location, Grants]]:
    sites = [
        (
            index.location(
                p.path, line, f"+grants {dict(sorted(value.items())) if isinstance(value, dict) else value}"
            ),
            grant_pairs(value),
        )
        for p in facts.projects
        for _, value, line in folder_configs(p, "grants")
    ]
    for entry in facts.section("models") + facts.section("seeds") + facts.section("snapshots"):
        if "grants" in entry.config():
            where = index.location(entry.path, entry.config_line("grants"), f"{entry.name}: grants")
            sites.append((where, grant_pairs(entry.config()["grants"])))
    for path, cfg in facts.model_configs.items():
        if "grants" in cfg:
            text = index.text(path) or ""
            sites.append(
                (
                    index.location(path, line_of(text, text.find("grants")), "config(grants=...)"),
                    grant_pairs(cfg["grants"]),
                )
            )
    return [(loc, pairs) for loc, pairs in sites if pairs]


def _pii_grants(views: Views, facts: DbtFacts, sensitive: set[str]) -> Finding:
    assert views.repo is not None
    models = model_names(facts)
    if not sensitive & set(models):
        return miss(views, PII_GRANTS, "No PII-tagged dbt models to compare grants for")
    eff = {m: effective(facts, m, "grants") for m in models}
    pairs = {m: grant_pairs(v) for m, (v, _, _) in eff.items()}
    others = Counter(pairs[m] for m in models if m not in sensitive)
    baseline = others.most_common(1)[0][0] if others else frozenset()
    narrower, public = [], []
    for m in sorted(sensitive & set(models)):
        granted = {g for _, g in pairs[m]}
        if any(PUBLIC.match(g) for g in granted):
            public.append(m)
        elif eff[m][0] is not None and pairs[m] != baseline and not granted > {g for _, g in baseline}:
            narrower.append(m)
    if narrower and not public:
        locs = [views.repo.location(eff[m][1] or "", eff[m][2] or None, f"{m}: {sorted(pairs[m])}") for m in narrower]
        return hit(
            views,
            PII_GRANTS,
            locs,
            f"{len(narrower)} of {len(sensitive & set(models))} PII-tagged model(s) get narrower grants than the rest",
            values={"count": len(narrower), "pii_models": len(sensitive & set(models))},
        )
    why = "PII-tagged models are granted like the other models"
    if public:
        why = f"PII-tagged model(s) granted to an all-users role: {', '.join(public[:5])}"
    return miss(views, PII_GRANTS, why, values={"pii_models": len(sensitive & set(models)), "public": len(public)})


@probe(
    "repo.data.dbt_governance",
    summary="dbt classification meta, grants (and whether PII models get narrower ones), enforced contracts, "
    "tests, and minimum-group-size tests.",
    emits=SIGNALS,
    remediation="Tag PII columns in dbt meta, grant PII models to restricted roles, enforce contracts and make "
    "dbt tests fail the build.",
    evidence=("file",),
)
def dbt_governance(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, SIGNALS)
    facts = collect_dbt(index)
    if not facts.projects:
        return [miss(views, s, "No dbt project in the repo's own code") for s in SIGNALS]
    out = []
    marks = pii_marks(facts)
    sensitive = {m.model for m in marks if m.sensitive}
    out.append(
        hit(
            views,
            PII,
            [index.location(m.path, m.line, f"{m.model}{'.' + m.column if m.column else ''}") for m in marks],
            f"{len(marks)} dbt node(s)/column(s) carry classification meta ({len(sensitive)} sensitive model(s))",
            values={"count": len(marks), "sensitive": sum(m.sensitive for m in marks), "models": len(sensitive)},
        )
        if marks
        else miss(views, PII, "No classification meta/tags (pii, sensitivity, ...) in dbt properties")
    )
    sites = grant_sites(index, facts)
    grantees = sorted({g for _, pairs in sites for _, g in pairs})
    out.append(
        hit(
            views,
            GRANTS,
            [loc for loc, _ in sites],
            f"dbt grants to {len(grantees)} grantee(s)",
            values={"count": len(sites), "grantees": grantees[:20]},
        )
        if sites
        else miss(views, GRANTS, "No dbt grants configs with grantees")
    )
    out.append(_pii_grants(views, facts, sensitive))
    models = model_names(facts)
    enforced = [(m, effective(facts, m, "contract")) for m in models]
    enforced = [(m, e) for m, e in enforced if isinstance(e[0], dict) and e[0].get("enforced") in (True, "true")]
    share = round(len(enforced) / len(models), 2) if models else 0.0
    out.append(
        hit(
            views,
            CONTRACTS,
            [index.location(p or "", ln or None, m) for m, (_, p, ln) in enforced],
            f"{len(enforced)} of {len(models)} dbt model(s) enforce contracts",
            values={"count": len(enforced), "share": share},
        )
        if enforced
        else miss(views, CONTRACTS, "No dbt model enforces a contract", values={"models": len(models)})
    )
    tests = list(generic_tests(facts)) + singular_tests(index, facts)
    warn = sum(t.severity == "warn" for t in tests)
    values = {
        "count": len(tests),
        "warn": warn,
        "singular": sum(t.name == "singular" for t in tests),
        "unit_tests": len(facts.section("unit_tests")),
    }
    out.append(
        hit(
            views,
            TESTS,
            [index.location(t.path, t.line, f"{t.name} on {t.node}") for t in tests],
            f"{len(tests)} dbt test(s)" + (f", {warn} only warn" if warn else ""),
            confidence="low" if warn == len(tests) else "medium",
            values=values,
        )
        if tests
        else miss(views, TESTS, "No dbt data tests (generic or singular)", values=values)
    )
    groups = [index.location(t.path, t.line, t.name) for t in tests if MIN_GROUP_TEST.search(t.name)]
    for path in facts.sql_files:
        text = index.text(path) or ""
        groups += [index.location(path, line_of(text, m.start()), m.group(0)) for m in MIN_GROUP_SQL.finditer(text)]
    out.append(
        hit(views, MIN_GROUP, groups, f"{len(groups)} dbt test(s)/macro(s) assert a minimum group size")
        if groups
        else miss(views, MIN_GROUP, "No dbt tests asserting a minimum group size (having count(*) < k)")
    )
    return out
