"""dbt artifact facts with no catalog-wide equivalent: PII-differentiated grants, relationships tests,
enforced contracts and executed tests (docs/probes.md; the repo probes read the same from YAML)."""

from __future__ import annotations

from collections import Counter

from scanner.facts.catalogs import CatalogFacts, Table
from scanner.model import Finding
from scanner.probekit import need, not_applicable, probe, verdict
from scanner.views import Views

from ._common import facts, names

PII_GRANTS = "catalog.dbt.grants.pii_differentiated"
RELATIONSHIPS = "catalog.dbt.tests.relationships"
CONTRACTS = "catalog.dbt.contracts.enforced"
EXECUTED = "catalog.dbt.tests.executed"
SIGNALS = (PII_GRANTS, RELATIONSHIPS, CONTRACTS, EXECUTED)
BROAD = {"public", "all_users", "account users", "users", "everyone", "all"}


def _principals(table: Table) -> frozenset[str]:
    return frozenset(g.principal.lower() for g in table.grants)


def _differentiated(views: Views, cat: CatalogFacts) -> Finding:
    sensitive = [t for t in cat.tables if t.sensitive and t.grants]
    others = [_principals(t) for t in cat.tables if not t.sensitive and t.grants]
    default = Counter(others).most_common(1)[0][0] if others else frozenset()
    narrow = [t for t in sensitive if _principals(t) != default and not (_principals(t) & BROAD)]
    ok = bool(sensitive) and len(narrow) == len(sensitive)
    return verdict(
        views,
        PII_GRANTS,
        [t.location() for t in narrow] if ok else [],
        f"PII-tagged models get narrower grants than the default ({', '.join(sorted(default)) or 'none'}): "
        + names(f"{t.fqn} -> {', '.join(sorted(_principals(t)))}" for t in narrow),
        "PII-tagged models are granted like the others (or have no grants)"
        if sensitive
        else "no PII-tagged model has grants",
    )


@probe(
    "catalog.dbt",
    summary="dbt artifacts: narrower grants on PII models, relationships tests, enforced contracts, test results",
    emits=SIGNALS,
    needs=("catalog",),
    remediation="Grant PII models to narrower roles, test foreign keys with relationships, enforce contracts.",
    evidence=("catalog_object",),
)
def dbt_artifacts(views: Views) -> list[Finding]:
    cat = facts(views)
    if cat.kind != "dbt":
        return [not_applicable(views, s, f"{s} is read from dbt artifacts; this is {cat.kind}") for s in SIGNALS]
    rels = [t for t in cat.tests if t.kind == "relationships"]
    contracts = [t for t in cat.tables if t.contract_enforced]
    out = [
        _differentiated(views, cat),
        verdict(
            views,
            RELATIONSHIPS,
            [t.location() for t in rels],
            f"{len(rels)} relationships test(s): " + names(t.name for t in rels),
            "no relationships test",
        ),
        verdict(
            views,
            CONTRACTS,
            [t.location() for t in contracts],
            f"{len(contracts)} model(s) with enforced contracts: " + names(t.fqn for t in contracts),
            "no model enforces a contract",
        ),
    ]
    if gaps := need(views, [EXECUTED], cat, "test_results"):
        return [*out, *gaps]
    ran = [t for t in cat.tests if t.status]
    failed = [t for t in ran if t.status in ("fail", "error")]
    out.append(
        verdict(
            views,
            EXECUTED,
            [t.location() for t in ran],
            f"{len(ran)} of {len(cat.tests)} tests ran in the last run, {len(failed)} failed",
            "run_results.json records no test run",
            values={"ran": len(ran), "failed": len(failed)},
        )
    )
    return out
