"""Local stores: the bundled `file:` store (read with the runtime dependencies only, never written)
and a `sqlite:` store seeded with a notebook-only practice."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.cli import EXIT_USAGE, main
from tests.mlflow.conftest import FULL_MLFLOW, criterion, findings, level, scan_sources
from tests.mlflow.scenarios import seed_notebooks

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "fixtures" / "mlflow" / "mlruns"

# Runs a scan in a fresh interpreter where the full mlflow's extra packages cannot be imported,
# as with the runtime dependency mlflow-skinny alone.
SKINNY_ONLY = """
import importlib.machinery, json, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("sqlalchemy", "alembic", "flask"):
            return importlib.machinery.ModuleSpec(name, self)
    def create_module(self, spec):
        raise ImportError(f"blocked: {spec.name}")
    def exec_module(self, module):
        pass
sys.meta_path.insert(0, Block())
from scanner.engine.rules import builtin_rules_dir, load_rules
from scanner.registry import load_probes
from scanner.reporters.evidence import evidence_document
from scanner.runner import ScanOptions, scan
from scanner.sources import build_sources
sources = build_sources({"mlflow": [sys.argv[1]]})
result = scan([], load_probes(plugins=False), load_rules(builtin_rules_dir()), ScanOptions(), sources)
document = evidence_document(result)
assert not any(m.split(".")[0] in ("sqlalchemy", "alembic", "flask") for m in sys.modules)
print(json.dumps(document))
"""


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_the_bundled_file_store_is_read_with_mlflow_skinny_alone_and_left_untouched(tmp_path: Path) -> None:
    before = _tree_digest(STORE)
    proc = subprocess.run(
        [sys.executable, "-c", SKINNY_ONLY, str(STORE)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    document = json.loads(proc.stdout)
    outcomes = {k.split("#")[0]: v["outcome"] for k, v in findings(document).items()}
    for signal in (
        "experiments.active",
        "experiments.multi_team",
        "registry.multi_alias_live",
        "prompts.aliases",
        "traces.recent",
        "traces.assessments",
        "runs.repo_linked",
    ):
        assert outcomes[f"mlflow.{signal}"] == "true", signal
    assert outcomes["mlflow.scorers.active"] == "not_available"  # a file store has no scorers
    target = document["targets"][0]
    assert target["id"] == f"mlflow:file:{STORE}" and document["stats"]["api_calls"]["mlflow_requests"] == 0
    assert _tree_digest(STORE) == before
    assert list(tmp_path.iterdir()) == []  # no ./mlflow.db or ./mlruns created


@pytest.mark.skipif(not FULL_MLFLOW, reason="sqlite stores need the full mlflow package")
def test_a_sqlite_store_with_notebook_runs_reads_as_tracked_but_not_shared(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    seed_notebooks(uri)
    document = scan_sources([uri])
    outcomes = {k: v["outcome"] for k, v in findings(document).items()}
    assert outcomes["mlflow.experiments.active"] == "true"
    assert outcomes["mlflow.runs.git_linked"] == "false" and outcomes["mlflow.runs.job_sourced"] == "false"
    assert outcomes["mlflow.registry.versions"] == "false"  # a version with no run: untraceable
    assert outcomes["mlflow.prompts.aliases"] == "not_applicable"
    assert outcomes["mlflow.genai.eval_runs"] == "false"
    org = "org:organisation"
    assert level(document, org, "model_creation", "experiment_tracking") in ("initial", "minimal", "procedural")
    assert criterion(document, org, "model_creation", "experiment_tracking", "innovative.")["result"] == "unmet"
    assert criterion(document, org, "model_creation", "experiment_tracking", "procedural.")["result"] == "met"


def test_a_missing_store_is_an_error_target(tmp_path: Path) -> None:
    document = scan_sources([str(tmp_path / "nowhere")])
    (target,) = document["targets"]
    assert target["status"] == "error" and "no such folder" in target["error"]


def test_an_unsupported_uri_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["scan", str(tmp_path), "--mlflow", "ftp://user:pw@host/store", "--quiet"]) == EXIT_USAGE


def test_the_demo_shows_mlflow_evidence_offline(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--quiet"]) == 0
    document = json.loads((out / "evidence.json").read_text())
    (target,) = [t for t in document["targets"] if t["kind"] == "mlflow"]
    assert target["status"] == "ok" and target["id"] == f"mlflow:file:{out / 'mlflow' / 'mlruns'}"
    found = findings(document)
    assert found["mlflow.registry.multi_alias_live"]["outcome"] == "true"
    linked = {f["values"]["name"] for k, f in found.items() if k.startswith("mlflow.runs.repo_linked#")}
    assert linked == {"team-platform", "pipeline-dvc-mlflow"}  # the estate's repo ids: the join key
    assert {a["scope"] for a in document["assessments"]} >= {"org:acme", "team-platform"}
