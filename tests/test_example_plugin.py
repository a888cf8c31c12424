"""The example plugin (docs/examples/plugin) loads through the real entry-point mechanism, and its own
test, written against scanner.testing, passes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.registry import ENTRY_POINT_GROUP, load_probes
from scanner.testing import expect, run_on_repo

PLUGIN = Path(__file__).resolve().parents[1] / "docs" / "examples" / "plugin"


def _installed(site: Path) -> None:
    """What `pip install` of the example leaves for the registry to find: an importable package and a
    distribution whose entry points name it (read from the example's own pyproject.toml)."""
    import tomllib

    project = tomllib.loads((PLUGIN / "pyproject.toml").read_text())["project"]
    points = project["entry-points"][ENTRY_POINT_GROUP]
    dist = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{name} = {target}" for name, target in points.items())]
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n")


def test_the_example_plugin_registers_through_its_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(tmp_path / "site")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.syspath_prepend(str(PLUGIN))
    (spec,) = [s for s in load_probes() if s.source.startswith("plugin ")]  # validated with the built-in probes
    assert (spec.id, spec.source, spec.file) == ("acme.oncall.runbook", "plugin acme", "acme_probes/runbooks.py")
    assert spec.lifecycle == "stable" and spec.remediation and spec.evidence == ("file",)
    expect(run_on_repo(spec, tmp_path, {"RUNBOOK.md": "# Roll back\n"}), "true", locations=["RUNBOOK.md"])


def test_the_example_plugin_test_passes_through_the_harness() -> None:
    env = {**os.environ, "PYTHONPATH": str(PLUGIN)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest"],
        cwd=PLUGIN,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"\b[1-9][0-9]* passed", proc.stdout) and "failed" not in proc.stdout, proc.stdout
