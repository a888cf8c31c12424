"""Wikimedia PipelineLib (`.pipeline/config.yaml` plus Blubber files) on the shared model and the probes."""

from __future__ import annotations

from pathlib import Path

from probes.ci.presence import builds_artifacts, present
from probes.ci.testing import runs_tests
from scanner.facts.ci.model import PULL_REQUEST, PUSH
from scanner.model import Outcome
from scanner.testing import run_on_repo
from tests.ci._support import job, kinds, model_of, pipeline

CONFIG = """pipelines:
  scorer:
    blubberfile: scorer/blubber.yaml
    stages:
      - name: run-test
        build: test
        run: true
      - name: production
        build: production
  scorer-publish:
    blubberfile: scorer/blubber.yaml
    stages:
      - name: publish
        build: production
        publish:
          image:
            name: scorer
            tags: [stable]
"""
BLUBBER = """version: v4
lives:
  in: /srv/scorer
variants:
  base:
    python:
      version: python3
  test:
    includes: [base]
    copies:
      - from: local
        source: ci_entrypoint.sh
        destination: entrypoint.sh
    entrypoint: ["./entrypoint.sh", "ci-unit"]
  production:
    includes: [base]
    entrypoint: ["python3", "server.py"]
"""
FILES = {
    ".pipeline/config.yaml": CONFIG,
    ".pipeline/scorer/blubber.yaml": BLUBBER,
    "ci_entrypoint.sh": '#!/bin/bash\ntox -e "$1"\n',
    "tox.ini": "[testenv:ci-unit]\ncommands = pytest test/unit\n",
}


def test_pipelines_stages_and_assumed_triggers(tmp_path: Path) -> None:
    ci = model_of(tmp_path, FILES)
    test, publish = (
        pipeline(ci, ".pipeline/config.yaml", "scorer"),
        pipeline(ci, ".pipeline/config.yaml", "scorer-publish"),
    )
    assert test.system == "pipelinelib" and kinds(test.triggers) == [PULL_REQUEST]
    assert kinds(publish.triggers) == [PUSH] and publish.triggers[0].covers_default_branch()
    # `run: true` runs the variant's entrypoint, named by the repo file it was copied from; a build alone runs nothing
    (step,) = job(test, "scorer/run-test").steps
    assert (step.run, step.path) == ("ci_entrypoint.sh ci-unit", ".pipeline/scorer/blubber.yaml")
    assert job(test, "scorer/production").steps == ()
    assert [s.run for s in job(publish, "scorer-publish/publish").steps] == ["docker push scorer"]


def test_probes_read_the_tests_it_runs_and_the_image_it_publishes(tmp_path: Path) -> None:
    assert run_on_repo(present, tmp_path / "a", FILES).finding.outcome is Outcome.TRUE
    tests = run_on_repo(runs_tests, tmp_path / "b", FILES).finding
    assert tests.outcome is Outcome.TRUE and tests.locations[0].path == "ci_entrypoint.sh"
    assert run_on_repo(builds_artifacts, tmp_path / "c", FILES).finding.outcome is Outcome.TRUE


def test_a_stage_that_only_builds_is_no_test_run(tmp_path: Path) -> None:
    config = CONFIG.replace("        run: true\n", "")
    files = {**FILES, ".pipeline/config.yaml": config}
    assert run_on_repo(runs_tests, tmp_path, files).finding.outcome is Outcome.FALSE
