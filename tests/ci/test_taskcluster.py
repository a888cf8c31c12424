"""Taskcluster/Taskgraph: kinds become jobs, run-on-tasks-for become triggers, cron is scheduled."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.ci.mlops import trains_model
from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import EXTERNAL, MANUAL, PULL_REQUEST, PUSH, SCHEDULE, TAG
from scanner.testing import expect, run_on_repo
from tests.ci._support import job, kinds, model_of, pipeline

ROOT = """version: 1
tasks:
  - $if: 'tasks_for in ["github-push", "github-pull-request", "cron", "action"]'
    then: {}
"""
TESTS_KIND = """loader: taskgraph.loader.transform:loader
transforms: [taskgraph.transforms.run:transforms]
task-defaults:
  run-on-tasks-for: ["github-push", "github-pull-request"]
tasks:
  unit:
    description: Run unit tests
    run:
      using: run-task
      command:
        - bash
        - -c
        - >-
          cd $VCS_PATH && task test
"""
TRAIN_KIND = """kind-dependencies: [dataset]
tasks:
  teacher:
    run-on-tasks-for: []
    run:
      command: ["python3", "$VCS_PATH/pipeline/train/train.py", "--model", "teacher"]
"""
DATASET_KIND = """tasks:
  fetch:
    run:
      command: python3 pipeline/data/fetch.py
"""
PR_KIND = """kind-dependencies: [train]
tasks:
  all:
    run-on-tasks-for: ["github-pull-request"]
"""
TASKFILE = """version: '3'
tasks:
  test:
    cmds:
      - poetry run pytest -q
"""
CRON = """jobs:
  - name: nightly
    job: {type: decision-task, target-tasks-method: dataset-target-tasks}
    when: [{hour: 0, minute: 0}]
"""


def _files(**extra: str) -> dict[str, str]:
    return {
        ".taskcluster.yml": ROOT,
        "taskcluster/kinds/tests/kind.yml": TESTS_KIND,
        "taskcluster/kinds/train/kind.yml": TRAIN_KIND,
        "taskcluster/kinds/dataset/kind.yml": DATASET_KIND,
        "Taskfile.yml": TASKFILE,
        "pipeline/train/train.py": "print('train')\n",
        **extra,
    }


def test_kinds_become_jobs_with_their_events(tmp_path: Path) -> None:
    ci = model_of(tmp_path, _files())
    p = pipeline(ci, ".taskcluster.yml", "taskgraph")
    assert p.system == "taskcluster"
    assert kinds(p.triggers) == sorted([MANUAL, PULL_REQUEST, PUSH, SCHEDULE])
    unit = job(p, "tests/unit")
    assert kinds(unit.triggers or ()) == [PULL_REQUEST, PUSH]
    steps = [s for _, j, s in ci.steps() if j.id == "tests/unit"]
    assert any(cmd.hits(s, cmd.TEST) for s in steps), "go-task `task test` is followed into the Taskfile"
    teacher = job(p, "train/teacher")
    assert teacher.needs == ("dataset/fetch",)
    assert kinds(teacher.triggers or ()) == [MANUAL]
    assert ci.is_manual_only(p, teacher)
    assert any(cmd.hits(s, cmd.TRAIN) for s in teacher.steps)


def test_dependencies_run_with_the_tasks_needing_them(tmp_path: Path) -> None:
    ci = model_of(tmp_path, _files(**{"taskcluster/kinds/all-pr/kind.yml": PR_KIND}))
    p = pipeline(ci, ".taskcluster.yml", "taskgraph")
    assert kinds(job(p, "train/teacher").triggers or ()) == [MANUAL, PULL_REQUEST]
    assert PULL_REQUEST in kinds(job(p, "dataset/fetch").triggers or ())


def test_cron_schedules_the_kind_its_method_names(tmp_path: Path) -> None:
    ci = model_of(tmp_path, _files(**{".cron.yml": CRON}))
    cron = pipeline(ci, ".cron.yml", "cron")
    assert kinds(cron.triggers) == [SCHEDULE]
    p = pipeline(ci, ".taskcluster.yml", "taskgraph")
    assert SCHEDULE in kinds(job(p, "dataset/fetch").triggers or ())
    assert SCHEDULE not in kinds(job(p, "train/teacher").triggers or ())


def test_kinds_without_root_file_or_in_examples_are_not_pipelines(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            "taskcluster/kinds/tests/kind.yml": TESTS_KIND,
            "examples/.taskcluster.yml": ROOT,
        },
    )
    assert ci.empty
    assert "examples/.taskcluster.yml" not in [p.path for p in ci.pipelines]


def test_kinds_named_like_docs_or_examples_still_count(tmp_path: Path) -> None:
    docs_kind = TESTS_KIND.replace("unit:", "build-docs:").replace("task test", "make html")
    ci = model_of(tmp_path, _files(**{"taskcluster/kinds/docs/kind.yml": docs_kind}))
    p = pipeline(ci, ".taskcluster.yml", "taskgraph")
    assert job(p, "docs/build-docs").path == "taskcluster/kinds/docs/kind.yml"


INLINE = """version: 1
policy:
  pullRequests: public
