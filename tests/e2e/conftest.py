"""Session fixtures: the fixture estate built into real git repos once, and scanned once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scanner.engine.rules import builtin_rules_dir, load_rules
from scanner.estate import build_estate
from scanner.registry import load_probes
from scanner.reporters.evidence import evidence_document
from scanner.runner import ScanOptions, scan
from scanner.targets import resolve_targets

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "repos"
CHECK_EVIDENCE = ROOT.parent / "shared" / "tools" / "check_evidence.py"


@pytest.fixture(scope="session")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_estate(FIXTURES, tmp_path_factory.mktemp("estate") / "demo")


def scan_paths(paths: list[str]) -> dict[str, Any]:
    probes = load_probes()
    rules = load_rules(builtin_rules_dir())
    result = scan(resolve_targets(paths), probes, rules, ScanOptions())
    return json.loads(json.dumps(evidence_document(result)))


@pytest.fixture(scope="session")
def evidence(estate: Path) -> dict[str, Any]:
    return scan_paths([str(estate)])


def check_with_contract_tool(path: Path) -> None:
    """Run ../shared/tools/check_evidence.py on an evidence file (skipped where shared/ is absent)."""
    if not CHECK_EVIDENCE.is_file():
        pytest.skip(f"{CHECK_EVIDENCE} not present beside the checkout")
    out = subprocess.run([sys.executable, str(CHECK_EVIDENCE), str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def assessment(evidence: dict[str, Any], scope: str) -> dict[str, Any]:
    return next(a for a in evidence["assessments"] if a["scope"] == scope)
