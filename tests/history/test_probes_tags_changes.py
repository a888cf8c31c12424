from __future__ import annotations

from pathlib import Path

import pytest

from probes.history.changes import model_binary_handoff, prompt_edit_churn, scoring_late
from probes.history.tags import tags
from scanner.model import Outcome
from scanner.testing import git, run_probe

from ._repo import ADA, SAM, Step, build, day, scripted, views_of

T, F, NA, UNK = Outcome.TRUE, Outcome.FALSE, Outcome.NOT_APPLICABLE, Outcome.NOT_AVAILABLE


def _tagged(days: list[float], annotated: bool = True, names: list[str] | None = None) -> list[Step]:
    names = names or [f"v1.{i}.0" for i in range(len(days))]
    return [
        Step({f"src/m{i}.py": f"{i}\n"}, SAM, at, f"release {i}", [(name, annotated)])
        for i, (at, name) in enumerate(zip(days, names, strict=True))
    ]


def test_regular_version_tags(tmp_path: Path) -> None:
    out = run_probe(tags, build(tmp_path, _tagged([0, 30, 61, 90, 120])))
    assert out["git.tags.present"].outcome is T and out["git.tags.present"].values["count"] == 5
    regular = out["git.tags.regular"]
    assert regular.outcome is T and regular.values["mean_interval_days"] == 30.0 and regular.confidence == "medium"
    assert {loc.object for loc in regular.locations} == {f"tag v1.{i}.0" for i in range(5)}
    assert out["git.gto_tags"].outcome is F


def test_irregular_or_few_tags(tmp_path: Path) -> None:
    out = run_probe(tags, build(tmp_path, _tagged([0, 1, 2, 120])))
    assert out["git.tags.regular"].outcome is F and out["git.tags.regular"].values["cv"] > 0.5
    few = run_probe(tags, build(tmp_path / "few", _tagged([0, 30, 60])))
    assert few["git.tags.regular"].outcome is F and "< 4" in few["git.tags.regular"].message


def test_non_version_and_gto_tags(tmp_path: Path) -> None:
    names = ["churn@v1.0.0", "churn#prod#1", "nightly", "release-candidate"]
    out = run_probe(tags, build(tmp_path, _tagged([0, 1, 2, 3], names=names)))
    assert out["git.tags.present"].outcome is F  # no v1.2.3-style tag
    assert out["git.gto_tags"].outcome is T and out["git.gto_tags"].values["count"] == 2


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("v1.2.3", True),
        ("1.4", True),
        ("v1004", True),  # deploy numbers
        ("199259", True),  # CI build ids
        ("release-42", True),
        ("gtfs-rt-archive/1.0", True),  # component-prefixed
        ("worker-v2.0.1-rc1", True),
        ("feature-2", False),
        ("backup/feat-metrics1", False),
        ("nightly", False),
        ("churn@v1.0.0", False),  # a GTO registration
    ],
)
def test_version_tag_schemes(tmp_path: Path, name: str, version: bool) -> None:
    out = run_probe(tags, build(tmp_path, _tagged([0], names=[name])))
    assert (out["git.tags.present"].outcome is T) is version


def test_lightweight_gto_tags_do_not_count(tmp_path: Path) -> None:
    out = run_probe(tags, build(tmp_path, _tagged([0], annotated=False, names=["churn@v1.0.0"])))
    assert out["git.gto_tags"].outcome is F and out["git.gto_tags"].values["lightweight_ignored"] == 1


@pytest.mark.parametrize(
    ("steps", "outcome", "count"),
    [
        (
            [
                Step({"app/model.pkl": b"\x80\x04binary"}, SAM, 0, "update model"),
                Step({"app/model.pkl": b"\x80\x04newer"}, SAM, 100, "update model"),
            ],
            T,
            2,
        ),
        (
            [
                Step({"app/main.py": "x\n"}, SAM, 0),
                Step({"app/model.pkl": b"\x80"}, SAM, 1),
                Step({"app/main.py": "y\n"}, SAM, 2),
            ],
            T,
            1,
        ),
        ([Step({"tests/fixtures/tiny.pkl": b"\x80", "examples/m.onnx": b"\x00"}, SAM, 0)], F, 0),  # not practice
        ([Step({"app/main.py": "x\n"}, SAM, 0)], F, 0),
    ],
)
def test_model_binary_handoff(tmp_path: Path, steps: list[Step], outcome: Outcome, count: int) -> None:
    found = run_probe(model_binary_handoff, build(tmp_path, steps))["git.model_binary_handoff"]
    assert found.outcome is outcome and found.values["commits"] == count
    if outcome is T:
        assert found.values["roles"] == {"SE": count} and found.locations[0].path == "app/model.pkl"


def test_model_binary_deletion_is_not_a_handoff(tmp_path: Path) -> None:
    root = scripted(tmp_path, [Step({"app/model.pkl": b"\x80", "app/main.py": "x\n"}, SAM, -400)])
    git(root, "rm", "-q", "app/model.pkl")
    git(root, "commit", "-q", "-m", "drop the pickle", author=SAM, date=day(0))
    found = run_probe(model_binary_handoff, views_of(root))["git.model_binary_handoff"]
    assert found.outcome is F and found.values["commits"] == 0


@pytest.mark.parametrize(
    ("edits", "outcome"),
    [
        ([10, 40, 90], T),
        ([10, 40], F),
        ([-300, -250, 10], F),  # older than 6 months before HEAD
    ],
)
def test_prompt_edit_churn(tmp_path: Path, edits: list[int], outcome: Outcome) -> None:
    steps = [Step({"prompts/system.txt": f"You are helper {i}.\n"}, ADA, at) for i, at in enumerate(edits)]
    steps.append(Step({"src/a.py": "1\n"}, SAM, 100))
    found = run_probe(prompt_edit_churn, build(tmp_path, steps))["git.prompt_edit_churn"]
    assert found.outcome is outcome


def test_prompt_edit_churn_not_applicable(tmp_path: Path) -> None:
    found = run_probe(prompt_edit_churn, build(tmp_path, [Step({"docs/prompts.md": "how we prompt"}, ADA, 0)]))
    assert found["git.prompt_edit_churn"].outcome is NA


TRAIN = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n"
SCORE = "def init():\n    pass\n\ndef run(data):\n    return model.predict(data)\n"


@pytest.mark.parametrize(
    ("steps", "outcome"),
    [
        ([Step({"ml/train.py": TRAIN}, ADA, 0), Step({"ml/score.py": SCORE}, SAM, 45)], T),
        ([Step({"ml/train.py": TRAIN}, ADA, 0), Step({"ml/score.py": SCORE}, SAM, 10)], F),
        ([Step({"ml/score.py": SCORE}, SAM, 0), Step({"ml/train.py": TRAIN}, ADA, 60)], F),
        ([Step({"ml/train.py": TRAIN}, ADA, 0)], NA),  # no scoring code
        ([Step({"ml/train.py": TRAIN, "ml/score.py": SCORE}, ADA, -500), Step({"x.py": "1\n"}, ADA, 0)], UNK),
        ([Step({"ml/train.py": TRAIN}, ADA, -500), Step({"ml/score.py": SCORE}, SAM, 0)], T),  # >= 365 days later
    ],
)
def test_scoring_late(tmp_path: Path, steps: list[Step], outcome: Outcome) -> None:
    found = run_probe(scoring_late, build(tmp_path, steps))["git.scoring_late"]
    assert found.outcome is outcome, found.message
