"""Renamed signals. A probe declares the earlier ids of its signals as aliases (`@probe(..., aliases=...)`);
rules and saved evidence that cite an alias are read as citing the current id, so a rename breaks
neither a rules folder nor last night's evidence (`diff`, `merge`, `report`, `--baseline`).

A finding id is `SIGNAL@SUBJECT[#KEY]`: resolving it replaces the signal part only.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

Aliases = Mapping[str, str]


def resolve(signal: str, aliases: Aliases) -> str:
    return aliases.get(signal, signal)


def resolve_finding_id(finding_id: str, aliases: Aliases) -> str:
    signal, at, rest = finding_id.partition("@")
    return resolve(signal, aliases) + at + rest if at else finding_id


def resolve_condition(cond: dict[str, Any], aliases: Aliases) -> dict[str, Any]:
    """A rule condition with every `signal` term citing an alias replaced by the current id."""
    if not aliases:
        return cond
    if "signal" in cond:
        return {**cond, "signal": resolve(cond["signal"], aliases)}
    if "not" in cond:
        return {**cond, "not": resolve_condition(cond["not"], aliases)}
    out = dict(cond)
    for op in ("all", "any"):
        if op in cond:
            out[op] = [resolve_condition(child, aliases) for child in cond[op]]
    return out


def resolve_evidence(document: dict[str, Any], aliases: Aliases) -> dict[str, Any]:
    """A copy of a loaded evidence document whose findings and criteria cite current signal ids. A finding's
    `probe` is renamed too when it was the old signal id (a one-signal probe named after its signal)."""
    if not aliases or not any(f.get("signal") in aliases for f in document.get("findings", [])):
        return document
    out = copy.deepcopy(document)
    for finding in out["findings"]:
        old = finding.get("signal")
        if old in aliases:
            finding["signal"] = aliases[old]
            finding["id"] = resolve_finding_id(finding["id"], aliases)
            if finding.get("probe") == old:
                finding["probe"] = aliases[old]
    for assessment in out.get("assessments", []):
        for area in assessment.get("areas", {}).values():
            for dim in area.get("dimensions", {}).values():
                for crit in dim.get("criteria", []):
                    crit["findings"] = [resolve_finding_id(f, aliases) for f in crit.get("findings", [])]
    return out
