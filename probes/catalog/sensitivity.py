"""Data sensitivity from a catalog: classification, and whether anything enforces it (Data
Sensitivity in docs/model.md). A sensitive tag with no policy or mask using it is "specified but unenforced"."""

from __future__ import annotations

from scanner.facts.catalogs import PII_NAME, SENSITIVE_TAG
from scanner.model import Finding
from scanner.probekit import hit, miss, need, probe, verdict
from scanner.views import Views

from ._common import col_loc, columns, facts, names, pct

CLASSIFIED = "catalog.classification.present"
UNTAGGED = "catalog.pii.untagged_names"
MASKS = "catalog.masks.coverage"
POLICY = "catalog.policy.tag_based"
AUTO = "catalog.classification.auto_confirmed"
MASK_COVERAGE = 90.0


@probe(
    "catalog.sensitivity",
    summary="catalog classification of sensitive columns, PII-named columns left untagged, and masks on them",
    emits=(CLASSIFIED, UNTAGGED, MASKS),
    needs=("catalog",),
    remediation="Tag PII columns in the catalog and mask every tagged column.",
    evidence=("catalog_object",),
)
def sensitivity(views: Views) -> list[Finding]:
    cat = facts(views)
    if gaps := need(views, [CLASSIFIED, UNTAGGED, MASKS], cat, "classification"):
        return gaps
    cols = columns(cat)
    tagged = [(t, c) for t, c in cols if c.sensitive]
    tables = [t for t in cat.tables if any(SENSITIVE_TAG.search(x) for x in t.tags)]
    where = [col_loc(t, c) for t, c in tagged] + [t.location() for t in tables]
    out = [
        verdict(
            views,
            CLASSIFIED,
            where,
            f"{len(tagged)} column(s) and {len(tables)} table(s) classified sensitive in {cat.kind}: "
            + names(f"{t.fqn}.{c.name} [{', '.join(c.tags)}]" for t, c in tagged),
            f"no column or table carries a sensitivity classification in {cat.kind}",
            values={"columns": len(tagged), "tables": len(tables)},
        )
    ]
    untagged = [(t, c) for t, c in cols if PII_NAME.search(c.name) and not c.sensitive and t not in tables]
    out.append(
        verdict(
            views,
            UNTAGGED,
            [col_loc(t, c) for t, c in untagged],
            f"{len(untagged)} PII-named column(s) carry no classification: "
            + names(f"{t.fqn}.{c.name}" for t, c in untagged),
            "every PII-named column carries a classification",
        )
    )
    if gaps := need(views, [MASKS], cat, "column_masks"):
        return [*out, *gaps]
    if not tagged:
        out.append(miss(views, MASKS, "no column is classified sensitive, so none can be masked", locations=[]))
        return out
    masked = [(t, c) for t, c in tagged if c.mask]
    share = pct(len(masked), len(tagged))
    vals = {"coverage_pct": share, "masked": len(masked), "sensitive_columns": len(tagged)}
    unmasked = names(f"{t.fqn}.{c.name}" for t, c in tagged if not c.mask)
    if share >= MASK_COVERAGE:
        out.append(
            hit(views, MASKS, [col_loc(t, c) for t, c in masked], f"{share}% of sensitive columns masked", values=vals)
        )
    else:
        out.append(
            miss(
                views,
                MASKS,
                f"only {share}% of sensitive columns are masked (specified but unenforced): unmasked {unmasked}",
                values=vals,
                locations=[col_loc(t, c) for t, c in tagged][:20],
            )
        )
    return out


@probe(
    "catalog.policy.tag_based",
    summary="catalog access policies whose rules match sensitive tags (matchAnyTag/matchAllTags)",
    needs=("catalog",),
    remediation="Add a policy rule that denies or restricts access on the PII tags.",
    evidence=("catalog_object",),
)
def tag_policies(views: Views) -> list[Finding]:
    cat = facts(views)
    if gaps := need(views, [POLICY], cat, "policies"):
        return gaps
    using = [p for p in cat.policies if any(SENSITIVE_TAG.search(t) for t in p.tags_used())]
    return [
        verdict(
            views,
            POLICY,
            [p.location() for p in using],
            f"{len(using)} policy(ies) enforce sensitive tags: "
            + names(f"{p.name} ({', '.join(p.tags_used())})" for p in using),
            f"{len(cat.policies)} policy(ies) read; none uses a sensitive tag in its conditions (tags unenforced)",
            values={"policies": len(cat.policies)},
        )
    ]


@probe(
    "catalog.classification.auto_confirmed",
    summary="automated classifications that people confirmed (not only suggested)",
    needs=("catalog",),
    evidence=("catalog_object",),
    remediation="Review the catalog's automated classifications and confirm or reject them, so that sensitivity "
    "tags are trusted rather than only suggested.",
)
def auto_confirmed(views: Views) -> list[Finding]:
    cat = facts(views)
    if gaps := need(views, [AUTO], cat, "auto_classification"):
        return gaps
    confirmed = [(t, c) for t, c in columns(cat) if c.auto_confirmed]
    return [
        verdict(
            views,
            AUTO,
            [col_loc(t, c) for t, c in confirmed],
            f"{len(confirmed)} automated classification(s) confirmed",
            "no automated classification was confirmed (suggestions only, or none)",
        )
    ]
