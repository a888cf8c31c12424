"""Data catalogs as organisation-wide sources: `--catalog KIND=URL` (dbt, openmetadata, unitycatalog, datahub).

Each kind has a collector module returning CatalogFacts (model.py); this module parses the option
and registers the source factory.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from scanner.collectors.catalogs.http import public_url
from scanner.sources import OrgSource, source_factory
from scanner.targets import Target, UsageError

KINDS = {
    "dbt": "scanner.collectors.catalogs.dbt",
    "openmetadata": "scanner.collectors.catalogs.openmetadata",
    "unitycatalog": "scanner.collectors.catalogs.unitycatalog",
    "datahub": "scanner.collectors.catalogs.datahub",
}


@source_factory("catalog")
def catalog_source(spec: str) -> OrgSource:
    kind, sep, where = spec.partition("=")
    kind = kind.strip().lower()
    if not sep or not where or kind not in KINDS:
        raise UsageError(f"--catalog expects KIND=URL with KIND one of {', '.join(KINDS)}; got {spec!r}")
    module = importlib.import_module(KINDS[kind])
    shown = where if kind == "dbt" else public_url(where)
    stats: dict[str, int] = {}
    collect: Callable[..., Any] = module.collect
    build = (lambda: collect(where)) if kind == "dbt" else (lambda: collect(where, stats))
    return OrgSource(Target(f"catalog:{kind}:{shown}", "catalog"), "catalog", build, stats)
