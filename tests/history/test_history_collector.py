from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanner.collectors.history import build_history
from scanner.collectors.indexer import build_index
from scanner.facts.history import HistoryError
from scanner.facts.roles import infer_role, is_bot, team_role
from scanner.testing import git

from ._repo import ADA, BASE, BOT, DAN, SAM, Step, day, scripted

LOAD_MESSAGE = "load\n\nCo-authored-by: Ada L. <ada@old.example.org>\nCo-authored-by: Sam Software <sam@example.org>"
MAILMAP = "Ada Lovelace <ada@example.org> <ada@old.example.org>\n"


@pytest.fixture()
def team_repo(tmp_path: Path) -> Path:
    return scripted(
        tmp_path,
        [
            Step({".mailmap": MAILMAP, "train.py": "model.fit(x, y)\n"}, ADA, 0, "train", [("v0.1.0", False)]),
            Step({"notebooks/explore.ipynb": "{}"}, ("Ada L.", "ada@old.example.org"), 1, "explore"),
            Step({"dags/load.py": "x = 1\n", "poetry.lock": "lock"}, DAN, 2, LOAD_MESSAGE),
            Step({"requirements.txt": "x==2\n"}, BOT, 3, "bump x"),
            Step({"src/api.py": "import fastapi\n"}, SAM, 4, "api", [("v1.0.0", True)]),
            Step({"src/fit_model.py": "def go(m):\n    m.fit(1)\n"}, SAM, 5, "fit in src"),
        ],
    )


def test_identities_mailmap_bots_and_trailers(team_repo: Path) -> None:
    history = build_history(team_repo, index=build_index(team_repo))
    assert sorted(history.authors) == ["ada@example.org", "dan@example.org", "sam@example.org"]
    ada = history.authors["ada@example.org"]
    assert (ada.name, ada.commits, ada.co_authored) == ("Ada Lovelace", 2, 1)
    assert history.bot_commits == 1 and all(c.subject != "bump x" for c in history.commits)
    load = next(c for c in history.commits if c.subject == "load")
    assert load.author == "dan@example.org"
    assert load.co_authors == ("ada@example.org", "sam@example.org")
    assert load.files == ("dags/load.py",) and history.ignored_changes == 1  # poetry.lock left out
    assert load.added == frozenset({"dags/load.py"})


def test_roles_window_and_tags(team_repo: Path) -> None:
    history = build_history(team_repo, index=build_index(team_repo))
    assert history.window_end == datetime(2025, 1, 6, 10, 0, tzinfo=UTC)  # HEAD's date, not now
    assert (history.window_end - history.window_start).days == 365
    assert history.covers_start and not history.shallow
    assert history.role_of("ada@example.org") == "DS"
    assert history.role_of("dan@example.org") == "DE"
    # src/fit_model.py calls .fit(): a DS content hint beats the SE path rule
    assert history.domain_of("src/fit_model.py") == "DS"
    assert history.domain_of("src/api.py") == "SE"
    assert history.authors["sam@example.org"].domains == {"DE": 1, "DS": 1, "SE": 1}  # co-author of dags/load.py
    assert [(t.name, t.annotated, t.date) for t in history.tags] == [
        ("v0.1.0", False, BASE),
        ("v1.0.0", True, datetime(2025, 1, 5, 10, 0, tzinfo=UTC)),
    ]
    first = history.commits[-1]
    assert first.root and history.first_added("train.py") == first
    loc = history.location(first, "train.py")
    assert (loc.path, loc.commit, loc.snippet) == ("train.py", first.sha, "train")


def test_role_overrides(team_repo: Path) -> None:
    history = build_history(team_repo, role_overrides={"Dan Dataeng": "se", "ada@example.org": "DE"})
    assert history.authors["dan@example.org"].role == "SE"
    assert history.authors["dan@example.org"].role_source == "override"
    assert history.role_of("ada@example.org") == "DE"
    with pytest.raises(ValueError, match="unknown role"):
        build_history(team_repo, role_overrides={"x": "wizard"})


def test_window_excludes_old_commits(tmp_path: Path) -> None:
    root = scripted(
        tmp_path, [Step({"a.py": "1"}, ADA, 0), Step({"b.py": "2"}, SAM, 400), Step({"c.py": "3"}, SAM, 500)]
    )
    history = build_history(root)
    assert [c.files for c in history.commits] == [("c.py",), ("b.py",)]
    assert not history.covers_start and list(history.authors) == ["sam@example.org"]
    assert history.since(50) == history.commits[:1]