tasks:
  $let:
    head_branch:
      $if: 'tasks_for[:19] == "github-pull-request"'
      then: ${event.pull_request.head.ref}
      else: ${event.ref}
  in:
    $let:
      default_task_definition:
        provisionerId: proj-x
        payload:
          image: python:3.12
    in:
      $if: 'tasks_for == "github-push" || tasks_for[:19] == "github-pull-request"'
      then:
        - $mergeDeep:
            - { $eval: default_task_definition }
            - taskId: { $eval: as_slugid("tests_task") }
              payload:
                command:
                  - "/bin/bash"
                  - "-cx"
                  - "pip install -e . && pytest tests/"
              metadata:
                name: x tests
        - $if: 'tasks_for == "github-push" && head_branch[:10] == "refs/tags/"'
          then:
            $mergeDeep:
              - { $eval: default_task_definition }
              - dependencies:
                  - { $eval: as_slugid("tests_task") }
                payload:
                  command: [taskboot, deploy-pypi]
                metadata:
                  name: x PyPI release
"""


def test_tasks_written_in_the_root_file_are_jobs(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {".taskcluster.yml": INLINE})
    p = pipeline(ci, ".taskcluster.yml", "taskgraph")
    tests = job(p, "x tests")
    assert kinds(tests.triggers or ()) == sorted([PULL_REQUEST, PUSH, TAG])  # a tag push runs it too
    assert [s.run for s in tests.steps] == ["pip install -e . && pytest tests/"]
    release = job(p, "x PyPI release")
    assert kinds(release.triggers or ()) == [TAG] and release.needs == ("x tests",)
    assert [j.id for _, j, s in ci.steps() if cmd.hits(s, cmd.TEST)] == ["x tests"]
    assert [j.id for _, j, s in ci.steps() if cmd.hits(s, cmd.BUILD)] == ["x PyPI release"]


def test_tag_triggered_task_publishing_a_package_is_release_automation(tmp_path: Path) -> None:
    from probes.ci.release import release_automation
    from scanner.testing import run_on_repo

    found = run_on_repo(release_automation, tmp_path, {".taskcluster.yml": INLINE}).finding
    assert found.outcome == "true"
    assert [loc.label() for loc in found.locations] == [".taskcluster.yml:36"]  # the command


HOOK = """{
  "schedule": ["0 0 1,16 * *"],
  "bindings": [{"exchange": "exchange/taskcluster-queue/v1/task-completed",
                "routingKeyPattern": "route.project.x.deploy_ending"}],
  "metadata": {"name": "X data pipeline", "owner": "team@example.com"},
  "task": {
    "metadata": {"name": "X data pipeline"},
    "payload": {"command": ["python", "/code/spawn_pipeline.py", "/code/data-pipeline.yml"], "image": "x/spawn"},
    "provisionerId": "proj-x"
  }
}
"""
API_HOOK = """{
  "metadata": {"name": "X classify patch"},
  "task": {"payload": {"command": ["x-classify", "--diff-id=${payload['DIFF_ID']}"]}}
}
"""
GRAPH = """version: 1
tasks:
  $let:
    repository: https://github.com/x/x
  in:
    - ID: commits
      payload:
        command: [x-data-commits]
      metadata: {name: x commits retrieval}
    - ID: train-regressor
      dependencies: [commits]
      payload:
        command: [x-train, regressor]
      metadata: {name: x train regressor}
