"""`--fail-below LEVEL` and per-area gates: which assessed area levels are below the bar.

The gate reads the organisation roll-ups when the scan has any, otherwise every repo. An area that is
unknown or not applicable cannot fail the gate; the verdict says so instead of staying silent.
"""

from __future__ import annotations

from typing import Any

from scanner.ids import AREAS, LEVELS
from scanner.reporters.common import area_title, level_title, org_scopes


def evaluate_gate(document: dict[str, Any], fail_below: str | None, per_area: dict[str, str]) -> dict[str, Any]:
    """{passed, failures: [{scope, area, level, bar}], messages: [...]} for the effective bars."""
    bars = {area: per_area.get(area, fail_below) for area in AREAS}
    scopes = org_scopes(document) or document["assessments"]
    failures: list[dict[str, Any]] = []
    notes: list[str] = []
    for assessment in scopes:
        for area_id, bar in bars.items():
            if bar is None:
                continue
            area = assessment["areas"][area_id]
            where = f"{assessment['scope']} · {area_title(area_id)}"
            if area["status"] != "assessed":
                notes.append(f"{where}: {area['status'].replace('_', ' ')}, not gated (bar {level_title(bar)})")
            elif LEVELS.index(area["level"]) < LEVELS.index(bar):
                failures.append({"scope": assessment["scope"], "area": area_id, "level": area["level"], "bar": bar})
    messages = [
        f"{f['scope']} · {area_title(f['area'])}: {level_title(f['level'])} is below {level_title(f['bar'])}"
        for f in failures
    ]
    if not failures:
        messages.append("every assessed area meets its bar")
    return {"passed": not failures, "failures": failures, "messages": messages + notes}
