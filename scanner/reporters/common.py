"""Shared read-only helpers for the reporters: they look things up in the evidence document, never decide."""

from __future__ import annotations

from typing import Any

from scanner.ids import AREAS, LEVELS
from scanner.reporters.console import LEVEL_TITLES, SHORT_AREA

FORMATS: tuple[str, ...] = ("html", "markdown", "sarif")  # the closed set of rendered report formats
STATUS_LABEL = {"unknown": "unknown", "not_applicable": "not applicable", "assessed": "assessed"}


def level_title(level: str | None) -> str:
    return LEVEL_TITLES.get(level or "", "")


def area_title(area_id: str) -> str:
    return SHORT_AREA.get(area_id, area_id)


def area_label(area: dict[str, Any]) -> str:
    """The reached level of an area, or why it has none."""
    if area["status"] == "assessed":
        return level_title(area["level"])
    return STATUS_LABEL.get(area["status"], area["status"])


def findings_by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in document.get("findings", [])}


def location_label(loc: dict[str, Any]) -> str:
    if loc.get("path"):
        return f"{loc['path']}:{loc['line']}" if loc.get("line") else str(loc["path"])
    return str(loc.get("object") or loc.get("url") or "?")


def location_link(loc: dict[str, Any]) -> str | None:
    """A link to the evidence (a permalink at the scanned commit, an MLflow or catalog URL), only http(s)."""
    url = loc.get("url")
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        if loc.get("line") and "/blob/" in url and "#" not in url:
            return f"{url}#L{loc['line']}"
        return url
    return None


def org_scopes(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in document["assessments"] if a["scope"].startswith("org:")]


def repo_scopes(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in document["assessments"] if not a["scope"].startswith("org:")]


def headline(document: dict[str, Any]) -> dict[str, Any]:
    """The assessment shown first: the organisation roll-up, else the only (or first) scope."""
    orgs = org_scopes(document)
    return orgs[0] if orgs else document["assessments"][0]


def dimension_rows(assessment: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(area id, dimension id, dimension) in the model's order."""
    rows = []
    for area_id, dims in AREAS.items():
        area = assessment["areas"].get(area_id)
        if not area:
            continue
        for dim_id in dims:
            if dim_id in area["dimensions"]:
                rows.append((area_id, dim_id, area["dimensions"][dim_id]))
    return rows


def criterion_counts(dimension: dict[str, Any]) -> dict[str, int]:
    counts = {"met": 0, "unmet": 0, "unknown": 0, "attested": 0}
    for crit in dimension.get("criteria", []):
        counts[crit["result"]] = counts.get(crit["result"], 0) + 1
        if crit.get("attested"):
            counts["attested"] += 1
    return counts


def next_steps(assessment: dict[str, Any], limit: int = 8) -> list[tuple[str, str, str, str]]:
    """(area, dimension title, level to reach, step) for the lowest assessed dimensions first."""
    rows = []
    for area_id, _dim_id, dim in dimension_rows(assessment):
        if dim["status"] != "assessed" or not dim.get("next"):
            continue
        level, sep, step = dim["next"][0].partition(": ")
        if not sep or level not in LEVELS:
            level, step = "", dim["next"][0]
        rows.append((LEVELS.index(dim["level"]), area_id, dim.get("title", _dim_id), level_title(level), step))
    rows.sort(key=lambda r: (r[0], list(AREAS).index(r[1])))
    return [(area_title(a), t, lv, s) for _, a, t, lv, s in rows[:limit]]


def extremes(assessment: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(strongest areas, weakest areas) among the assessed ones, by level."""
    assessed = {a: v["level"] for a, v in assessment["areas"].items() if v["status"] == "assessed" and v.get("level")}
    if not assessed:
        return [], []
    top, low = max(map(LEVELS.index, assessed.values())), min(map(LEVELS.index, assessed.values()))
    strongest = [area_title(a) for a, lv in assessed.items() if LEVELS.index(lv) == top]
    weakest = [area_title(a) for a, lv in assessed.items() if LEVELS.index(lv) == low]
    return strongest, weakest


def target_counts(document: dict[str, Any]) -> tuple[int, int]:
    targets = document.get("targets", [])
    return len(targets), sum(1 for t in targets if t.get("status") != "ok")
