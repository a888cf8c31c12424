"""The CI system registry: one plugin per system; path classes and role patterns derive from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.facts.ci import systems
from scanner.facts.ci.systems import CISystem, ci_globs, plugins, system_names
from scanner.facts.paths import path_domain
from scanner.facts.roles import is_ci


def test_every_registered_module_is_a_plugin_with_a_unique_name() -> None:
    assert all(isinstance(p, CISystem) for p in plugins())
    assert len(set(system_names())) == len(system_names())
    assert {"github_actions", "gitlab", "azure_pipelines", "circleci", "jenkins"} <= set(system_names())


def test_every_module_that_declares_a_plugin_is_registered() -> None:
    """MODULES is the one registration line (and the listing order): a new system's module left out of it
    would never be asked for its files."""
    package = Path(systems.__file__).parent
    declaring = {p.stem for p in package.glob("*.py") if re.search(r"^PLUGIN\b", p.read_text(), re.MULTILINE)}
    assert declaring == set(systems.MODULES)


@pytest.mark.parametrize(
    "path",
    [
        ".github/workflows/ci.yml",
        ".gitlab-ci.yml",
        "azure-pipelines.yml",
        "ci/azure-pipelines-release.yml",
        ".circleci/config.yml",
        ".circleci/scripts/setup.sh",
        "Jenkinsfile",
    ],
)
def test_ci_files_are_ops_and_shared(path: str) -> None:
    assert is_ci(path)
    assert path_domain(path) == "OPS"


def test_plain_code_is_not_ci() -> None:
    assert not is_ci("src/app.py")
    assert not is_ci("pipelines/train.yml")
    assert all(isinstance(g, str) for g in ci_globs())
