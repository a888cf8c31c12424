"""The example nightly workflow, run locally: the action's scan step on the demo estate, two nights in a row."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from benchmarks.nightly_demo import OUTPUTS, ROOT, two_nights
from tests.e2e.conftest import check_with_contract_tool
from tests.e2e.test_reports import SARIF_SCHEMA

WORKFLOW = ROOT / "docs" / "examples" / "nightly.yml"


def test_the_workflow_uses_only_inputs_the_action_declares() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["audit"]["steps"]
    scan = next(s for s in steps if s.get("id") == "aiops")
    assert set(scan["with"]) <= set(action["inputs"])
    uploads = " ".join(str(s.get("with", {}).get("path", "")) for s in steps if "upload-artifact" in s.get("uses", ""))
    assert "evidence.json" in uploads and "report.html" in uploads
    assert any("upload-sarif" in s.get("uses", "") for s in steps)
    assert any("gh run download" in s.get("run", "") for s in steps)  # last night's evidence


@pytest.mark.slow
def test_two_nights_produce_all_four_outputs_and_a_diff(tmp_path: Path) -> None:
    nights = two_nights(tmp_path)
    for folder in nights.values():
        assert all((folder / name).is_file() for name in OUTPUTS), sorted(p.name for p in folder.iterdir())
        check_with_contract_tool(folder / "evidence.json")
    assert not (nights["night1"] / "diff.json").exists()  # the first night has no baseline
    assert (tmp_path / "demo" / "report.html").is_file() and (tmp_path / "demo" / "summary.md").is_file()
    diff = json.loads((nights["night2"] / "diff.json").read_text())
    assert diff["summary"]["fell"] > 0 and any(c["scope"] == "team-platform" for c in diff["levels"])
    summary = (tmp_path / "step_summary.md").read_text()
    assert summary.count("## AIOps maturity: org:acme") == 2 and "### Since the baseline" in summary
    assert (tmp_path / "github_output").read_text().splitlines() == ["exit-code=0", "exit-code=0"]
    assert "Since the baseline" in (nights["night2"] / "report.html").read_text()
    if SARIF_SCHEMA.is_file():
        schema = json.loads(SARIF_SCHEMA.read_text())
        jsonschema.Draft4Validator(schema).validate(json.loads((nights["night2"] / "results.sarif").read_text()))


def test_the_example_config_and_attestations_load() -> None:
    from scanner.attestations import load_attestations
    from scanner.config import load_config
    from scanner.engine.rules import builtin_rules_dir, load_rules

    cfg = load_config(ROOT / "docs" / "examples" / "aiops-scan.yaml")
    assert cfg.area_gates == {"model_deployment": "minimal"} and cfg.outputs["sarif"].name == "results.sarif"
    assert cfg.attestations == ROOT / "docs" / "examples" / "attestations.yaml"
    current, warnings = load_attestations(cfg.attestations, load_rules(builtin_rules_dir()))
    assert [a.scope for a in current] == ["pipeline-dvc-mlflow"] and warnings == []