"""


def test_hooks_are_scheduled_pipelines_with_the_tasks_they_spawn(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            "infra/taskcluster-hook-data-pipeline.json": HOOK,
            "infra/taskcluster-hook-classify.json": API_HOOK,
            "infra/data-pipeline.yml": GRAPH,
            "infra/spawn_pipeline.py": "print('spawn')\n",
        },
    )
    hook = pipeline(ci, "infra/taskcluster-hook-data-pipeline.json")
    assert hook.system == "taskcluster" and hook.name == "X data pipeline"
    assert kinds(hook.triggers) == [EXTERNAL, SCHEDULE]
    assert [t.detail for t in hook.triggers if t.kind == SCHEDULE] == ["0 0 1,16 * *"]
    assert [j.id for j in hook.jobs] == ["X data pipeline", "x commits retrieval", "x train regressor"]
    train = job(hook, "x train regressor")
    assert set(train.needs) == {"x commits retrieval", "X data pipeline"}
    assert kinds(train.triggers or ()) == [EXTERNAL, SCHEDULE]
    assert train.steps[0].run == "x-train regressor" and train.steps[0].path == "infra/data-pipeline.yml"
    spawn = job(hook, "X data pipeline").steps[0]
    assert spawn.run == "python /code/spawn_pipeline.py /code/data-pipeline.yml"
    api = pipeline(ci, "infra/taskcluster-hook-classify.json")
    assert [(t.kind, t.event) for t in api.triggers] == [(EXTERNAL, "hooks-api")]
    assert [j.id for j in api.jobs] == ["X classify patch"]


def test_json_named_like_a_hook_without_a_task_is_not_a_pipeline(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {"infra/taskcluster-hook-notes.json": '{"schedule": ["0 0 * * *"]}\n'})
    assert ci.empty


TRAINER = "def main():\n    print('train')\n"
SCRIPT_DECLARATIONS = {
    "pyproject": {"pyproject.toml": '[project]\nname = "x"\n\n[project.scripts]\nx-train = "scripts.trainer:main"\n'},
    "poetry": {"pyproject.toml": '[tool.poetry.scripts]\nx-train = "scripts.trainer:main"\n'},
    "setup.py": {
        "setup.py": "from setuptools import setup\n\nsetup(\n    name='x',\n    entry_points={\n"
        "        'console_scripts': [\n            'x-data-commits = scripts.commit_retriever:main',\n"
        "            'x-train = scripts.trainer:main',\n        ],\n    },\n)\n"
    },
    "setup.cfg": {"setup.cfg": "[options.entry_points]\nconsole_scripts =\n    x-train = scripts.trainer:main\n"},
}


@pytest.mark.parametrize("declared", SCRIPT_DECLARATIONS, ids=list(SCRIPT_DECLARATIONS))
def test_hook_task_running_the_repos_training_console_script_trains(tmp_path: Path, declared: str) -> None:
    files = {
        "infra/taskcluster-hook-data-pipeline.json": HOOK,
        "infra/data-pipeline.yml": GRAPH,
        "scripts/trainer.py": TRAINER,
        **SCRIPT_DECLARATIONS[declared],
    }
    found = run_on_repo(trains_model, tmp_path, files).finding
    expect(found, "true")
    assert found.values["jobs"] == ["infra/taskcluster-hook-data-pipeline.json:x train regressor"]
    assert SCHEDULE in found.values["triggers"]
    assert [loc.path for loc in found.locations] == ["infra/data-pipeline.yml"]


def test_console_script_of_another_package_is_not_resolved(tmp_path: Path) -> None:
    files = {"infra/taskcluster-hook-data-pipeline.json": HOOK, "infra/data-pipeline.yml": GRAPH}
    files["pyproject.toml"] = '[project.scripts]\nx-data-commits = "scripts.commit_retriever:main"\n'
    expect(run_on_repo(trains_model, tmp_path, files).finding, "false")
