"""The evidence file's layout (issue 11): compact elements, one per line, keys sorted, the same document."""

from __future__ import annotations

import json
from typing import Any

from scanner.reporters.evidence import dumps


def test_the_evidence_text_is_the_document_with_sorted_keys(evidence: dict[str, Any]) -> None:
    text = dumps(evidence)
    assert json.loads(text) == evidence
    assert text == dumps(json.loads(text))  # deterministic: the same text from the parsed document
    top = [line.split('"')[1] for line in text.splitlines() if line.startswith('  "')]
    assert top == sorted(evidence)


def test_each_target_finding_and_assessment_is_one_line(evidence: dict[str, Any]) -> None:
    lines = dumps(evidence).splitlines()
    for key in ("targets", "findings", "assessments"):
        start = lines.index(f'  "{key}": [')
        count = len(evidence[key])
        assert [json.loads(line.strip().rstrip(",")) for line in lines[start + 1 : start + 1 + count]] == evidence[key]
        assert lines[start + 1 + count].strip() in ("]", "],")
    lists = [v for v in evidence.values() if isinstance(v, list) and v]
    assert len(lines) == 2 + len(evidence) + sum(len(v) + 1 for v in lists)


def test_an_empty_document_and_empty_lists_stay_valid() -> None:
    assert dumps({}) == "{}\n"
    doc = {"findings": [], "stats": {"b": 1, "a": "é"}}
    assert dumps(doc) == '{\n  "findings": [],\n  "stats": {"a":"é","b":1}\n}\n'
