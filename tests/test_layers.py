"""The import-linter contracts of pyproject.toml (README "Layers") hold, and each one fails on a real violation.

The violations are written into a copy of the source tree (never into the checkout), which is put first on
the import path so that import-linter reads the copy instead of the installed package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    cmd = [str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")]
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layers")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("scanner", "probes"):
        shutil.copytree(ROOT / package, root / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_checkout_keeps_every_contract() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_copy_keeps_every_contract(tree: Path) -> None:
    """So that each case below breaks a contract by its one bad import alone."""
    done = _lint(tree)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("module", "bad_import", "broken"),
    [
        ("probes/repo/_layers_bad.py", "from scanner.collectors import gitcli", "scanner.collectors"),
        ("probes/repo/_layers_bad.py", "from scanner.reporters import console", "scanner.reporters"),
        ("scanner/facts/_layers_bad.py", "from scanner.collectors.indexer import build_index", "scanner.collectors"),
        ("scanner/facts/_layers_bad.py", "import scanner.runner", "scanner.runner"),
        ("scanner/engine/_layers_bad.py", "from scanner.attestations import for_scope", "scanner.attestations"),
        ("scanner/views_bad.py", "import scanner.estate", "scanner.estate"),
        ("scanner/probedef_bad.py", "import scanner.gates", "scanner.gates"),
        ("scanner/model_bad.py", "from scanner.facts.sections import Unreadable", "scanner.facts"),
        ("scanner/model_bad.py", "from scanner.views import Views", "scanner.views"),
        ("scanner/reporters/_layers_bad.py", "from scanner.collectors import gitcli", "scanner.collectors"),
        ("scanner/collectors/_layers_bad.py", "import scanner.reporters.console", "scanner.reporters"),
    ],
)
def test_a_violation_breaks_its_contract(tree: Path, module: str, bad_import: str, broken: str) -> None:
    path = tree / module
    if not path.parent.exists():
        pytest.fail(f"{path.parent.relative_to(tree)} is gone: point this case at a live package")
    path.write_text(f'"""A module that breaks a layer."""\n\n{bad_import}\n')
    core = tree / module.replace("_bad.py", ".py")  # scanner/views_bad.py: make scanner/views.py import it
    original = core.read_text() if module.startswith("scanner/") and core.is_file() else None
    if original is not None:
        name = module.removesuffix(".py").replace("/", ".")
        core.write_text(original + f"\nimport {name}  # noqa: E402\n")
    try:
        done = _lint(tree)
    finally:
        path.unlink()
        if original is not None:
            core.write_text(original)
    assert done.returncode != 0, done.stdout
    name = module.removesuffix(".py").replace("/", ".")
    assert f"{name} -> {broken}" in done.stdout, done.stdout
