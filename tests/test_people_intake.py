"""A structured issue form to propose or request a model is model intake; look-alikes are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.people_intake import SIGNAL, model_intake
from scanner.model import Outcome
from scanner.testing import run_on_repo

FORM = (
    "name: {name}\ndescription: {desc}\nbody:\n  - type: markdown\n    attributes: {{value: hi}}\n"
    "  - type: input\n    id: a\n    attributes: {{label: Name}}\n"
    "  - type: textarea\n    id: b\n    attributes: {{label: Publication}}\n"
)
MD = "---\nname: {name}\nabout: {desc}\n---\n## Model name\n\n## Publication\n\n## Code\n"
CASES = [
    (
        "yaml form",
        {".github/ISSUE_TEMPLATE/model_request.yml": FORM.format(name="Model Request", desc="Add a model")},
        True,
    ),
    ("markdown form", {".github/ISSUE_TEMPLATE/propose.md": MD.format(name="Propose a new model", desc="x")}, True),
    # look-alikes that must not count
    (
        "bug report about a model",
        {".github/ISSUE_TEMPLATE/bug.yml": FORM.format(name="Model bug report", desc="A model request failed")},
        False,
    ),
    (
        "feature request",
        {".github/ISSUE_TEMPLATE/feature.yml": FORM.format(name="Feature request", desc="Request a new model feature")},
        False,
    ),
    (
        "form without fields",
        {".github/ISSUE_TEMPLATE/model_request.yml": "name: Model request\ndescription: x\nbody: []\n"},
        False,
    ),
    (
        "template outside .github",
        {"docs/templates/model_request.yml": FORM.format(name="Model Request", desc="x")},
        False,
    ),
]


@pytest.mark.parametrize(("label", "files", "expected"), CASES, ids=[c[0] for c in CASES])
def test_model_intake(tmp_path: Path, label: str, files: dict[str, str | bytes], expected: bool) -> None:
    found = run_on_repo(model_intake, tmp_path, files).finding
    assert found.signal == SIGNAL
    assert (found.outcome is Outcome.TRUE) is expected, found.message
    if expected:
        assert found.locations
