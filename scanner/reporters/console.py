"""Console output (rich): a maturity matrix per scope, areas x levels, and the `explain` view.
Reporters render only; they decide nothing. Text from scanned repos is never interpreted as markup."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from scanner.ids import AREAS, LEVELS

LEVEL_TITLES = {
    "initial": "Initial",
    "minimal": "Minimal",
    "procedural": "Procedural",
    "innovative": "Innovative",
    "leading": "Leading",
}
STATUS_TEXT = {"unknown": "unknown", "not_applicable": "not applicable"}


SHORT_AREA = {
    "people": "People",
    "data_management": "Data management",
    "model_creation": "Model creation",
    "model_deployment": "Model deployment",
    "llmops": "LLMOps",
    "app_integration": "App integration",
}
SHORT_LEVEL = {"initial": "Ini", "minimal": "Min", "procedural": "Pro", "innovative": "Inn", "leading": "Lea"}


def _matrix(assessment: dict[str, Any]) -> Table:
    """One scope: areas x levels, the reached cell marked, unknown and not applicable said as such."""
    table = Table(
        title=f"[bold]{escape(assessment['scope'])}[/]", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )
    table.add_column("Area", style="bold", no_wrap=True)
    for level in LEVELS:
        table.add_column(SHORT_LEVEL[level], justify="center", no_wrap=True)
    table.add_column("Level", no_wrap=True)
    table.add_column("Lowest", no_wrap=True)
    table.add_column("a/u/na", justify="center", no_wrap=True)
    for area_id in AREAS:
        area = assessment["areas"][area_id]
        dims = area["dimensions"].values()
        statuses = ("assessed", "unknown", "not_applicable")
        counts = "/".join(str(sum(1 for d in dims if d["status"] == s)) for s in statuses)
        if area["status"] != "assessed":
            label = Text(STATUS_TEXT.get(area["status"], area["status"]), style="dim italic")
            table.add_row(SHORT_AREA[area_id], *[Text("·", style="dim")] * len(LEVELS), label, "", counts)
            continue
        reached = LEVELS.index(area["level"])
        cells = [
            Text("■", style="bold green" if i == reached else "green") if i <= reached else Text("·", style="dim")
            for i in range(len(LEVELS))
        ]
        reached_text = Text(LEVEL_TITLES[area["level"]], style="bold")
        lowest = LEVEL_TITLES.get(area.get("lowest") or "", "")
        table.add_row(SHORT_AREA[area_id], *cells, reached_text, lowest, counts)
    return table


def render_summary(document: dict[str, Any], console: Console) -> None:
    for assessment in document["assessments"]:
        console.print(_matrix(assessment))
        console.print(Text("  a/u/na: dimensions assessed / unknown / not applicable", style="dim"))
        if "repos" in assessment and assessment["scope"].startswith("org:"):
            console.print(Text(f"  roll-up of {len(assessment['repos'])} repos: median per dimension", style="dim"))
        console.print()
    targets = document["targets"]
    bad = [t for t in targets if t["status"] != "ok"]
    findings = document["findings"]
    counts = {o: sum(1 for f in findings if f["outcome"] == o) for o in ("true", "false", "not_available", "error")}
    console.print(
        f"{len(targets)} targets ({len(bad)} not scanned), {len(findings)} findings "
        f"(true {counts['true']}, false {counts['false']}, not available {counts['not_available']}, "
        f"error {counts['error']}) in {document['stats'].get('duration_s', 0)} s",
        markup=False,
    )
    for target in bad:
        console.print(f"  {target['id']}: {target['status']}: {target.get('error', '')}", markup=False, style="yellow")


def _finding_lines(document: dict[str, Any], ids: list[str]) -> list[Text]:
    by_id = {f["id"]: f for f in document["findings"]}
    lines = []
    for fid in ids:
        finding = by_id.get(fid)
        if not finding:
            continue
        locs = finding.get("locations") or []
        where = ", ".join(_loc(loc) for loc in locs[:5]) + (f" (+{len(locs) - 5} more)" if len(locs) > 5 else "")
        line = Text("      ")
        line.append(f"[{finding['outcome']}/{finding['confidence']}] ", style="dim")
        line.append(finding["message"])
        if where:
            line.append(f"  @ {where}", style="cyan")
        lines.append(line)
    return lines


def _loc(loc: dict[str, Any]) -> str:
    if loc.get("path"):
        base = f"{loc['path']}:{loc['line']}" if loc.get("line") else loc["path"]
        return f"{base} ({loc['snippet']})" if loc.get("snippet") and loc["path"].endswith(".ipynb") else base
    if loc.get("object") and loc.get("url"):  # a remote object (catalog table, policy...) and where to see it
        return f"{loc['object']} <{loc['url']}>"
    return loc.get("object") or loc.get("url") or "?"


def render_explain(document: dict[str, Any], assessment: dict[str, Any], area: str, dim: str, console: Console) -> None:
    data = assessment["areas"][area]["dimensions"][dim]
    level = LEVEL_TITLES.get(data.get("level") or "", "-")
    head = Text()
    head.append(f"{assessment['scope']} · {area}.{dim}", style="bold")
    head.append(f"  status {data['status']}, level {level}, confidence {data['confidence']}")
    console.print(head)
    if data.get("cell"):
        console.print(Text(f'  model: "{data["cell"]}"', style="italic"))
    if data.get("reason"):
        console.print(Text(f"  {data['reason']}", style="yellow"))
    if data.get("repos"):
        spread = ", ".join(f"{k}: {v}" for k, v in data["repos"].items())
        console.print(Text(f"  repos: {spread} (median repo: {data.get('median_repo', '-')})"))
    for result, style in (("met", "green"), ("unmet", "red"), ("unknown", "yellow")):
        rows = [c for c in data["criteria"] if c["result"] == result]
        if not rows:
            continue
        console.print(Text(f"\n  {result.upper()} ({len(rows)})", style=f"bold {style}"))
        for crit in rows:
            line = Text(f"    {LEVEL_TITLES[crit['level']]}: ", style="bold")
            line.append(crit["text"])
            line.append(f"  [{crit['id']}]", style="dim")
            console.print(line)
            for reason in crit.get("reasons", []):
                console.print(Text(f"      why unknown: {reason}", style="yellow"))
            for fl in _finding_lines(document, crit["findings"]):
                console.print(fl)
    if data.get("next"):
        console.print(Text("\n  NEXT", style="bold"))
        console.print(Group(*[Text(f"    - {step}") for step in data["next"]]))
