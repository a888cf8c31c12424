"""Every data/infra probe, run together over one mixed repo: the contract the runner relies on."""

from __future__ import annotations

from pathlib import Path

from scanner.model import Outcome
from scanner.probedef import ProbeSpec
from scanner.registry import load_probes
from scanner.testing import repo_views, run_probe
from scanner.views import Views
from tests.repo_data import test_access, test_dbt_governance, test_infra_compute, test_infra_storage, test_store

MIXED: dict[str, str | bytes] = {
    **test_dbt_governance.FULL,
    "infra/s3.tf": test_infra_storage.BUCKETS,
    "infra/dbx.tf": test_infra_compute.CLUSTER,
    "sql/grants.sql": test_access.SQL,
    "nb/export.ipynb": test_store.EXPORT_NB,
    "dags/load.py": "from airflow import DAG\n\nwith DAG('x') as d:\n    pass\n",
}


def _specs() -> list[ProbeSpec]:
    return [s for s in load_probes(plugins=False) if s.id.startswith(("repo.data.", "repo.infra."))]


def test_each_signal_gets_one_finding_with_paths_and_json_values(tmp_path: Path) -> None:
    views = repo_views(tmp_path, MIXED)
    specs = _specs()
    assert len(specs) >= 18
    for spec in specs:
        for finding in run_probe(spec, views).findings:  # the harness checks signals, JSON and true => cited
            assert finding.confidence in ("low", "medium", "high")
            assert all(loc.path for loc in finding.locations), (finding.signal, finding.locations)


def test_mixed_repo_highlights(tmp_path: Path) -> None:
    views = repo_views(tmp_path, MIXED)
    outcomes = {f.signal: f.outcome for spec in _specs() for f in run_probe(spec, views).findings}
    for signal in (
        "repo.dbt.project",
        "repo.orchestrator.airflow",
        "iac.storage.no_acl",
        "iac.team_compute",
        "iac.grants.user_principals",
        "code.manual_sql_exports",
        "dbt.grants.pii_differentiated",
    ):
        assert outcomes[signal] is Outcome.TRUE, signal
    assert outcomes["repo.etl_scripts_unorchestrated"] is Outcome.FALSE


def test_no_repo_means_not_available() -> None:
    # the probe functions themselves, not the runner (which would answer for them): a probe called without
    # a repo view says not_available on its own
    for spec in _specs():
        findings = list(spec.func(Views(subject="r")))
        assert {f.outcome for f in findings} == {Outcome.NOT_AVAILABLE}, spec.id
        assert sorted(f.signal for f in findings) == sorted(spec.emits)
