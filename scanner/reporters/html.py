"""One self-contained HTML page (inline CSS, no external resource, printable), rendered with Jinja2.

Autoescaping is on for the whole template: every string from a repo, an API or a catalog is escaped,
and only http(s) URLs become links. This module shapes the evidence document into rows for the
template; it decides nothing the engine has not decided.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import jinja2

from scanner.ids import AREAS, LEVELS
from scanner.reporters.common import (
    area_label,
    area_title,
    criterion_counts,
    extremes,
    findings_by_id,
    headline,
    level_title,
    location_label,
    location_link,
    next_steps,
    repo_scopes,
    target_counts,
)
from scanner.reporters.diff import change_label

MAX_LOCATIONS = 8
RESULT_ORDER = ("met", "unmet", "unknown")


def _cells(node: dict[str, Any]) -> list[str]:
    """Per level: reached | below (implied by the reached level) | above | unknown | na."""
    if node["status"] != "assessed" or not node.get("level"):
        return ["na" if node["status"] == "not_applicable" else "unknown"] * len(LEVELS)
    reached = LEVELS.index(node["level"])
    return ["reached" if i == reached else "below" if i < reached else "above" for i in range(len(LEVELS))]


def _finding_view(fid: str, findings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    finding = findings.get(fid, {"id": fid, "outcome": "?", "message": "(finding not in this file)", "locations": []})
    locs = finding.get("locations", [])
    return {
        "id": fid,
        "outcome": finding["outcome"],
        "message": finding["message"],
        "locations": [{"label": location_label(loc), "url": location_link(loc)} for loc in locs[:MAX_LOCATIONS]],
        "more": max(0, len(locs) - MAX_LOCATIONS),
    }


def _dimension_view(dim_id: str, dim: dict[str, Any], findings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    by_level: dict[str, list[dict[str, Any]]] = {level: [] for level in LEVELS}
    criteria = []
    for crit in dim.get("criteria", []):
        by_level[crit["level"]].append(crit)
        criteria.append(
            {
                **crit,
                "level_title": level_title(crit["level"]),
                "finding_views": [_finding_view(f, findings) for f in crit["findings"]],
            }
        )
    criteria.sort(key=lambda c: (RESULT_ORDER.index(c["result"]), LEVELS.index(c["level"])))
    return {
        "id": dim_id,
        "title": dim.get("title", dim_id),
        "status": dim["status"],
        "label": area_label(dim),
        "confidence": dim.get("confidence"),
        "cell": dim.get("cell", ""),
        "reason": dim.get("reason", ""),
        "cells": _cells(dim),
        "by_level": [by_level[level] for level in LEVELS],
        "criteria": criteria,
        "counts": criterion_counts(dim),
        "next": dim.get("next", []),
        "repos": dim.get("repos", {}),
    }


def _scope_view(assessment: dict[str, Any], findings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    areas = []
    for area_id in AREAS:
        area = assessment["areas"][area_id]
        dims = [_dimension_view(d, area["dimensions"][d], findings) for d in AREAS[area_id] if d in area["dimensions"]]
        areas.append(
            {
                "id": area_id,
                "title": area_title(area_id),
                "status": area["status"],
                "label": area_label(area),
                "lowest": level_title(area.get("lowest")),
                "reason": area.get("reason", ""),
                "cells": _cells(area),
                "dimensions": dims,
            }
        )
    return {
        "scope": assessment["scope"],
        "anchor": "scope-" + "".join(c if c.isalnum() else "-" for c in assessment["scope"]),
        "areas": areas,
        "next": next_steps(assessment, limit=6),
        "policy": assessment.get("policy", ""),
        "repos": assessment.get("repos", []),
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["level_title"] = level_title
    env.filters["change_label"] = change_label
    return env


def _template() -> jinja2.Template:
    text = resources.files("scanner.reporters").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    return _environment().from_string(text)


def render_html(
    document: dict[str, Any], diff: dict[str, Any] | None = None, gate: dict[str, Any] | None = None
) -> str:
    findings = findings_by_id(document)
    top = headline(document)
    total, bad = target_counts(document)
    repos = [_scope_view(a, findings) for a in repo_scopes(document)]
    context = {
        "doc": document,
        "levels": [(level, level_title(level)) for level in LEVELS],
        "top": _scope_view(top, findings),
        "repos": repos if top["scope"].startswith("org:") or len(repos) > 1 else [],
        "total": total,
        "bad": bad,
        "not_scanned": [t for t in document.get("targets", []) if t.get("status") != "ok"],
        "diff": diff,
        "gate": gate,
        "extremes": extremes(top),
        "scanned_repos": len(repo_scopes(document)),
    }
    return _template().render(**context)
