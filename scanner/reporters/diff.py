"""What changed between two evidence documents: levels per scope, area and dimension, and findings.

A finding's identity is its id (signal, subject and key: never line numbers or timestamps); two findings
with the same id differ when their outcome or the set of places they cite (paths or objects, without line
numbers) differ. Only the evidence documents are read.
"""

from __future__ import annotations

from typing import Any

from scanner.ids import AREAS, LEVELS
from scanner.reporters.common import area_title, level_title

DIFF_VERSION = "1.0"


def _level_key(node: dict[str, Any] | None) -> str:
    """A comparable label: the level when assessed, else the status (unknown, not_applicable, absent)."""
    if node is None:
        return "absent"
    return str(node["level"]) if node.get("status") == "assessed" and node.get("level") else str(node["status"])


def _direction(old: str, new: str) -> str:
    if old in LEVELS and new in LEVELS:
        return "rose" if LEVELS.index(new) > LEVELS.index(old) else "fell"
    return "changed"


def _level_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    olds = {a["scope"]: a for a in old["assessments"]}
    news = {a["scope"]: a for a in new["assessments"]}
    changes: list[dict[str, Any]] = []
    for scope in sorted(set(olds) | set(news), key=lambda s: (s.startswith("org:"), s)):
        for area_id, dims in AREAS.items():
            o_area = olds.get(scope, {}).get("areas", {}).get(area_id)
            n_area = news.get(scope, {}).get("areas", {}).get(area_id)
            pairs = [(None, o_area, n_area)] + [
                (d, (o_area or {}).get("dimensions", {}).get(d), (n_area or {}).get("dimensions", {}).get(d))
                for d in dims
            ]
            for dim, o_node, n_node in pairs:
                before, after = _level_key(o_node), _level_key(n_node)
                if before != after:
                    changes.append(
                        {
                            "scope": scope,
                            "area": area_id,
                            "dimension": dim,
                            "title": str((n_node or o_node or {}).get("title", dim or area_id)),
                            "old": before,
                            "new": after,
                            "change": _direction(before, after),
                        }
                    )
    return changes


def _places(finding: dict[str, Any]) -> list[str]:
    return sorted({str(loc.get("path") or loc.get("object") or loc.get("url") or "") for loc in finding["locations"]})


def _brief(finding: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": finding["id"],
        "outcome": finding["outcome"],
        "message": finding["message"],
        "places": _places(finding),
    }


def _finding_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    olds = {f["id"]: f for f in old["findings"]}
    news = {f["id"]: f for f in new["findings"]}
    changed = []
    for fid in sorted(set(olds) & set(news)):
        o, n = olds[fid], news[fid]
        o_places, n_places = _places(o), _places(n)
        if o["outcome"] != n["outcome"] or o_places != n_places:
            changed.append(
                {
                    "id": fid,
                    "old_outcome": o["outcome"],
                    "new_outcome": n["outcome"],
                    "message": n["message"],
                    "places_added": sorted(set(n_places) - set(o_places)),
                    "places_removed": sorted(set(o_places) - set(n_places)),
                }
            )
    return {
        "appeared": [_brief(news[i]) for i in sorted(set(news) - set(olds))],
        "vanished": [_brief(olds[i]) for i in sorted(set(olds) - set(news))],
        "changed": changed,
    }


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    findings = _finding_changes(old, new)
    levels = _level_changes(old, new)
    return {
        "diff_version": DIFF_VERSION,
        "old": {"started_at": old.get("started_at"), "tool": old.get("tool")},
        "new": {"started_at": new.get("started_at"), "tool": new.get("tool")},
        "levels": levels,
        "findings": findings,
        "summary": {
            "rose": sum(1 for c in levels if c["change"] == "rose"),
            "fell": sum(1 for c in levels if c["change"] == "fell"),
            "other": sum(1 for c in levels if c["change"] == "changed"),
            **{k: len(v) for k, v in findings.items()},
        },
    }


def change_label(change: dict[str, Any]) -> str:
    """`org:acme · Model creation / Experiment Tracking: Minimal → Procedural`"""
    where = area_title(change["area"]) + (
        f" / {change.get('title', change['dimension'])}" if change["dimension"] else ""
    )
    before = level_title(change["old"]) or change["old"].replace("_", " ")
    after = level_title(change["new"]) or change["new"].replace("_", " ")
    return f"{change['scope']} · {where}: {before} → {after}"


def _change_text(change: dict[str, Any]) -> str:
    parts = (
        [] if change["old_outcome"] == change["new_outcome"] else [f"{change['old_outcome']} → {change['new_outcome']}"]
    )
    if change["places_added"]:
        parts.append("now also at " + ", ".join(change["places_added"]))
    if change["places_removed"]:
        parts.append("no longer at " + ", ".join(change["places_removed"]))
    return "; ".join(parts)


def text_lines(diff: dict[str, Any], max_findings: int = 20) -> list[str]:
    """Plain lines for the console (the caller prints them without markup)."""
    s = diff["summary"]
    lines = [
        f"since the baseline: {s['rose']} level(s) rose, {s['fell']} fell, {s['other']} changed status; "
        f"findings: {s['appeared']} appeared, {s['vanished']} vanished, {s['changed']} changed"
    ]
    marks = {"rose": "+", "fell": "-", "changed": "~"}
    lines += [f"  {marks[c['change']]} {change_label(c)}" for c in diff["levels"]]
    for kind in ("appeared", "vanished"):
        items = diff["findings"][kind]
        lines += [f"  {kind}: {f['id']} ({f['outcome']})" for f in items[:max_findings]]
        if len(items) > max_findings:
            lines.append(f"  ... {len(items) - max_findings} more {kind}")
    changed = diff["findings"]["changed"]
    lines += [f"  changed: {f['id']} ({_change_text(f)})" for f in changed[:max_findings]]
    if len(changed) > max_findings:
        lines.append(f"  ... {len(changed) - max_findings} more changed")
    return lines
