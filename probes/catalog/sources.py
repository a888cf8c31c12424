"""Data sources from a catalog: glossary use, domains, consistent entity keys (Data Sources in docs/model.md)."""

from __future__ import annotations

import re

from scanner.facts.catalogs import Column, Table
from scanner.model import Finding
from scanner.probekit import hit, miss, need, probe, verdict
from scanner.views import Views

from ._common import col_loc, columns, facts, names, pct

ABSENT, LOW, HIGH = "catalog.glossary.absent", "catalog.glossary.low_coverage", "catalog.glossary.high_coverage"
DOMAINS = "catalog.domains.defined"
INCONSISTENT = "catalog.entity_key_inconsistency"
KEY = re.compile(r"(^id$|_id$|_key$|^key$)", re.IGNORECASE)
HIGH_COVERAGE = 60.0


@probe(
    "catalog.glossary",
    summary="glossary terms and how many key columns carry one; one term keyed by different columns",
    emits=(ABSENT, LOW, HIGH, INCONSISTENT),
    needs=("catalog",),
    remediation="Attach glossary terms to the key (entity id) columns of shared tables.",
    evidence=("catalog_object",),
)
def glossary(views: Views) -> list[Finding]:
    cat = facts(views)
    if gaps := need(views, [ABSENT, LOW, HIGH, INCONSISTENT], cat, "glossary"):
        return gaps
    cols = columns(cat)
    keys = [(t, c) for t, c in cols if KEY.search(c.name)] or cols
    termed = [(t, c) for t, c in keys if c.glossary_terms]
    attached = [(t, c) for t, c in cols if c.glossary_terms]
    share = pct(len(termed), len(keys))
    vals = {"terms": len(cat.glossary_terms), "key_columns": len(keys), "coverage_pct": share}
    where = [col_loc(t, c) for t, c in termed]
    out: list[Finding] = []
    if not cat.glossary_terms or not attached:
        out.append(
            hit(
                views,
                ABSENT,
                [cat.location()],
                f"{len(cat.glossary_terms)} glossary term(s), none attached to a column",
                values=vals,
            )
        )
        out.append(miss(views, LOW, "no glossary in use", values=vals, locations=[cat.location()]))
        out.append(miss(views, HIGH, "no glossary in use", values=vals, locations=[cat.location()]))
    else:
        out.append(
            miss(
                views,
                ABSENT,
                f"{len(cat.glossary_terms)} glossary term(s) in use",
                values=vals,
                locations=[t.location() for t in cat.glossary_terms[:5]],
            )
        )
        summary = f"{share}% of {len(keys)} key column(s) carry a glossary term: " + names(
            f"{t.fqn}.{c.name} -> {', '.join(c.glossary_terms)}" for t, c in termed
        )
        if share >= HIGH_COVERAGE:
            out.append(miss(views, LOW, f"coverage is high ({share}%)", values=vals, locations=where))
            out.append(hit(views, HIGH, where, summary, values=vals))
        else:
            out.append(hit(views, LOW, where, summary + f" (under {HIGH_COVERAGE}%)", values=vals))
            out.append(miss(views, HIGH, f"only {share}% of key columns carry a term", values=vals, locations=where))
    out.append(_inconsistent(views, attached))
    return out


def _inconsistent(views: Views, attached: list[tuple[Table, Column]]) -> Finding:
    by_term: dict[str, set[tuple[str, str]]] = {}
    for _, col in attached:
        for term in col.glossary_terms:
            by_term.setdefault(term, set()).add((col.name.lower(), col.data_type.lower()))
    odd = sorted(term for term, keyed in by_term.items() if len(keyed) > 1)
    locs = [col_loc(t, c) for t, c in attached if set(c.glossary_terms) & set(odd)]
    return verdict(
        views,
        INCONSISTENT,
        locs,
        f"{len(odd)} glossary term(s) keyed by differently named or typed columns: {names(odd)}",
        "each glossary term is keyed by one column name and type",
    )


@probe(
    "catalog.domains.defined",
    summary="domains defined in the catalog, with assets assigned",
    needs=("catalog",),
    evidence=("catalog_object",),
    remediation="Define domains in the catalog and assign the data assets to them.",
)
def domains(views: Views) -> list[Finding]:
    cat = facts(views)
    if gaps := need(views, [DOMAINS], cat, "domains"):
        return gaps
    assigned = {t.domain for t in cat.tables if t.domain}
    used = [d for d in cat.domains if d.count > 0 or d.name in assigned]
    return [
        verdict(
            views,
            DOMAINS,
            [d.location("domain") for d in used],
            f"{len(used)} domain(s) with assets: {names(d.name for d in used)}",
            f"{len(cat.domains)} domain(s) defined, none with assets",
        )
    ]
