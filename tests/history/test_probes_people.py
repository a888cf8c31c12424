from __future__ import annotations

from pathlib import Path

from probes.history.authors import authors
from probes.history.cochange import cochange
from scanner.model import Outcome
from scanner.testing import run_probe

from ._repo import ADA, BOT, DAN, SAM, Step, build

T, F, NA = Outcome.TRUE, Outcome.FALSE, Outcome.NOT_APPLICABLE


def _ds(n: int, at: float, extra: dict[str, str | bytes] | None = None) -> Step:
    return Step({f"notebooks/n{n}.ipynb": "{}", **(extra or {})}, ADA, at, f"explore {n}")


def _de(n: int, at: float, extra: dict[str, str | bytes] | None = None) -> Step:
    return Step({f"dags/d{n}.py": "x = 1\n", **(extra or {})}, DAN, at, f"dag {n}")


def _se(n: int, at: float, extra: dict[str, str | bytes] | None = None) -> Step:
    return Step({f"src/s{n}.py": "x = 1\n", **(extra or {})}, SAM, at, f"app {n}")


def test_three_roles_present(tmp_path: Path) -> None:
    out = run_probe(authors, build(tmp_path, [_ds(1, 0), _ds(2, 1), _de(1, 2), _de(2, 3), _se(1, 4), _se(2, 5)]))
    assert out["git.multi_author"].outcome is T and out["git.multi_author"].values["count"] == 3
    assert out["git.repo.single_author"].outcome is F
    for role in ("ds", "de", "se"):
        found = out[f"people.{role}.present"]
        assert found.outcome is T and found.values["count"] == 1 and found.confidence == "low"
    assert out["people.ds.present"].locations[0].commit  # cites commits


def test_single_author_dominates(tmp_path: Path) -> None:
    steps = [_ds(i, i) for i in range(10)] + [_se(1, 11)]
    out = run_probe(authors, build(tmp_path, steps))
    single = out["git.repo.single_author"]
    assert single.outcome is T and single.values["share"] == 0.91 and "Ada Lovelace" in single.message
    assert out["git.multi_author"].outcome is T
    assert out["people.de.present"].outcome is F


def test_bots_and_mailmap_do_not_make_a_team(tmp_path: Path) -> None:
    steps = [
        Step({".mailmap": "Ada Lovelace <ada@example.org> <ada@home.example>\n", "notebooks/a.ipynb": "{}"}, ADA, 0),
        Step({"notebooks/b.ipynb": "{}"}, ("Ada at home", "ada@home.example"), 1),
        *[Step({"requirements.txt": f"x=={i}\n"}, BOT, 2 + i, "bump") for i in range(5)],
    ]
    out = run_probe(authors, build(tmp_path, steps))
    assert out["git.multi_author"].outcome is F and out["git.multi_author"].values["bot_commits"] == 5
    assert out["git.repo.single_author"].outcome is T and out["git.repo.single_author"].values["share"] == 1.0


def test_bot_only_history_is_not_single_author(tmp_path: Path) -> None:
    out = run_probe(authors, build(tmp_path, [Step({"requirements.txt": "x\n"}, BOT, 0)]))
    assert out["git.repo.single_author"].outcome is NA
    assert out["git.multi_author"].outcome is F


def test_cochange_in_a_shared_commit(tmp_path: Path) -> None:
    pair = Step({"features/build.py": "x = 1\n"}, DAN, 10, "features\n\nCo-authored-by: Ada Lovelace <ada@example.org>")
    out = run_probe(cochange, build(tmp_path, [_ds(1, 0), _ds(2, 1), _ds(3, 2), _de(1, 3), _de(2, 4), pair]))
    found = out["people.ds_de.cochange"]
    assert found.outcome is T and found.values["commit_edges"] == 1 and found.confidence == "low"
    assert found.locations[0].path == "features/build.py"
    assert out["people.ds.isolated"].outcome is F and out["people.de.isolated"].outcome is F
    assert out["people.se_de.cochange"].outcome is F and "0 SE-role" in out["people.se_de.cochange"].message


def test_cochange_same_directory_within_14_days(tmp_path: Path) -> None:
    steps = [
        _ds(1, 0),
        _ds(2, 1),
        _de(1, 2),
        _de(2, 3),
        _se(1, 4),
        _se(2, 5),
        _ds(3, 20, {"shared/features/a.py": "a = 1\n"}),
        _de(3, 30, {"shared/features/b.py": "b = 1\n"}),
        _se(3, 60, {"shared/features/c.py": "c = 1\n"}),
    ]
    out = run_probe(cochange, build(tmp_path, steps))
    ds_de = out["people.ds_de.cochange"]
    assert ds_de.outcome is T and ds_de.values["directory_edges"] == 1 and "shared/features" in ds_de.message
    assert {loc.path for loc in ds_de.locations} == {"shared/features/a.py", "shared/features/b.py"}
    assert out["people.se_de.cochange"].outcome is F  # 30 days apart
    assert out["people.ds_se.cochange"].outcome is F  # 40 days apart
    assert out["people.ds.isolated"].outcome is F


def test_shared_files_and_root_do_not_link_roles(tmp_path: Path) -> None:
    steps = [
        _ds(1, 0),
        _ds(2, 1),
        _de(1, 2),
        _de(2, 3),
        _ds(
            3,
            10,
            {"pyproject.toml": "[a]\n", "README.md": "a", ".github/workflows/ci.yml": "a: 1\n", "train.py": "1\n"},
        ),
        _de(
            3,
            11,
            {
                "pyproject.toml": "[b]\n",
                "README.md": "b",
                ".github/workflows/ci.yml": "b: 1\n",
                "etl.sql": "select 1\n",
            },
        ),
    ]
    out = run_probe(cochange, build(tmp_path, steps))
    assert out["people.ds_de.cochange"].outcome is F
    isolated = out["people.ds.isolated"]
    assert isolated.outcome is T and "GitHub API" in isolated.message and isolated.locations
    assert out["people.de.isolated"].outcome is T


def test_isolation_needs_the_role(tmp_path: Path) -> None:
    out = run_probe(cochange, build(tmp_path, [_ds(1, 0), _se(1, 1)]))
    assert out["people.de.isolated"].outcome is NA
    assert out["people.ds.isolated"].outcome is T
