"""Several people maintaining the model/LLM code is a team; one person's aliases, bots, drive-by fixes and
model code only in examples or docs are not."""

from __future__ import annotations

from pathlib import Path

from probes.history.team import SIGNAL, shared_model_code
from scanner.model import Outcome
from scanner.testing import run_probe

from ._repo import ADA, BOT, DAN, OLA, SAM, Step, build

T, F, NA = Outcome.TRUE, Outcome.FALSE, Outcome.NOT_APPLICABLE
LLM = "from openai import OpenAI\n\nclient = OpenAI()\n"


def _on(path: str, who: tuple[str, str], n: int, at: float) -> Step:
    return Step({path: f"{LLM}# change {n}\n"}, who, at, f"change {n}")


def test_three_people_maintain_llm_code(tmp_path: Path) -> None:
    steps = [_on("app/answer.py", who, i, k * 3 + i) for k, who in enumerate((ADA, DAN, SAM)) for i in range(2)]
    found = run_probe(shared_model_code, build(tmp_path, steps))[SIGNAL]
    assert found.outcome is T and found.values["count"] == 3 and found.confidence == "low"


def test_ruby_llm_client_counts(tmp_path: Path) -> None:
    rb = "client = Anthropic::Client.new\n"
    steps = [
        Step({"lib/composer.rb": f"{rb}# {k}{i}\n"}, who, k * 3 + i)
        for k, who in enumerate((ADA, DAN, SAM))
        for i in range(2)
    ]
    assert run_probe(shared_model_code, build(tmp_path, steps))[SIGNAL].outcome is T


def test_one_person_under_several_emails_is_not_a_team(tmp_path: Path) -> None:
    aliases = [
        ("Ada Lovelace", "ada@example.org"),
        ("Ada Lovelace", "ada@home.example"),
        ("ada-lovelace", "ada@work.example"),
    ]
    steps = [_on("app/answer.py", who, i, k * 3 + i) for k, who in enumerate(aliases) for i in range(3)]
    steps += [_on("app/answer.py", BOT, 20 + i, 20 + i) for i in range(4)]
    found = run_probe(shared_model_code, build(tmp_path, steps))[SIGNAL]
    assert found.outcome is F and found.values["people"] == 1


def test_solo_author_with_drive_by_fixes_is_not_a_team(tmp_path: Path) -> None:
    steps = [_on("model/train.py", ADA, i, i) for i in range(12)]
    steps += [_on("model/train.py", who, 20 + k, 20 + k) for k, who in enumerate((DAN, SAM, OLA))]
    found = run_probe(shared_model_code, build(tmp_path, steps))[SIGNAL]
    assert found.outcome is F and found.values["regular_people"] == 1


def test_one_dominant_maintainer_is_not_a_team(tmp_path: Path) -> None:
    steps = [_on("model/train.py", ADA, i, i / 2) for i in range(20)]
    steps += [_on("model/train.py", who, 20 + i, 20 + k * 2 + i) for k, who in enumerate((DAN, SAM)) for i in range(2)]
    found = run_probe(shared_model_code, build(tmp_path, steps))[SIGNAL]
    assert found.outcome is F and found.values["top_share"] > 0.8


def test_model_code_only_in_examples_or_docs_does_not_count(tmp_path: Path) -> None:
    steps = [
        Step({f"examples/demo{k}.py": f"{LLM}# {i}\n", f"docs/guide{k}.md": "openai\n"}, who, k * 3 + i)
        for k, who in enumerate((ADA, DAN, SAM))
        for i in range(2)
    ]
    assert run_probe(shared_model_code, build(tmp_path, steps))[SIGNAL].outcome is NA
