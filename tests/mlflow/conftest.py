"""One real MLflow tracking server per test session (full `mlflow` from the test extra), seeded once."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scanner.engine.rules import builtin_rules_dir, load_rules
from scanner.registry import load_probes
from scanner.reporters.evidence import evidence_document
from scanner.runner import ScanOptions, scan
from scanner.sources import build_sources
from scanner.targets import resolve_targets
from tests.mlflow.scenarios import quiet_mlflow, seed_mature
from tests.mlflow.servers import start_mlflow_server

FULL_MLFLOW = importlib.util.find_spec("mlflow.server") is not None and importlib.util.find_spec("sqlalchemy")
needs_server = pytest.mark.skipif(not FULL_MLFLOW, reason="the full mlflow package (test extra) is not installed")


@dataclass
class Server:
    url: str
    db: Path
    ids: dict[str, str]


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not FULL_MLFLOW:
        pytest.skip("the full mlflow package (test extra) is not installed")
    quiet_mlflow()
    workdir = tmp_path_factory.mktemp("mlflow-server")
    proc, url = start_mlflow_server(workdir)
    try:
        ids = seed_mature(url, workdir / "mlflow.db")
        yield Server(url, workdir / "mlflow.db", ids)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except Exception:
            proc.kill()


def scan_sources(uris: list[str], targets: list[str] | None = None) -> dict[str, Any]:
    """Scan MLflow sources (and optional repos) in-process; the evidence document as plain JSON."""
    probes = load_probes(plugins=False)
    rules = load_rules(builtin_rules_dir())
    sources = build_sources({"mlflow": uris})
    result = scan(resolve_targets(targets or []), probes, rules, ScanOptions(), sources)
    return dict(json.loads(json.dumps(evidence_document(result))))


def findings(evidence: dict[str, Any], prefix: str = "mlflow.") -> dict[str, dict[str, Any]]:
    """Findings by signal (keyed findings by id)."""
    out = {}
    for f in evidence["findings"]:
        if f["signal"].startswith(prefix):
            out[f["signal"] if "#" not in f["id"] else f["id"].split("@")[0] + "#" + f["id"].split("#")[1]] = f
    return out


def level(evidence: dict[str, Any], scope: str, area: str, dim: str) -> str:
    assessment = next(a for a in evidence["assessments"] if a["scope"] == scope)
    return str(assessment["areas"][area]["dimensions"][dim]["level"])


def criterion(evidence: dict[str, Any], scope: str, area: str, dim: str, suffix: str) -> dict[str, Any]:
    """The first criterion of a dimension whose id contains `suffix` (e.g. "innovative.release_managed")."""
    assessment = next(a for a in evidence["assessments"] if a["scope"] == scope)
    crits = assessment["areas"][area]["dimensions"][dim]["criteria"]
    return dict(next(c for c in crits if suffix in c["id"]))
