"""Organisation roll-up: one assessment for an estate of repos.

Policy (documented in the README): for each dimension, the level is the lower median of the levels of
the repos where the dimension was assessed, so one exemplary repo does not lift the organisation and
one abandoned prototype does not sink it. The dimension cites the criteria of a repo at that median
level, and lists every repo's level under `repos` so the spread is visible.
"""

from __future__ import annotations

from scanner.engine.assess import AreaResult, Assessment, DimensionResult, lower_median, summarise_area
from scanner.engine.rules import RuleSet
from scanner.ids import AREAS


def _dimension(area: str, dim: str, title: str, repos: list[Assessment]) -> DimensionResult:
    results = {a.scope: a.areas[area].dimensions[dim] for a in repos if area in a.areas}
    spread = {scope: (r.level if r.status == "assessed" else r.status) for scope, r in sorted(results.items())}
    assessed = {s: r for s, r in results.items() if r.status == "assessed" and r.level}
    if assessed:
        median = lower_median([r.level for r in assessed.values() if r.level])
        scope, model = sorted((s, r) for s, r in assessed.items() if r.level == median)[0]
        share = len(assessed) / max(1, len([r for r in results.values() if r.status != "not_applicable"]))
        return DimensionResult(
            area,
            dim,
            title,
            "assessed",
            median,
            round(model.confidence * (0.5 + 0.5 * share), 2),
            model.rows,
            model.next,
            cell=model.cell,
            extra={"repos": spread, "median_repo": scope},
        )
    unknown = sorted((s, r) for s, r in results.items() if r.status == "unknown")
    if unknown:
        scope, model = unknown[0]
        return DimensionResult(
            area,
            dim,
            title,
            "unknown",
            None,
            0.0,
            model.rows,
            model.next,
            reason=model.reason,
            extra={"repos": spread},
        )
    return DimensionResult(
        area, dim, title, "not_applicable", None, 1.0, reason="not applicable in any repo", extra={"repos": spread}
    )


def rollup(scope: str, rules: RuleSet, repos: list[Assessment]) -> Assessment:
    areas: dict[str, AreaResult] = {}
    for area_id, area in rules.areas.items():
        dims = {d: _dimension(area_id, d, area.dimensions[d].title, repos) for d in AREAS[area_id]}
        areas[area_id] = summarise_area(area, dims)
    statuses = {a.status for a in areas.values()}
    status = "assessed" if "assessed" in statuses else "unknown" if "unknown" in statuses else "not_applicable"
    return Assessment(scope, status, areas, extra={"policy": "median", "repos": sorted(a.scope for a in repos)})