def test_errors_are_history_errors(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(HistoryError, match="not the top of a git repository"):
        build_history(plain)
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "main")
    with pytest.raises(HistoryError, match="has no commits"):
        build_history(empty)
    repo = scripted(tmp_path, [Step({"sub/a.py": "1"}), Step({"sub/b.py": "2"}, SAM, 1)])
    with pytest.raises(HistoryError):
        build_history(repo / "sub")  # a folder inside a repo is not a repo
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True)
    with pytest.raises(HistoryError, match="shallow clone"):
        build_history(shallow)  # a CI checkout with fetch-depth 1 cannot tell who worked here


@pytest.mark.parametrize(
    ("name", "email", "bot"),
    [
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", True),
        ("renovate", "bot@renovateapp.com", True),
        ("github-actions", "41898282+github-actions[bot]@users.noreply.github.com", True),
        ("GitHub", "noreply@github.com", True),
        ("Release Bot", "release-bot@corp.example", True),
        ("Ada", "12345+ada@users.noreply.github.com", False),  # people use noreply addresses too
        ("Abbot Smith", "abbot@corp.example", False),
    ],
)
def test_is_bot(name: str, email: str, bot: bool) -> None:
    assert is_bot(name, email) is bot


@pytest.mark.parametrize(
    ("team", "role"),
    [
        ("@acme/data-science", "DS"),
        ("@acme/ml-team", "DS"),
        ("@acme/data-eng", "DE"),
        ("@acme/platform-data", "DE"),
        ("@acme/platform", "OPS"),
        ("@acme/sre", "OPS"),
        ("@acme/backend", "SE"),
        ("@acme/app-devs", "SE"),
        ("@acme/html-writers", None),
        ("@acme/legal", None),
    ],
)
def test_team_role(team: str, role: str | None) -> None:
    assert team_role(team) == role


def test_five_thousand_commits_parse(tmp_path: Path) -> None:
    root = tmp_path / "big"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    stamp = int(BASE.timestamp())
    lines = []
    for i in range(5000):
        who = ("Ada Lovelace", "ada@example.org") if i % 3 else ("Sam Software", "sam@example.org")
        msg = f"change {i}\n"
        lines += [
            "commit refs/heads/main",
            f"author {who[0]} <{who[1]}> {stamp + i * 600} +0000",
            f"committer {who[0]} <{who[1]}> {stamp + i * 600} +0000",
            f"data {len(msg)}",
            msg.rstrip("\n"),
            f"M 100644 inline src/mod{i % 50}/file{i % 7}.py",
            "data 2",
            f"{i % 10}",
            "",
        ]
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input="\n".join(lines).encode(), check=True)
    git(root, "reset", "-q", "--hard", "main")
    history = build_history(root)  # its speed is measured by benchmarks.local_scan (10,000 commits)
    assert len(history.commits) == 5000 and len(history.authors) == 2


def test_day_helper() -> None:
    assert day(1).startswith("2025-01-02") and DAN[1] == "dan@example.org"


@pytest.mark.parametrize(
    ("counts", "role"),
    [
        ({"DS": 3, "OTHER": 8}, "DS"),  # a data scientist also touching data and config files
        ({"DS": 1, "OTHER": 9}, "OTHER"),  # a domain expert who once opened a notebook
        ({"DS": 2, "DE": 2}, "DS"),  # ties go to the earlier domain
        ({"SE": 2, "DE": 3}, "DE"),
        ({}, "OTHER"),
    ],
)
def test_infer_role(counts: dict[str, int], role: str) -> None:
    assert infer_role(counts) == role


def test_changes_to_a_vendored_package_copy_are_left_out(tmp_path: Path) -> None:
    copy = {
        "inference/dependencies/AutoGPTQ/setup.py": "from setuptools import setup\n",
        "inference/dependencies/AutoGPTQ/LICENSE": "MIT License\n",
        "inference/dependencies/AutoGPTQ/auto_gptq/modeling.py": "import torch\n",
    }
    root = scripted(tmp_path, [Step({**copy, "inference/run.py": "import auto_gptq\n"}, ADA, 0, "quantize")])
    history = build_history(root, index=build_index(root))
    assert history.commits[0].files == ("inference/run.py",) and history.ignored_changes == 3
