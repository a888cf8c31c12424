"""SARIF 2.1.0: one rule per dimension criterion, one result per unmet criterion that cites a file.

Results come from repo assessments only (an organisation roll-up has no files of its own). A result's
location is the first file its findings cite (a repo root "." is not a file) that is present in the
scanned tree; further such files are related locations. A path seen only in the history (a deleted
file) is never cited: `present(scope, location)` says which are there (by default: a location at the
scanned commit). URIs are percent-encoded relative references (RFC 3986). Each result carries a
partial fingerprint made of the criterion, the repo and the path, so code scanning tracks it across
nights however the lines move.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from scanner.reporters.common import dimension_rows, findings_by_id, location_label, repo_scopes

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RELATED = 10


def _rules(document: dict[str, Any]) -> list[dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    for assessment in document["assessments"]:
        for area_id, dim_id, dim in dimension_rows(assessment):
            for crit in dim.get("criteria", []):
                rules.setdefault(
                    crit["id"],
                    {
                        "id": crit["id"],
                        "name": "".join(p.title() for p in crit["id"].split(".")[-1].split("_")),
                        "shortDescription": {"text": crit["text"][:1000]},
                        "fullDescription": {
                            "text": f"{dim.get('title', dim_id)} at level {crit['level']}: {crit['text']}"
                        },
                        "help": {"text": crit.get("next") or crit["text"]},
                        "defaultConfiguration": {"level": "note"},
                        "properties": {"area": area_id, "dimension": dim_id, "level": crit["level"]},
                    },
                )
    return [rules[k] for k in sorted(rules)]


Present = Callable[[str, dict[str, Any]], bool]


def at_scanned_commit(document: dict[str, Any]) -> Present:
    """A location is in the scanned tree when it names no commit or the commit the repo was scanned at."""
    commits = {t["id"]: t.get("commit") for t in document.get("targets", [])}
    return lambda scope, loc: loc.get("commit") in (None, commits.get(scope))


def _file_locations(
    scope: str, crit: dict[str, Any], findings: dict[str, dict[str, Any]], present: Present
) -> list[dict[str, Any]]:
    seen: set[tuple[str, int | None]] = set()
    out = []
    for fid in crit["findings"]:
        for loc in findings.get(fid, {}).get("locations", []):
            path = loc.get("path")
            if not path or path == "." or (path, loc.get("line")) in seen or not present(scope, loc):
                continue
            seen.add((path, loc.get("line")))
            out.append(loc)
    return out


def file_uri(path: str) -> str:
    """A repo-relative path as a URI reference: every character but unreserved ones and `/` escaped
    (UTF-8), so spaces, `#`, `%`, `?`, `:` and non-ASCII names stay one path."""
    return quote(path.lstrip("/"), safe="/")


def _physical(loc: dict[str, Any], base: str) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": file_uri(loc["path"]), "uriBaseId": base}}
    if loc.get("line"):
        physical["region"] = {"startLine": int(loc["line"])}
    return {"physicalLocation": physical}


def _result(scope: str, crit: dict[str, Any], locs: list[dict[str, Any]], base: str, index: int) -> dict[str, Any]:
    primary = locs[0]
    text = f"{scope}: unmet ({crit['level']}): {crit['text']}"
    if crit.get("next"):
        text += f" Next: {crit['next']}"
    fingerprint = hashlib.sha256(f"{crit['id']}|{scope}|{primary['path']}".encode()).hexdigest()[:32]
    result: dict[str, Any] = {
        "ruleId": crit["id"],
        "ruleIndex": index,
        "level": "note",
        "message": {"text": text},
        "locations": [_physical(primary, base)],
        "partialFingerprints": {"aiopsScanCriterion/v1": fingerprint},
        "properties": {"scope": scope, "findings": list(crit["findings"])},
    }
    related = [
        {"id": i + 1, **_physical(loc, base), "message": {"text": location_label(loc)}}
        for i, loc in enumerate(locs[1 : MAX_RELATED + 1])
    ]
    if related:
        result["relatedLocations"] = related
    return result


def _base_ids(document: dict[str, Any], scopes: list[str]) -> tuple[dict[str, str], dict[str, Any]]:
    """One repo: %SRCROOT% (what code scanning expects); several: one base id per repo."""
    if len(scopes) == 1:
        return {scopes[0]: "%SRCROOT%"}, {}
    targets = {t["id"]: t for t in document.get("targets", [])}
    bases, original = {}, {}
    for scope in scopes:
        base = "REPO_" + "".join(c if c.isalnum() else "_" for c in scope)
        bases[scope] = base
        target = targets.get(scope, {})
        if target.get("url"):
            original[base] = {"uri": str(target["url"]).rstrip("/") + "/"}
        elif target.get("path"):
            original[base] = {"uri": Path(target["path"]).resolve().as_uri() + "/"}
    return bases, original


def render_sarif(document: dict[str, Any], present: Present | None = None) -> dict[str, Any]:
    present = present or at_scanned_commit(document)
    rules = _rules(document)
    index = {r["id"]: i for i, r in enumerate(rules)}
    findings = findings_by_id(document)
    repos = repo_scopes(document)
    bases, original = _base_ids(document, [a["scope"] for a in repos])
    results = []
    for assessment in repos:
        for _area, _dim, dim in dimension_rows(assessment):
            for crit in dim.get("criteria", []):
                scope = assessment["scope"]
                locs = _file_locations(scope, crit, findings, present) if crit["result"] == "unmet" else []
                if locs:
                    results.append(
                        _result(assessment["scope"], crit, locs, bases[assessment["scope"]], index[crit["id"]])
                    )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": document["tool"]["name"],
                "version": document["tool"]["version"],
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if original:
        run["originalUriBaseIds"] = original
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
