"""Whether a data catalog holds the organisation's data assets at all.

A catalog that lists tables is evidence that the organisation manages data, whatever the scanned
repository's own code shows; the Data Management area uses it to apply when the target is a single
repository with no data work of its own.
"""

from __future__ import annotations

from scanner.model import Finding
from scanner.probekit import need, probe, verdict
from scanner.views import Views

from ._common import facts, names

ASSETS = "catalog.assets.present"


@probe(
    "catalog.assets.present",
    summary="the catalog lists data assets (tables) of the organisation",
    needs=("catalog",),
    remediation="Register the organisation's datasets in a data catalog.",
    evidence=("catalog_object",),
)
def catalog_assets(views: Views) -> list[Finding]:
    cat = facts(views)
    if gaps := need(views, [ASSETS], cat, "tables"):
        return gaps
    return [
        verdict(
            views,
            ASSETS,
            [t.location() for t in cat.tables[:10]],
            f"The {cat.kind} catalog lists {len(cat.tables)} table(s): {names(t.fqn for t in cat.tables)}",
            f"The {cat.kind} catalog lists no tables",
        )
    ]
