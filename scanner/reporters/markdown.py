"""A concise Markdown summary, fit for $GITHUB_STEP_SUMMARY and pull request comments.

Every string that comes from a scanned repo, an API or a catalog goes through `md_escape`, so a repo
name cannot inject markup, HTML or table cells.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.ids import AREAS
from scanner.reporters.common import (
    area_label,
    area_title,
    headline,
    next_steps,
    repo_scopes,
    target_counts,
)
from scanner.reporters.diff import change_label

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


def md_escape(text: Any) -> str:
    """Escape Markdown and HTML specials; newlines become spaces (table cells stay on one line)."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _area_table(assessment: dict[str, Any]) -> list[str]:
    lines = ["| Area | Level | Lowest dimension | Dimensions assessed / unknown / n.a. |", "|---|---|---|---|"]
    for area_id in AREAS:
        area = assessment["areas"][area_id]
        dims = list(area["dimensions"].values())
        counts = "/".join(
            str(sum(1 for d in dims if d["status"] == s)) for s in ("assessed", "unknown", "not_applicable")
        )
        level = f"**{area_label(area)}**" if area["status"] == "assessed" else f"_{area_label(area)}_"
        lowest = area_label({"status": "assessed", "level": area["lowest"]}) if area.get("lowest") else ""
        lines.append(f"| {area_title(area_id)} | {level} | {lowest} | {counts} |")
    return lines


def _repo_table(document: dict[str, Any]) -> list[str]:
    repos = repo_scopes(document)
    if len(repos) < 2:
        return []
    head = "| Repo | " + " | ".join(area_title(a) for a in AREAS) + " |"
    lines = ["", "### Per repo", "", head, "|---" * (len(AREAS) + 1) + "|"]
    for a in repos:
        cells = [area_label(a["areas"][area_id]) for area_id in AREAS]
        lines.append(f"| {md_escape(a['scope'])} | " + " | ".join(cells) + " |")
    return lines


def _diff_section(diff: dict[str, Any], limit: int = 15) -> list[str]:
    s = diff["summary"]
    lines = [
        "",
        "### Since the baseline",
        "",
        f"{s['rose']} level(s) rose, {s['fell']} fell, {s['other']} changed status; findings: "
        f"{s['appeared']} appeared, {s['vanished']} vanished, {s['changed']} changed.",
        "",
    ]
    icons = {"rose": "⬆️", "fell": "⬇️", "changed": "↔️"}
    lines += [f"- {icons[c['change']]} {md_escape(change_label(c))}" for c in diff["levels"][:limit]]
    if len(diff["levels"]) > limit:
        lines.append(f"- … {len(diff['levels']) - limit} more level changes (see the diff JSON)")
    return lines


def _gate_section(gate: dict[str, Any]) -> list[str]:
    verdict = "passed ✅" if gate["passed"] else "failed ❌"
    lines = ["", f"### Gate: {verdict}", ""]
    lines += [f"- {md_escape(line)}" for line in gate["messages"]]
    return lines


def render_markdown(
    document: dict[str, Any], diff: dict[str, Any] | None = None, gate: dict[str, Any] | None = None
) -> str:
    top = headline(document)
    total, bad = target_counts(document)
    lines = [
        f"## AIOps maturity: {md_escape(top['scope'])}",
        "",
        f"_{md_escape(document['tool']['name'])} {md_escape(document['tool']['version'])} · "
        f"{total} target(s), {bad} not scanned · {md_escape(document.get('finished_at', ''))}_",
        "",
        *_area_table(top),
    ]
    if top["scope"].startswith("org:") and "repos" in top:
        lines += ["", f"Organisation levels are the {md_escape(top.get('policy', 'median'))} over its repos."]
    lines += _repo_table(document)
    steps = next_steps(top, limit=5)
    if steps:
        lines += ["", "### What to do next", ""]
        lines += [
            f"- **{md_escape(area)} / {md_escape(dim)}**" + (f" → {level}" if level else "") + f": {md_escape(step)}"
            for area, dim, level, step in steps
        ]
    if diff is not None:
        lines += _diff_section(diff)
    if gate is not None:
        lines += _gate_section(gate)
    not_scanned = [t for t in document.get("targets", []) if t.get("status") != "ok"]
    if not_scanned:
        lines += ["", "### Not scanned", ""]
        lines += [f"- {md_escape(t['id'])}: {md_escape(t.get('error', t['status']))}" for t in not_scanned]
    return "\n".join(lines) + "\n"
