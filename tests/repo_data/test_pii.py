"""PII screening in application code."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.data_pii import PII, pii
from scanner.testing import run_on_repo, truth

PRESIDIO = "from presidio_analyzer import AnalyzerEngine\n\nresults = AnalyzerEngine().analyze(text=t, language='en')\n"
VALIDATOR = "import re\n\nEMAIL = re.compile(r'@')\n\n\ndef contains_pii(text):\n    return bool(EMAIL.search(text))\n"
CALLER = "from app.pii import contains_pii\n\n\ndef ask(q):\n    if contains_pii(q):\n        raise ValueError\n"

CASES = [
    ("presidio analyzer", {"app/guard.py": PRESIDIO}, True),
    ("own validator called by the app", {"app/pii.py": VALIDATOR, "app/chat.py": CALLER}, True),
    ("own validator nobody calls", {"app/pii.py": VALIDATOR}, False),
    ("validator called only from tests", {"app/pii.py": VALIDATOR, "tests/test_chat.py": CALLER}, False),
    ("presidio in examples", {"examples/guard.py": PRESIDIO}, False),
    ("a pii column name is not screening", {"app/models.py": "class User:\n    pii_email = ''\n"}, False),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_pii_screening(tmp_path: Path, files: dict[str, str], expected: bool) -> None:
    assert truth(run_on_repo(pii, tmp_path, files)[PII]) is expected
