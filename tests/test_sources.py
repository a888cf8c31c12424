"""Organisation-wide sources: an MLflow server's findings reach the repos whose runs it holds (and a
server linked to no scanned repo is assessed on its own); a failing source is reported as an error
target and its signals as not available, and the rest of the scan completes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner import registry
from scanner.engine.rules import builtin_rules_dir, load_rules
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.registry import load_probes
from scanner.runner import ScanOptions, scan
from scanner.sources import OrgSource, SourceUnavailable
from scanner.targets import Target, resolve_targets
from scanner.testing import make_repo
from scanner.views import Views


@probe(
    "mlflow.registry.aliases",
    summary="test double: aliases seen on the fake server, and the repo its runs come from",
    emits=["mlflow.registry.aliases", "mlflow.runs.repo_linked"],
    needs=("mlflow",),
    lifecycle="experimental",
)
def aliases(views: Views) -> list[Finding]:
    assert views.mlflow is not None
    where = [Location(object="registered model churn", url="http://mlflow.test/#/models/churn")]
    linked = views.mlflow.get("linked", "")
    return [
        hit(views, "mlflow.registry.aliases", where, f"aliases on {views.mlflow['models']} models"),
        hit(views, "mlflow.runs.repo_linked", where, "runs", values={"name": linked})
        if linked
        else miss(views, "mlflow.runs.repo_linked", "no run names its repository"),
    ]


def _run(source: OrgSource, tmp_path: Path) -> Any:
    # the test double stands in for the built-in MLflow probes, which must not run beside it
    builtin = tuple(p for p in registry.BUILTIN_PACKAGES if p != "probes.mlflow")
    repo = make_repo(
        tmp_path,
        {"train.py": "from sklearn.linear_model import LinearRegression\nLinearRegression().fit([[1]], [1])\n"},
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "BUILTIN_PACKAGES", builtin)
        probes = load_probes([("plugin test", [aliases])], plugins=False)
    rules = load_rules(builtin_rules_dir())
    return scan(resolve_targets([str(repo)]), probes, rules, ScanOptions(), [source])


def _release_managed(result: Any, scope: str) -> Any:
    assessment = next(a for a in result.assessments if a.scope == scope)
    criteria = assessment.areas["model_creation"].dimensions["end_result"].criteria
    return next(c for c in criteria if c.id.endswith("release_managed_models"))


def test_a_server_holding_the_repos_runs_counts_for_that_repo(tmp_path: Path) -> None:
    facts = {"models": 3, "linked": "repo"}
    source = OrgSource(Target("mlflow:fake", "mlflow"), "mlflow", lambda: facts, {"mlflow_requests": 4})
    result = _run(source, tmp_path)
    (finding,) = [f for f in result.findings if f.signal == "mlflow.registry.aliases"]
    assert finding.subject == "mlflow:fake" and finding.outcome.value == "true"
    assert finding.id in _release_managed(result, "repo").findings
    assert [a.scope for a in result.assessments] == ["repo"]
    assert result.stats["api_calls"]["mlflow_requests"] == 4


def test_a_server_no_scanned_repo_logs_to_is_assessed_on_its_own(tmp_path: Path) -> None:
    source = OrgSource(Target("mlflow:other-team", "mlflow"), "mlflow", lambda: {"models": 3})
    result = _run(source, tmp_path)
    (finding,) = [f for f in result.findings if f.signal == "mlflow.registry.aliases"]
    assert finding.id not in _release_managed(result, "repo").findings  # never lifts an unrelated repo
    assert finding.id in _release_managed(result, "mlflow:other-team").findings


def test_an_unreachable_source_is_an_error_target_and_not_available_findings(tmp_path: Path) -> None:
    def down() -> None:
        raise SourceUnavailable("http://127.0.0.1:9/ is unreachable (connection refused)")

    result = _run(OrgSource(Target("mlflow:down", "mlflow"), "mlflow", down), tmp_path)
    target = next(t for t in result.targets if t.id == "mlflow:down")
    assert target.status == "error" and "unreachable" in target.error
    (finding,) = [f for f in result.findings if f.signal == "mlflow.registry.aliases"]
    assert finding.outcome.value == "not_available"
    assert result.incomplete
    assert any(a.scope == "repo" for a in result.assessments)
