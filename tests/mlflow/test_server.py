"""A real MLflow tracking server seeded with a mature practice: the findings, the levels they lift,
the objects they cite, and a bounded number of requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.cli import EXIT_OK, main
from scanner.testing import git, make_repo
from tests.e2e.conftest import check_with_contract_tool
from tests.mlflow.conftest import Server, criterion, findings, level, scan_sources
from tests.mlflow.scenarios import REPO

ROOT = Path(__file__).resolve().parents[2]
ORG = "org:organisation"


@pytest.fixture(scope="module")
def evidence(mlflow_server: Server) -> dict[str, Any]:
    return scan_sources([mlflow_server.url])


def test_every_mlflow_signal_is_observed_from_the_seeded_server(evidence: dict[str, Any]) -> None:
    found = findings(evidence)
    outcomes = {k: v["outcome"] for k, v in found.items()}
    expected_true = [
        "mlflow.experiments.active",
        "mlflow.experiments.multi_team",
        "mlflow.runs.git_linked",
        "mlflow.runs.job_sourced",
        "mlflow.runs.dataset_inputs",
        "mlflow.registry.versions",
        "mlflow.registry.aliases",
        "mlflow.registry.multi_alias_live",
        "mlflow.prompts.aliases",
        "mlflow.prompts.linked_to_runs",
        "mlflow.prompts.versions_by_automation",
        "mlflow.traces.recent",
        "mlflow.traces.assessments",
        "mlflow.scorers.active",
        "mlflow.genai.eval_runs",
    ]
    assert {s: outcomes.get(s) for s in expected_true} == dict.fromkeys(expected_true, "true")
    assert outcomes["mlflow.registry.webhooks"] == "false"
    assert outcomes["mlflow.genai.eval_datasets"] == "false"


def test_a_repo_whose_runs_the_server_holds_is_assessed_for_model_creation(
    mlflow_server: Server, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path, {"README.md": "# Fraud\n", "Makefile": "train:\n\tpython -m fraud\n"}, name="fraud")
    alone = scan_sources([], [str(repo)])
    git(repo, "remote", "add", "origin", REPO)  # the repo the server's fraud runs come from
    joined = scan_sources([mlflow_server.url], [str(repo)])
    assert area_status(alone, "fraud", "model_creation") == "not_applicable"
    assert area_status(joined, "fraud", "model_creation") == "assessed"


def area_status(evidence: dict[str, Any], scope: str, area: str) -> str:
    return str(next(a for a in evidence["assessments"] if a["scope"] == scope)["areas"][area]["status"])


def test_findings_cite_the_mlflow_objects_and_their_urls(evidence: dict[str, Any], mlflow_server: Server) -> None:
    found = findings(evidence)
    for finding in found.values():
        if finding["outcome"] == "true":
            assert finding["locations"], finding["id"]
            assert all(loc.get("object") for loc in finding["locations"]), finding["id"]
    aliases = [loc["object"] for loc in found["mlflow.registry.aliases"]["locations"]]
    assert "mlflow registered model fraud v1 alias @champion" in aliases
    assert "mlflow registered model fraud v2: validation_status=approved" in aliases
    prompt = found["mlflow.prompts.aliases"]["locations"][0]
    assert prompt["object"] == "mlflow prompt support v2 alias @production"
    assert prompt["url"] == f"{mlflow_server.url}/#/prompts/support?selectedVersions=2"
    active = found["mlflow.experiments.active"]["locations"]
    assert {loc["url"] for loc in active} == {
        f"{mlflow_server.url}/#/experiments/{mlflow_server.ids[t]}" for t in ("fraud", "churn", "support")
    }


def test_prompts_are_not_counted_as_registered_models(evidence: dict[str, Any]) -> None:
    versions = findings(evidence)["mlflow.registry.versions"]
    assert versions["values"]["models"] == 1  # fraud; the support prompt is a registered model too
    assert versions["values"]["versions"] == 2


def test_runs_are_linked_to_their_repositories(evidence: dict[str, Any]) -> None:
    found = findings(evidence)
    fraud = found["mlflow.runs.repo_linked#github.com/acme/fraud-model"]
    churn = found["mlflow.runs.repo_linked#github.com/acme/churn"]
    assert fraud["values"]["name"] == "fraud-model" and fraud["values"]["runs"] == 3
    assert fraud["values"]["commits"] == ["fr0c0ffee", "fr1c0ffee", "fr2c0ffee"] or set(fraud["values"]["commits"]) == {
        "fr0c0ffee",
        "fr1c0ffee",
        "fr2c0ffee",
    }
    assert churn["values"]["sources"] == ["src/train.py"]


def test_the_server_lifts_the_levels_mlflow_evidence_should_change(evidence: dict[str, Any]) -> None:
    assert level(evidence, ORG, "model_creation", "experiment_tracking") == "innovative"
    # an MLflow server alone cannot show training code in git: the registry criteria are met, cited
    for dim, crit in [
        ("end_result", "procedural.models_versioned"),
        ("end_result", "innovative.release_managed_models"),
        ("end_result", "leading.multiple_versions_live"),
    ]:
        result = criterion(evidence, ORG, "model_creation", dim, crit)
        assert result["result"] == "met" and any(f.startswith("mlflow.registry.") for f in result["findings"])
    assert criterion(evidence, ORG, "llmops", "monitoring", "procedural.")["result"] == "met"
    target = next(t for t in evidence["targets"] if t["kind"] == "mlflow")
    assert target["status"] == "ok" and target["version"]


def test_a_repo_scan_with_the_server_moves_its_levels(mlflow_server: Server, tmp_path: Path) -> None:
    train = "from sklearn.linear_model import LinearRegression\nLinearRegression().fit([[1]], [1])\n"
    repo = make_repo(tmp_path, {"train.py": train}, name="scoring")
    alone = scan_sources([], [str(repo)])
    unlinked = scan_sources([mlflow_server.url], [str(repo)])
    git(repo, "remote", "add", "origin", REPO)  # the repo the server's fraud runs come from
    joined = scan_sources([mlflow_server.url], [str(repo)])
    before = level(alone, "scoring", "model_creation", "experiment_tracking")
    after = level(joined, "scoring", "model_creation", "experiment_tracking")
    assert before in ("initial", "minimal") and after == "innovative"
    # a server that holds no run of the repo never lifts it; it is assessed on its own
    assert level(unlinked, "scoring", "model_creation", "experiment_tracking") == before
    own = next(a for a in unlinked["assessments"] if a["scope"].startswith("mlflow:"))
    assert own["areas"]["model_creation"]["dimensions"]["experiment_tracking"]["status"] == "assessed"


def test_requests_are_bounded_and_counted(evidence: dict[str, Any]) -> None:
    requests = evidence["stats"]["api_calls"]["mlflow_requests"]
    assert 10 <= requests <= 20


def test_evidence_is_valid_and_explain_names_the_mlflow_objects(
    mlflow_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train = "import mlflow\nfrom sklearn.linear_model import LinearRegression\nLinearRegression().fit([[1]], [1])\n"
    repo = make_repo(tmp_path, {"train.py": train}, name="fraud-model")
    git(repo, "remote", "add", "origin", REPO)
    out = tmp_path / "evidence.json"
    assert main(["scan", str(repo), "--mlflow", mlflow_server.url, "--json", str(out), "--quiet"]) == EXIT_OK
    document = json.loads(out.read_text())
    schema = json.loads((ROOT / "scanner/schemas/evidence.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    check_with_contract_tool(out)
    capsys.readouterr()
    assert main(["explain", str(out), "experiment_tracking", "--scope", "fraud-model"]) == EXIT_OK
    text = capsys.readouterr().out.replace("\n", " ")
    assert "experiments of 3 teams" in text and "/Shared/fraud/train" in text
