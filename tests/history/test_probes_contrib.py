from __future__ import annotations

from pathlib import Path

import pytest

from probes.history.contrib import bus_factor, ds_in_monitoring, ds_in_orchestrator, sme_contrib
from scanner.model import Outcome
from scanner.testing import run_probe

from ._repo import ADA, DAN, EVE, SAM, Step, build

T, F, NA = Outcome.TRUE, Outcome.FALSE, Outcome.NOT_APPLICABLE
KFP = "from kfp import dsl\n\n@dsl.pipeline\ndef train():\n    pass\n"
EVIDENTLY = "from evidently import Report\n\nReport(metrics=[])\n"
DS_BASE = [Step({f"notebooks/n{i}.ipynb": "{}"}, ADA, i, f"nb {i}") for i in range(3)]
DE_BASE = [Step({f"dags/d{i}.py": "x = 1\n"}, DAN, 3 + i, f"dag {i}") for i in range(3)]


@pytest.mark.parametrize(
    ("extra", "outcome"),
    [
        ([Step({"ml/pipeline_def.py": KFP}, ADA, 10, "kfp pipeline")], T),  # found by content
        ([Step({"dvc.yaml": "stages: {}\n"}, ADA, 10, "dvc stages")], T),  # found by name
        ([Step({"dags/d9.py": "x = 2\n"}, DAN, 10)], F),  # only DE on pipelines
        ([Step({"examples/dags/demo.py": KFP}, ADA, 10)], F),  # examples are not practice; dags/ by DE remain
        ([Step({"ml/pipeline.py": "def run():\n    pass\n"}, ADA, 10)], F),  # a name is not an orchestrator
    ],
)
def test_ds_in_orchestrator(tmp_path: Path, extra: list[Step], outcome: Outcome) -> None:
    found = run_probe(ds_in_orchestrator, build(tmp_path, DS_BASE + DE_BASE + extra))["people.ds_in_orchestrator"]
    assert found.outcome is outcome
    if outcome is T:
        assert found.values["authors"] == 1 and found.locations[0].path in ("ml/pipeline_def.py", "dvc.yaml")


def test_ds_in_orchestrator_not_applicable_without_pipelines(tmp_path: Path) -> None:
    found = run_probe(ds_in_orchestrator, build(tmp_path, DS_BASE))["people.ds_in_orchestrator"]
    assert found.outcome is NA


@pytest.mark.parametrize(
    ("step", "outcome"),
    [
        (Step({"monitoring/drift.py": EVIDENTLY}, ADA, 10), T),
        (
            Step(
                {"ops/rules.yml": "groups:\n  - name: m\n    rules:\n      - alert: Drift\n        expr: x > 1\n"},
                ADA,
                10,
            ),
            T,
        ),
        (Step({"monitoring/drift.py": EVIDENTLY}, SAM, 10), F),  # monitoring changed, but not by DS
        (Step({"docs/monitoring/drift.md": "evidently"}, ADA, 10), NA),  # docs only: no monitoring code
    ],
)
def test_ds_in_monitoring(tmp_path: Path, step: Step, outcome: Outcome) -> None:
    steps = [*DS_BASE, Step({"src/a.py": "1\n", "src/b.py": "2\n"}, SAM, 5), step]
    found = run_probe(ds_in_monitoring, build(tmp_path, steps))["people.ds_in_monitoring"]
    assert found.outcome is outcome


@pytest.mark.parametrize(
    ("step", "outcome"),
    [
        (Step({"config/thresholds.yaml": "churn: 0.7\n", "config/labels.csv": "a,b\n"}, EVE, 10), T),
        (Step({"prompts/system.md": "You are a helpful bot.\n"}, EVE, 10), T),
        (Step({"params.yaml": "lr: 0.1\n"}, ADA, 10), F),  # the DS changing it is not an SME
        (Step({"README.md": "thresholds are in config\n"}, EVE, 10), F),  # not a model config
    ],
)
def test_sme_contrib(tmp_path: Path, step: Step, outcome: Outcome) -> None:
    steps = [*DS_BASE, Step({"params.yaml": "lr: 0.2\n"}, ADA, 5), step]
    found = run_probe(sme_contrib, build(tmp_path, steps))["people.sme_contrib.model_config"]
    assert found.outcome is outcome
    if outcome is T:
        assert "Eve Expert" in found.message and found.confidence == "low"


def test_bus_factor(tmp_path: Path) -> None:
    shared = [Step({"src/model.py": f"v = {i}\n"}, ADA if i % 2 else SAM, i) for i in range(6)]
    found = run_probe(bus_factor, build(tmp_path, shared))["git.bus_factor.model_paths"]
    assert found.outcome is T and found.values["bus_factor"] == 2 and found.confidence == "medium"


def test_bus_factor_of_one(tmp_path: Path) -> None:
    steps = [Step({"serving/app.py": f"v = {i}\n"}, ADA, i) for i in range(9)] + [Step({"serving/app.py": "x"}, SAM, 9)]
    steps.append(Step({"src/other.py": "1\n", "web/ui.ts": "1\n"}, SAM, 10))  # not model code
    found = run_probe(bus_factor, build(tmp_path, steps))["git.bus_factor.model_paths"]
    assert found.outcome is F and found.values["bus_factor"] == 1 and found.locations[0].commit


def test_bus_factor_not_applicable(tmp_path: Path) -> None:
    found = run_probe(bus_factor, build(tmp_path, [Step({"src/util.py": "1\n"}, SAM, 0)]))["git.bus_factor.model_paths"]
    assert found.outcome is NA


def test_bus_factor_of_transformations_in_a_data_platform(tmp_path: Path) -> None:
    steps = [Step({"warehouse/dbt_project.yml": "name: w\n"}, DAN, 0)]
    steps += [Step({f"warehouse/models/m{i}.sql": f"select {i}\n"}, DAN if i % 2 else SAM, i + 1) for i in range(6)]
    found = run_probe(bus_factor, build(tmp_path, steps))["git.bus_factor.model_paths"]
    assert found.outcome is T and found.values["bus_factor"] == 2
    assert found.values["code"] == "data transformation code"


def test_bus_factor_of_transformations_by_one_author(tmp_path: Path) -> None:
    steps = [Step({f"dags/d{i}.py": f"x = {i}\n"}, DAN, i) for i in range(6)]
    steps.append(Step({"README.md": "docs\n", "src/app.py": "1\n"}, SAM, 7))  # not transformation code
    found = run_probe(bus_factor, build(tmp_path, steps))["git.bus_factor.model_paths"]
    assert found.outcome is F and found.values["bus_factor"] == 1


def test_bus_factor_ignores_example_transformations(tmp_path: Path) -> None:
    steps = [Step({"examples/models/m.sql": f"select {i}\n"}, DAN if i % 2 else SAM, i) for i in range(4)]
    found = run_probe(bus_factor, build(tmp_path, steps))["git.bus_factor.model_paths"]
    assert found.outcome is NA


def test_model_code_wins_over_transformations(tmp_path: Path) -> None:
    steps = [Step({"src/model.py": f"v = {i}\n"}, ADA, i) for i in range(4)]
    steps += [Step({f"models/m{i}.sql": "select 1\n"}, DAN if i % 2 else SAM, 5 + i) for i in range(4)]
    found = run_probe(bus_factor, build(tmp_path, steps))["git.bus_factor.model_paths"]
    assert found.outcome is F and found.values["code"] == "model and serving code"
