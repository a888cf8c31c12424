"""The builtin People rules: several maintainers or post-deployment metrics lift software engineers to
Procedural, but not in a one-person repository; People is placed only where who does the work is visible
(one person, declared team boundaries, reviews across roles), never for a sample's maintainers."""

from __future__ import annotations

import pytest

from scanner.engine.assess import assess_scope
from scanner.engine.rules import RuleSet, builtin_rules_dir, load_rules
from scanner.model import Finding, Location, Outcome
from scanner.registry import load_probes
from scanner.signals import known_signals


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(builtin_rules_dir(), known_signals(load_probes()))


def f(signal: str, outcome: str = "true") -> Finding:
    return Finding("p", signal, "r", Outcome(outcome), "medium", signal, (Location(path="x.py", line=1),), {})


BASE = [f("repo.llm.present"), f("people.se.present"), f("repo.sample_or_template", "false")]
BASE += [f("repo.teaching_or_skeleton", "false"), f("repo.codeowners.team_split")]


def _se_level(rules: RuleSet, findings: list[Finding]) -> str | None:
    return assess_scope("r", rules, findings, {}).areas["people"].dimensions["software_engineers"].level


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ([f("repo.app_metrics.emitted"), f("git.repo.single_author", "false")], "procedural"),
        ([f("people.team.shared_model_code")], "procedural"),
        # look-alikes: one person's project with metrics, a sample maintained by several people
        ([f("repo.app_metrics.emitted"), f("git.repo.single_author")], "minimal"),
        ([f("people.team.shared_model_code", "false"), f("repo.app_metrics.emitted", "false")], "minimal"),
    ],
)
def test_software_engineers_procedural(rules: RuleSet, extra: list[Finding], expected: str) -> None:
    assert _se_level(rules, BASE + extra) == expected


def _people(rules: RuleSet, findings: list[Finding]) -> tuple[str, str | None, list[str]]:
    area = assess_scope("r", rules, findings, {}).areas["people"]
    return area.status, area.level, sorted({d.status for d in area.dimensions.values()})


# several maintainers of the model code and post-deployment metrics, but nothing says who does what
TEAM = [x for x in BASE if x.signal != "repo.codeowners.team_split"]
TEAM += [f("people.team.shared_model_code"), f("repo.app_metrics.emitted"), f("git.repo.single_author", "false")]
TEAM += [f(s, "false") for s in ("repo.codeowners.team_split", "repo.codeowners.cross_team")]
TEAM += [f(s, "false") for s in ("repo.codeowners.shared_ds_de", "repo.model_intake.structured")]


def _with(findings: list[Finding], *changed: Finding) -> list[Finding]:
    signals = {c.signal for c in changed}
    return [x for x in findings if x.signal not in signals] + list(changed)


def test_people_unknown_where_nobody_declares_who_does_what(rules: RuleSet) -> None:
    status, level, dims = _people(rules, TEAM)
    assert (status, level, dims) == ("unknown", None, ["unknown"])
    se = assess_scope("r", rules, TEAM, {}).areas["people"].dimensions["software_engineers"]
    assert any("CODEOWNERS" in step for step in se.next)


@pytest.mark.parametrize(
    "visible",
    [
        f("repo.codeowners.team_split"),
        f("repo.codeowners.cross_team"),
        f("repo.model_intake.structured"),
        f("people.cross_role_reviews"),
        f("git.repo.single_author"),
    ],
    ids=lambda x: x.signal,
)
def test_people_assessed_where_who_does_the_work_is_visible(rules: RuleSet, visible: Finding) -> None:
    status, level, _ = _people(rules, _with(TEAM, visible))
    assert status == "assessed" and level is not None


@pytest.mark.parametrize("nature", ["repo.sample_or_template", "repo.teaching_or_skeleton"])
def test_people_unknown_for_the_maintainers_of_a_sample_or_course(rules: RuleSet, nature: str) -> None:
    """A sample's or course's maintainers are not a team, even one person or with declared owners."""
    findings = _with(TEAM, f(nature), f("git.repo.single_author"), f("repo.codeowners.team_split"))
    assert _people(rules, findings)[:2] == ("unknown", None)


def test_people_unknown_when_history_could_not_be_read(rules: RuleSet) -> None:
    """Could not look is not "no": without history the gate is unknown, and so is People."""
    findings = _with(TEAM, f("git.repo.single_author", "not_available"))
    assert _people(rules, findings)[:2] == ("unknown", None)
