"""build_ci across systems: malformed files do not stop the rest, scripts and Makefile targets a step
runs are followed, and the model's graph helpers."""

from __future__ import annotations

from pathlib import Path

from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import CIModel
from tests.ci._support import job, model_of, pipeline

MAKEFILE = "deploy: build\n\t@kubectl apply -f k8s/\nbuild:\n\tdocker build -t app .\nlint:\n\t-ruff check .\n"


def test_one_bad_file_does_not_hide_the_others(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            ".github/workflows/ok.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n",
            ".github/workflows/bad.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: 'unterminated\n",
            ".gitlab-ci.yml": "test:\n  script: [pytest]\n",
            "Jenkinsfile": "pipeline { stages { stage('t') { steps { sh 'pytest' } } } }\n",
        },
    )
    assert [e.path for e in ci.errors] == [".github/workflows/bad.yml"]
    assert ci.errors[0].line is not None
    assert ci.systems == ("github_actions", "gitlab", "jenkins")
    assert sum(1 for _ in ci.steps()) == 3


def test_empty_repo_has_no_ci(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {"README.md": "# hi\n"})
    assert ci.empty and ci.errors == () and ci.ignored == ()


def test_scripts_and_make_targets_become_children(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            ".github/workflows/cd.yml": "on: push\njobs:\n  d:\n    steps:\n      - run: |\n"
            "          ./scripts/release.sh\n          make deploy lint\n",
            "scripts/release.sh": "#!/bin/bash\nset -euo pipefail\npython -m build\ntwine upload dist/*\n",
            "Makefile": MAKEFILE,
        },
    )
    p = pipeline(ci, ".github/workflows/cd.yml")
    top = job(p, "d").steps[0]
    assert [c.path for c in top.children] == ["scripts/release.sh", "Makefile", "Makefile", "Makefile"]
    found = {(h.category, h.path, h.line, h.can_fail) for _, _, s in ci.steps() for h in cmd.classify(s)}
    assert (cmd.BUILD, "scripts/release.sh", 3, False) in found
    assert (cmd.DEPLOY, "Makefile", 2, False) in found
    assert (cmd.BUILD, "Makefile", 4, False) in found


def test_make_dash_prefix_can_fail(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            ".gitlab-ci.yml": "t:\n  script: [make check]\n",
            "Makefile": "check:\n\t-pytest\n",
        },
    )
    found = [(h.path, h.can_fail) for _, _, s in ci.steps() for h in cmd.hits(s, cmd.TEST)]
    assert found == [(".gitlab-ci.yml", False), ("Makefile", True)]  # the recipe line ignores errors


def test_graph_helpers(tmp_path: Path) -> None:
    text = (
        "on: push\njobs:\n  a:\n    steps: [{run: make}]\n  b:\n    needs: a\n    steps: [{run: make}]\n"
        "  c:\n    needs: [b]\n    steps: [{run: make}]\n"
    )
    ci: CIModel = model_of(tmp_path, {".github/workflows/x.yml": text})
    p = pipeline(ci, ".github/workflows/x.yml")
    assert [j.id for j in ci.upstream(p, job(p, "c"))] == ["b", "a"]
    assert [j.id for j in ci.downstream(p, job(p, "a"))] == ["b", "c"]
    assert ci.is_automatic(p, job(p, "c")) and not ci.is_manual_only(p, job(p, "c"))


def test_workflow_run_after_a_manual_pipeline_is_manual(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            ".github/workflows/build.yml": "name: build\non: workflow_dispatch\njobs:\n  b:\n"
            "    steps: [{run: make}]\n",
            ".github/workflows/ship.yml": "on:\n  workflow_run:\n    workflows: [build]\njobs:\n  s:\n"
            "    steps: [{run: make}]\n",
            ".github/workflows/orphan.yml": "on:\n  workflow_run:\n    workflows: [elsewhere]\njobs:\n  o:\n"
            "    steps: [{run: make}]\n",
        },
    )
    ship = pipeline(ci, ".github/workflows/ship.yml")
    assert not ci.is_automatic(ship, ship.jobs[0]) and ci.is_manual_only(ship, ship.jobs[0])
    orphan = pipeline(ci, ".github/workflows/orphan.yml")
    assert ci.is_automatic(orphan, orphan.jobs[0])  # an upstream we cannot see is taken as automatic
