"""HTML, Markdown and SARIF reports: goldens, SARIF schema validity, escaping, `report` from a saved file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.cli import EXIT_OK, main
from scanner.outputs import render
from scanner.reporters.markdown import md_escape
from scanner.reporters.sarif import render_sarif
from tests.e2e.conftest import ROOT, scan_paths
from tests.e2e.reports_helpers import check_golden, normalise

SARIF_SCHEMA = ROOT.parent / "shared" / "contracts" / "sarif" / "sarif-2.1.0-rtm.5.json"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


@pytest.fixture(scope="module")
def one_repo(estate: Path) -> dict[str, Any]:
    return normalise(scan_paths([str(estate / "pipeline-dvc-mlflow")]))


@pytest.mark.parametrize(("fmt", "suffix"), [("markdown", "md"), ("sarif", "sarif"), ("html", "html")])
def test_report_golden_for_one_repo(fmt: str, suffix: str, one_repo: dict[str, Any]) -> None:
    check_golden(f"pipeline-dvc-mlflow.{suffix}", render(fmt, one_repo, None, None), UPDATE)


def test_markdown_golden_for_the_estate(evidence: dict[str, Any]) -> None:
    text = render("markdown", normalise(evidence), None, None)
    check_golden("estate.md", text, UPDATE)
    assert "| team-platform |" in text.replace("\\", "")  # the per-repo table


def _validate_sarif(sarif: dict[str, Any]) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"{SARIF_SCHEMA} not present beside the checkout")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)


def test_sarif_is_valid_and_cites_files_for_unmet_criteria(evidence: dict[str, Any]) -> None:
    sarif = render_sarif(evidence)
    _validate_sarif(sarif)
    run = sarif["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules)) > 50  # one rule per criterion
    assert run["results"], "the demo estate has unmet criteria with file locations"
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri and uri != "."
    assert set(run["originalUriBaseIds"]) >= {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for r in run["results"]
    }


def test_sarif_schema_check_can_fail(evidence: dict[str, Any]) -> None:
    sarif = render_sarif(evidence)
    sarif["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        _validate_sarif(sarif)


def test_markdown_escapes_names_from_scanned_repos() -> None:
    hostile = 'evil|repo <script>alert("x")</script> [link](http://x) *bold*'
    out = md_escape(hostile)
    assert "<script>" not in out and "|" not in out.replace("\\|", "")
    assert "\\[link\\]" in out and "\\*bold\\*" in out


def test_report_command_renders_every_format_from_a_saved_file(estate: Path, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence.json"
    html, md, sarif = tmp_path / "r.html", tmp_path / "r.md", tmp_path / "r.sarif"
    scan_html = tmp_path / "scan.html"
    code = main(["scan", str(estate / "llm-app"), "--json", str(evidence), "--html", str(scan_html), "--quiet"])
    assert code == EXIT_OK
    code = main(["report", str(evidence), "--html", str(html), "--markdown", str(md), "--sarif", str(sarif)])
    assert code == EXIT_OK
    assert html.read_text() == scan_html.read_text()  # rendering from the file is rendering from the scan
    assert "## AIOps maturity: llm\\-app" in md.read_text() or "## AIOps maturity: llm-app" in md.read_text()
    _validate_sarif(json.loads(sarif.read_text()))
