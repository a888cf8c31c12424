"""Each broken rule file in tests/broken_rules/ must fail with the message in its .expected file,
formatted FILE:LINE: at KEY.PATH: message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scanner.engine.rules import RulesError, load_rules

CASES = sorted(Path(__file__).parents[1].joinpath("broken_rules").glob("*.yml"))
KNOWN = {"repo.ml.present", "repo.llm.present"}


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_broken_rule_file_reports_its_error(case: Path, tmp_path: Path) -> None:
    shutil.copy(case, tmp_path / case.name)
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").strip()
    with pytest.raises(RulesError) as info:
        load_rules(tmp_path, KNOWN)
    problems = [p.replace(str(tmp_path) + "/", "") for p in info.value.problems]
    assert any(p.startswith(expected) for p in problems), problems


def test_there_are_broken_cases() -> None:
    assert len(CASES) >= 12


def test_builtin_rules_are_valid_with_every_signal_known() -> None:
    from scanner.engine.rules import builtin_rules_dir
    from scanner.registry import load_probes
    from scanner.signals import known_signals

    rules = load_rules(builtin_rules_dir(), known_signals(load_probes()))
    assert sorted(rules.areas) == sorted(
        ["people", "data_management", "model_creation", "model_deployment", "llmops", "app_integration"]
    )
