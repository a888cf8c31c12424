"""Area ceilings: criteria every dimension must also meet to reach a level (templates stop at Procedural)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.engine.assess import assess_scope
from scanner.engine.rules import RulesError, RuleSet, builtin_rules_dir, load_rules
from scanner.model import Finding, Location, Outcome
from scanner.registry import load_probes
from scanner.signals import known_signals
from tests.engine.test_assess import AREAS, DIM, SIGNALS

CEILING = """
ceilings:
  - id: not_a_sample
    level: innovative
    text: not a sample
    when: {not: {signal: s.sample}}
    next: run it for real
"""


def _rules(tmp_path: Path, ceiling: str = CEILING) -> RuleSet:
    for area, dims in AREAS.items():
        body = f"area: {area}\ntitle: {area}\ndimensions:" + "".join(DIM.format(dim=d) for d in dims)
        (tmp_path / f"{area}.yml").write_text(body + (ceiling if area == "model_creation" else ""))
    return load_rules(tmp_path, {*SIGNALS, "s.sample"})


def f(signal: str, outcome: str = "true") -> Finding:
    return Finding("p", signal, "r", Outcome(outcome), "medium", signal, (Location(path="x.py", line=2),), {})


def test_a_sample_stops_below_the_ceiling(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    practice = [f("s.seen"), f("s.one"), f("s.two")]
    own = assess_scope("r", rules, [*practice, f("s.sample", "false")], {}).areas["model_creation"]
    sample = assess_scope("r", rules, [*practice, f("s.sample")], {}).areas["model_creation"]
    assert own.level == "innovative"
    assert sample.level == "procedural"
    dim = sample.dimensions["end_result"]
    blocked = [c for c in dim.criteria if c.id == "model_creation.end_result.innovative.not_a_sample"]
    assert [c.result for c in blocked] == ["unmet"]
    assert any("run it for real" in step for step in dim.next)
    other_area = assess_scope("r", rules, [*practice, f("s.sample")], {}).areas["app_integration"]
    assert other_area.level == "innovative"  # only the area that declares the ceiling


def test_a_ceiling_does_not_apply_where_its_subject_is_absent(tmp_path: Path) -> None:
    rules = _rules(tmp_path)  # e.g. an MLflow server's scope: no repository, so no sample marker at all
    area = assess_scope("mlflow:x", rules, [f("s.seen"), f("s.one"), f("s.two")], {}).areas["model_creation"]
    assert area.level == "innovative"
    blind = Finding("p", "s.sample", "r", Outcome.ERROR, "low", "probe failed", (), {})
    failed = assess_scope("r", rules, [f("s.seen"), f("s.one"), f("s.two"), blind], {}).areas["model_creation"]
    assert failed.level == "procedural"  # a repo whose marker probe failed: the ceiling is unknown, not lifted


def test_a_ceiling_naming_an_unknown_signal_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"at ceilings\[0\]\.when: unknown signal 's\.nowhere'"):
        _rules(tmp_path, CEILING.replace("s.sample", "s.nowhere"))


def test_the_builtin_rules_cap_samples_and_teaching_material() -> None:
    """Every dimension caps them; People goes further: its `who_works_visible` gate at Initial leaves it
    unknown for a sample's or course's maintainers (tests/engine/test_people_rules.py)."""
    rules = load_rules(builtin_rules_dir(), known_signals(load_probes()))
    for area in rules.areas.values():
        for dim in area.dimensions.values():
            ids = {(c.level, c.id.rsplit(".", 1)[1]) for c in dim.criteria}
            if area.id == "people":
                assert ("initial", "who_works_visible") in ids
                continue
            assert ("innovative", "beyond_a_sample") in ids
            assert ("procedural", "beyond_teaching_material") in ids
