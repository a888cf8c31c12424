"""End to end: the fixture estate scanned as a user would, checked against the contract, the
calibration boundaries and the golden levels."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.ids import AREAS, LEVELS
from tests.e2e.conftest import FIXTURES, assessment, check_with_contract_tool, scan_paths

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "history.yml").is_file())


def levels_of(assess: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for area_id, area in assess["areas"].items():
        out[area_id] = area["level"] if area["status"] == "assessed" else area["status"]
        for dim_id, dim in area["dimensions"].items():
            out[f"{area_id}.{dim_id}"] = dim["level"] if dim["status"] == "assessed" else dim["status"]
    return dict(sorted(out.items()))


def test_evidence_passes_the_contract_tool(evidence: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(evidence))
    check_with_contract_tool(path)


def test_evidence_matches_the_json_schema(evidence: dict[str, Any]) -> None:
    schema = json.loads((Path(__file__).parents[2] / "scanner/schemas/evidence.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(evidence)


def test_every_repo_and_the_estate_are_assessed(evidence: dict[str, Any]) -> None:
    scopes = {a["scope"] for a in evidence["assessments"]}
    assert set(FIXTURE_NAMES) <= scopes
    assert "org:acme" in scopes
    for assess in evidence["assessments"]:
        for area, dims in AREAS.items():
            assert set(assess["areas"][area]["dimensions"]) == set(dims)


def test_every_met_criterion_cites_a_located_finding(evidence: dict[str, Any]) -> None:
    findings = {f["id"]: f for f in evidence["findings"]}
    for assess in evidence["assessments"]:
        for area in assess["areas"].values():
            for dim in area["dimensions"].values():
                for crit in dim["criteria"]:
                    if crit["result"] == "met":
                        assert any(findings[f]["locations"] for f in crit["findings"]), crit["id"]


@pytest.mark.parametrize("name", [*FIXTURE_NAMES, "org:acme"])
def test_golden_levels(name: str, evidence: dict[str, Any]) -> None:
    got = levels_of(assessment(evidence, name))
    golden = GOLDEN / f"{name.replace(':', '-')}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n")
    assert golden.is_file(), f"no golden file for {name}; run with UPDATE_GOLDEN=1 and review the diff"
    assert got == json.loads(golden.read_text())


def _area_levels(evidence: dict[str, Any], scope: str) -> dict[str, str]:
    areas = assessment(evidence, scope)["areas"]
    return {k: v["level"] for k, v in areas.items() if v["status"] == "assessed"}


def test_decoy_scores_no_higher_than_minimal(evidence: dict[str, Any]) -> None:
    for area, level in _area_levels(evidence, "decoy-templates").items():
        assert LEVELS.index(level) <= LEVELS.index("minimal"), (area, level)


def test_notebook_only_project_is_initial_in_every_applicable_area(evidence: dict[str, Any]) -> None:
    levels = _area_levels(evidence, "notebook-solo")
    assert levels, "the notebook project should be assessed somewhere"
    assert set(levels.values()) == {"initial"}, levels


def test_most_mature_fixture_reaches_innovative_somewhere(evidence: dict[str, Any]) -> None:
    levels = _area_levels(evidence, "team-platform")
    assert any(LEVELS.index(v) >= LEVELS.index("innovative") for v in levels.values()), levels


def test_problem_files_become_findings_with_reasons(evidence: dict[str, Any]) -> None:
    problems = [
        f
        for f in evidence["findings"]
        if f["subject"] == "messy-files"
        and f["signal"] in ("repo.files.skipped", "repo.files.malformed")
        and f["outcome"] == "error"
    ]
    reasons = " | ".join(f["message"] for f in problems)
    for expected in (
        "too large to read",
        "binary content",
        "undecodable text",
        "malformed YAML",
        "symlink pointing outside the repo",
    ):
        assert expected in reasons, reasons


def test_output_is_deterministic(estate: Path, evidence: dict[str, Any]) -> None:
    again = scan_paths([str(estate)])
    volatile = ("started_at", "finished_at", "stats")
    assert {k: v for k, v in again.items() if k not in volatile} == {
        k: v for k, v in evidence.items() if k not in volatile
    }
