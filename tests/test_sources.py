"""Organisation-wide sources: their findings reach every repo assessment; a failing source is
reported as an error target and its signals as not available, and the rest of the scan completes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner import registry
from scanner.engine.rules import builtin_rules_dir, load_rules
from scanner.model import Finding
from scanner.probekit import hit, probe
from scanner.registry import load_probes
from scanner.runner import ScanOptions, scan
from scanner.sources import OrgSource, SourceUnavailable
from scanner.targets import Target, resolve_targets
from scanner.views import Views
from tests.helpers import make_repo


@probe("mlflow.registry.aliases", summary="test double: aliases seen on the fake server", needs=("mlflow",))
def aliases(views: Views) -> list[Finding]:
    assert views.mlflow is not None
    return [hit(views, "mlflow.registry.aliases", [], f"aliases on {views.mlflow['models']} models")]


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


def test_source_findings_are_visible_to_repo_assessments(tmp_path: Path) -> None:
    source = OrgSource(Target("mlflow:fake", "mlflow"), "mlflow", lambda: {"models": 3}, {"mlflow_requests": 4})
    result = _run(source, tmp_path)
    (finding,) = [f for f in result.findings if f.signal == "mlflow.registry.aliases"]
    assert finding.subject == "mlflow:fake" and finding.outcome.value == "true"
    repo = next(a for a in result.assessments if a.scope == "repo")
    crit = next(
        c
        for c in repo.areas["model_creation"].dimensions["end_result"].criteria
        if c.id.endswith("release_managed_models")
    )
    assert finding.id in crit.findings
    assert result.stats["api_calls"]["mlflow_requests"] == 4


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
