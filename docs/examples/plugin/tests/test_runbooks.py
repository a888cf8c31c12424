"""The plugin's probe, tested through the scanner's harness: a tiny real git repo, the runner, the contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from acme_probes.runbooks import SIGNAL, oncall_runbook
from scanner.testing import Case, case_ids, check_case

CASES = [
    Case("runbook at the root", {"RUNBOOK.md": "# Roll back\n"}, "true", locations=["RUNBOOK.md"]),
    Case("runbooks folder", {"docs/runbooks/db.md": "# DB\n", "a.py": "x = 1\n"}, "true", values={"count": 1}),
    Case("no runbook", {"README.md": "# Service\n"}, "false"),
    Case("a runbook in examples/ is not practice", {"examples/RUNBOOK.md": "# x\n"}, "false"),
]


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_oncall_runbook(case: Case, tmp_path: Path) -> None:
    check_case(oncall_runbook, case, tmp_path, signal=SIGNAL)
