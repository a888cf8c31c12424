from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from probes.history.codeowners import cross_team, platform_infra, prompts, release_paths, shared_ds_de, team_split
from scanner.facts.ci.build import build_ci
from scanner.model import Outcome
from scanner.testing import git, run_probe, write_files
from scanner.views import Views

from ._repo import ADA, DAN, SAM, Step, day, scripted, views_of

T, F, NA = Outcome.TRUE, Outcome.FALSE, Outcome.NOT_APPLICABLE
KFP = "from kfp import dsl\n\n@dsl.pipeline\ndef train():\n    pass\n"
TREE: dict[str, str | bytes] = {
    "pipelines/train_pipeline.py": KFP,
    "dags/etl.py": "x = 1\n",
    "src/api.py": "x = 1\n",
    "serving/app.py": "x = 1\n",
    "infra/main.tf": 'resource "x" "y" {}\n',
    "prompts/system.txt": "You are a careful assistant.\n",
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DS (Ada), DE (Dan) and SE (Sam) authors on a tree with pipelines, services, infra and prompts."""
    steps = [
        Step(dict(TREE), SAM, 0, "scaffold"),
        *[Step({f"notebooks/n{i}.ipynb": "{}"}, ADA, 1 + i) for i in range(3)],
        *[Step({f"dags/d{i}.py": "x = 1\n"}, DAN, 5 + i) for i in range(3)],
        *[Step({f"src/s{i}.py": "x = 1\n"}, SAM, 8 + i) for i in range(3)],
    ]
    return scripted(tmp_path_factory.mktemp("base"), steps)


def _views(base: Path, tmp_path: Path, codeowners: str | None, tree: dict[str, str | bytes] | None = None) -> Views:
    root = tmp_path / "repo"
    shutil.copytree(base, root)
    if tree is not None:
        git(root, "rm", "-rq", "pipelines", "dags", "src", "serving", "infra", "prompts")
        write_files(root, tree)
    if codeowners is not None:
        write_files(root, {".github/CODEOWNERS": codeowners})
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "owners", author=SAM, date=day(20))
    views = views_of(root)
    assert views.repo is not None
    views.ci = build_ci(views.repo)  # release_paths reads the CI model's pipelines
    return views


@pytest.mark.parametrize(
    ("codeowners", "outcome"),
    [
        ("/pipelines/ @acme/data-science @acme/data-eng\n", T),
        ("/dags/ @ada @dan\n", T),  # users mapped through their inferred roles
        ("/dags/ @ada.lovelace @acme/data-platform\n", T),  # name-based handle, DE team
        ("* @acme/data-science @acme/data-eng\n", F),  # a catch-all says nothing
        ("/dags/ @acme/data-science @acme/data-eng\n/dags/ @acme/data-eng\n", F),  # last match wins
        ("/dags/ @acme/data-eng\n/pipelines/ @acme/data-science\n", F),  # one role per rule
        (None, F),
    ],
)
def test_shared_ds_de(base: Path, tmp_path: Path, codeowners: str | None, outcome: Outcome) -> None:
    found = run_probe(shared_ds_de, _views(base, tmp_path, codeowners))["repo.codeowners.shared_ds_de"]
    assert found.outcome is outcome, found.message
    if outcome is T:
        assert found.locations[0].path == ".github/CODEOWNERS" and found.locations[0].line == 1
        assert found.confidence == "medium"
    if codeowners and codeowners.startswith("*"):
        assert "catch-all" in found.message


@pytest.mark.parametrize(
    ("codeowners", "outcome"),
    [
        ("/serving/ @acme/backend\n", T),
        ("/serving/ @sam\n", T),
        ("/serving/ @acme/data-science\n", F),
        ("* @acme/backend\n", F),
    ],
)
def test_release_paths(base: Path, tmp_path: Path, codeowners: str, outcome: Outcome) -> None:
    found = run_probe(release_paths, _views(base, tmp_path, codeowners))["repo.codeowners.release_paths"]
    assert found.outcome is outcome, found.message


WORKFLOW = (
    "on:\n  push:\n    branches: [main]\njobs:\n  {job}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {run}\n"
)
BUILD = WORKFLOW.format(job="image", run="docker build -t acme/app . && docker push acme/app")
TESTS_ONLY = WORKFLOW.format(job="test", run="pytest tests")
TC_ROOT = 'version: 1\ntasks:\n  - $if: \'tasks_for in ["github-push", "action"]\'\n    then: {}\n'
KIND = "tasks:\n  export:\n    run:\n      command: docker push acme/model\n"


@pytest.mark.parametrize(
    ("tree", "codeowners", "outcome"),
    [
        # release engineering reviews the pipeline that builds and ships (the team named as in mozilla/translations)
        (
            {".taskcluster.yml": TC_ROOT, "taskcluster/kinds/export/kind.yml": KIND},
            "taskcluster @acme/releng @acme/ml-training\n",
            T,
        ),
        ({".github/workflows/ci.yml": BUILD}, "/.github/workflows/ @acme/platform\n", T),
        ({".github/workflows/ci.yml": BUILD}, "/.github/workflows/ @acme/data-science\n", F),
        # a pipeline that only runs tests builds and ships nothing: it is not a release path
        ({".github/workflows/ci.yml": TESTS_ONLY}, "/.github/workflows/ @acme/platform\n", NA),
        # a workflow inside an example is documentation, not the repository's pipeline: nothing to own
        ({"examples/app/.github/workflows/ci.yml": BUILD}, "/examples/ @acme/platform\n", NA),
        # owning `.github` (issue templates, CODEOWNERS itself) is not owning a pipeline
        ({".github/ISSUE_TEMPLATE/bug.md": "bug\n", "lib/util.py": "x = 1\n"}, "/.github/ @acme/platform\n", NA),
    ],
)
def test_release_paths_ci_pipelines(
    base: Path, tmp_path: Path, tree: dict[str, str | bytes], codeowners: str, outcome: Outcome
) -> None:
    views = _views(base, tmp_path, codeowners, tree)
    found = run_probe(release_paths, views)["repo.codeowners.release_paths"]
    assert found.outcome is outcome, found.message
    if outcome is T:
        assert found.locations[0].path == ".github/CODEOWNERS" and found.locations[0].line == 1


def test_release_paths_not_applicable(base: Path, tmp_path: Path) -> None:
    found = run_probe(release_paths, _views(base, tmp_path, "* @a/b\n", {"lib/util.py": "x = 1\n"}))
    assert found["repo.codeowners.release_paths"].outcome is NA


@pytest.mark.parametrize(
    ("codeowners", "outcome"),
    [("/prompts/ @eve\n", T), ("*.txt @acme/writers\n", T), ("* @acme/all\n", F), ("/src/ @sam\n", F)],
)
def test_prompts(base: Path, tmp_path: Path, codeowners: str, outcome: Outcome) -> None:
    assert run_probe(prompts, _views(base, tmp_path, codeowners))["repo.codeowners.prompts"].outcome is outcome


@pytest.mark.parametrize(
    ("codeowners", "outcome"),
    [("*.tf @acme/platform\n", T), ("/infra/ @acme/sre\n", T), ("*.tf @ola\n", F), ("*.tf @acme/data-eng\n", F)],
)
def test_platform_infra(base: Path, tmp_path: Path, codeowners: str, outcome: Outcome) -> None:
    assert (
        run_probe(platform_infra, _views(base, tmp_path, codeowners))["repo.codeowners.platform_infra"].outcome
        is outcome
    )


@pytest.mark.parametrize(
    ("codeowners", "outcome"),
    [
        ("/pipelines/ @acme/releng @acme/translations-training\n", T),  # roles unstated by the names
        ("/dags/ @acme/data-eng @acme/data-science\n", T),
        ("/src/ @acme/backend @acme/frontend\n", F),  # two teams of one role
        ("/src/ @sam @ada\n", F),  # people, not teams
        ("* @acme/releng @acme/training\n", F),  # a catch-all says nothing
        ("/docs/ @acme/releng @acme/training\n", F),  # no code under docs/
    ],
)
def test_cross_team(base: Path, tmp_path: Path, codeowners: str, outcome: Outcome) -> None:
    assert run_probe(cross_team, _views(base, tmp_path, codeowners))["repo.codeowners.cross_team"].outcome is outcome


def test_cross_team_without_codeowners(base: Path, tmp_path: Path) -> None:
    assert run_probe(cross_team, _views(base, tmp_path, None))["repo.codeowners.cross_team"].outcome is F


@pytest.mark.parametrize(
    ("codeowners", "outcome", "teams"),
    [
        # a team owns the rest beside a team owning a part (as in Pocket/recommendation-api): declared boundaries
        ("* @acme/content\n/infra/ @acme/sre\n", T, 2),
        ("/pipelines/ @acme/ml\n/serving/ @acme/backend @sam\n", T, 2),
        # one team, or people only: no team boundary is declared
        ("* @acme/core-team\n/src/ @sam @ada\n", F, 1),
        ("/dags/ @dan\n/src/ @sam\n", F, 0),
        # last match wins: the second team's rule is overridden and owns nothing
        ("/infra/ @acme/sre\n* @acme/content\n", F, 1),
        # a team whose pattern matches no file at HEAD owns nothing
        ("* @acme/content\n/terraform/ @acme/sre\n", F, 1),
    ],
)
def test_team_split(base: Path, tmp_path: Path, codeowners: str, outcome: Outcome, teams: int) -> None:
    found = run_probe(team_split, _views(base, tmp_path, codeowners))["repo.codeowners.team_split"]
    assert found.outcome is outcome, found.message
    assert found.values["teams"] == teams
    if outcome is T:
        assert {loc.path for loc in found.locations} == {".github/CODEOWNERS"}
        assert "@acme/" in found.message


def test_team_split_without_codeowners(base: Path, tmp_path: Path) -> None:
    found = run_probe(team_split, _views(base, tmp_path, None))["repo.codeowners.team_split"]
    assert found.outcome is F and "no CODEOWNERS" in found.message
