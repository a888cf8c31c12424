"""Table-test helpers for the LLM repo probes: build a real git repo, run one probe, check its finding."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.model import Finding
from scanner.probekit import SPEC_ATTR
from scanner.views import Views
from tests.helpers import repo_views


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str]
    outcome: str  # "true" | "false"
    confidence: str | None = None
    paths: tuple[str, ...] = ()  # paths that must be cited
    values: dict[str, Any] = field(default_factory=dict)  # expected subset of finding.values
    message: str = ""  # expected substring of the message


def run(tmp_path: Path, func: Callable[[Views], Iterable[Finding]], files: dict[str, str]) -> Finding:
    """Run one probe on a repo holding `files`; it must emit exactly one finding per declared signal."""
    spec = getattr(func, SPEC_ATTR)
    content: dict[str, str | bytes] = dict(files)
    findings = list(func(repo_views(tmp_path, content)))
    assert sorted(f.signal for f in findings) == sorted(spec.emits)
    assert len(findings) == 1
    return findings[0]


def check(tmp_path: Path, func: Callable[[Views], Iterable[Finding]], case: Case) -> Finding:
    finding = run(tmp_path, func, case.files)
    assert finding.outcome.value == case.outcome, finding.message
    if case.confidence:
        assert finding.confidence == case.confidence, finding.message
    cited = {loc.path for loc in finding.locations}
    for path in case.paths:
        assert path in cited, (path, cited)
    for key, value in case.values.items():
        assert finding.values.get(key) == value, (key, finding.values)
    assert case.message in finding.message
    json.dumps(finding.to_json())  # serialisable evidence
    return finding


def notebook(*cells: str) -> str:
    """A minimal .ipynb with the given code cells."""
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": []} for c in cells],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


OPENAI_APP = """from openai import OpenAI

client = OpenAI()


def answer(question: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
    )
    return response.choices[0].message.content
"""
