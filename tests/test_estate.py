"""The fixture builder: histories as scripted, deterministic shas, problem files, clear errors."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.estate import ESTATE_NAME, MARKER, RENAMES, FixtureError, build_estate, build_repo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "repos"
NAMES = sorted(p.parent.name for p in FIXTURES.glob("*/history.yml"))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def history(name: str) -> dict[str, Any]:
    return yaml.safe_load((FIXTURES / name / "history.yml").read_text(encoding="utf-8"))


def iso(value: str | datetime) -> str:
    return value if isinstance(value, str) else value.isoformat()


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_estate(FIXTURES, tmp_path_factory.mktemp("estate"))


def test_the_seven_fixtures_exist() -> None:
    assert set(NAMES) >= {
        "notebook-solo",
        "cookiecutter-ds",
        "pipeline-dvc-mlflow",
        "llm-app",
        "team-platform",
        "decoy-templates",
        "messy-files",
    }


def test_estate_layout(estate: Path) -> None:
    assert estate.name == ESTATE_NAME
    assert sorted(p.name for p in estate.iterdir()) == NAMES
    assert all((estate / n / ".git" / MARKER).is_file() for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_commits_authors_and_dates_follow_history(estate: Path, name: str) -> None:
    h = history(name)
    log = git(estate / name, "log", "--reverse", "--format=%an <%ae>|%aI|%cn <%ce>|%cI|%s").splitlines()
    assert len(log) == len(h["commits"])
    for line, commit in zip(log, h["commits"], strict=True):
        author, date, committer, cdate, subject = line.split("|", 4)
        who = h["authors"][commit["author"]]
        assert author == committer == f"{who['name']} <{who['email']}>"
        assert date == cdate == iso(commit["date"])
        assert subject == commit["message"].strip().splitlines()[0]


@pytest.mark.parametrize("name", NAMES)
def test_head_holds_exactly_tree_plus_generated(estate: Path, name: str) -> None:
    tree = FIXTURES / name / "tree"
    expected = set()
    for path in tree.rglob("*"):
        if path.is_file():
            rel = path.relative_to(tree)
            expected.add(str(rel.with_name(RENAMES.get(rel.name, rel.name))))
    expected |= {g["path"] for g in history(name).get("generated", [])}
    assert set(git(estate / name, "ls-files").splitlines()) == expected
    assert git(estate / name, "status", "--porcelain") == ""


@pytest.mark.parametrize("name", NAMES)
def test_tags_point_at_their_commits_with_their_dates(estate: Path, name: str) -> None:
    repo = estate / name
    shas = git(repo, "rev-list", "--reverse", "HEAD").split()
    h = history(name)
    for tag in h.get("tags", []):
        assert git(repo, "rev-parse", f"{tag['name']}^{{commit}}").strip() == shas[tag["commit"]]
        kind = git(repo, "cat-file", "-t", tag["name"]).strip()
        assert kind == ("tag" if tag.get("annotated") else "commit")
        if tag.get("annotated"):
            tagged = git(repo, "for-each-ref", "--format=%(taggerdate:iso-strict)", f"refs/tags/{tag['name']}")
            assert tagged.strip() == iso(tag.get("date", h["commits"][tag["commit"]]["date"]))


def test_builds_are_deterministic_and_ignore_the_callers_git_environment(
    estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var, value in {
        "GIT_DIR": str(tmp_path / "elsewhere"),
        "GIT_AUTHOR_NAME": "Someone Else",
        "GIT_COMMITTER_DATE": "2001-01-01T00:00:00Z",
        "HOME": str(tmp_path),
    }.items():
        monkeypatch.setenv(var, value)
    (tmp_path / ".gitconfig").write_text("[user]\n\tname = Home Config\n[commit]\n\tgpgsign = true\n")
    again = build_estate(FIXTURES, tmp_path / "again")
    monkeypatch.undo()
    for name in NAMES:
        refs = git(estate / name, "show-ref", "--head")
        assert git(again / name, "show-ref", "--head") == refs, name


def test_rebuild_replaces_a_built_repo(tmp_path: Path) -> None:
    first = build_repo(FIXTURES / "cookiecutter-ds", tmp_path)
    (first / "stray.txt").write_text("left over")
    head = git(first, "rev-parse", "HEAD")
    second = build_repo(FIXTURES / "cookiecutter-ds", tmp_path)
    assert second == first and not (second / "stray.txt").exists()
    assert git(second, "rev-parse", "HEAD") == head


def test_refuses_to_replace_a_folder_it_did_not_build(tmp_path: Path) -> None:
    (tmp_path / "llm-app").mkdir()
    (tmp_path / "llm-app" / "precious.txt").write_text("keep me")
    with pytest.raises(FixtureError, match="refusing to replace"):
        build_repo(FIXTURES / "llm-app", tmp_path)
    (tmp_path / "other" / ESTATE_NAME).mkdir(parents=True)
    (tmp_path / "other" / ESTATE_NAME / "notes.md").write_text("mine")
    with pytest.raises(FixtureError, match="refusing to replace"):
        build_estate(FIXTURES, tmp_path / "other", ["messy-files"])
    assert (tmp_path / "llm-app" / "precious.txt").exists() and (tmp_path / "other" / ESTATE_NAME / "notes.md").exists()


def test_messy_files_problem_files(estate: Path) -> None:
    repo = estate / "messy-files"
    big = repo / "data" / "readings_2026.jsonl"
    assert big.stat().st_size == 3 * 1024 * 1024 > 1024 * 1024
    assert big.read_bytes().startswith(b'{"ts": "2026-01-01T00:00:00Z"') and big.read_bytes().endswith(b"\n")
    blob = (repo / "data" / "sample.json").read_bytes()
    assert blob.startswith(b'{"gateway"') and b"\x00" in blob[:8192]
    legacy = (repo / "legacy" / "convert_legacy.py").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        legacy.decode("utf-8")
    assert "température" in legacy.decode("latin-1")
    links = {
        "sensorkit/defaults.yaml": "../config/thresholds.yaml",
        "config/local.env": "../../secret/.env",
        "secrets/passwd": "/etc/passwd",
    }
    modes = {line.split()[3]: line.split()[0] for line in git(repo, "ls-files", "-s").splitlines()}
    for path, target in links.items():
        assert modes[path] == "120000"
        assert (repo / path).is_symlink() and str((repo / path).readlink()) == target
    for broken in (".github/workflows/broken.yml", "params.yaml"):
        with pytest.raises(yaml.YAMLError):
            yaml.safe_load((repo / broken).read_text())
    assert yaml.safe_load((repo / ".github/workflows/ci.yml").read_text())["jobs"]["test"]


def test_generated_binaries_and_executables(estate: Path) -> None:
    pickle = (estate / "notebook-solo" / "model.pkl").read_bytes()
    assert len(pickle) == 48213 and b"\x00" in pickle[:512]
    assert git(estate / "notebook-solo", "log", "--format=%ae").split() == ["tomas.herrera@brightwater-credit.com"] * 6


def test_team_platform_identities(estate: Path) -> None:
    repo = estate / "team-platform"
    raw = set(git(repo, "log", "--format=%ae").split())
    mapped = set(git(repo, "log", "--use-mailmap", "--format=%aE").split())
    assert "pnair.dev@gmail.com" in raw and "pnair.dev@gmail.com" not in mapped
    humans = {e for e in mapped if "[bot]" not in e}
    assert len(humans) >= 5
    assert git(repo, "log", "--format=%an").split("\n").count("dependabot[bot]") == 4
    assert "Co-authored-by: Priya Nair <priya.nair@acme.io>" in git(repo, "log", "--format=%B")


def test_fixture_files_are_not_ignored_by_this_repository() -> None:
    """A fixture file that the aiops-scan repo's own ignore rules hide would silently vanish from commits."""
    root = FIXTURES.parent.parent
    inside = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"], capture_output=True, text=True
    )
    if inside.stdout.strip() != "true":
        pytest.skip("not a git work tree")
    paths = "\n".join(str(p.relative_to(root)) for p in FIXTURES.rglob("*") if p.is_file())
    ignored = subprocess.run(
        ["git", "-C", str(root), "check-ignore", "--no-index", "--stdin"], input=paths, capture_output=True, text=True
    )
    assert ignored.stdout == ""


TREE = {"a.py": "print('a')\n", "README.md": "# demo\nline 2\nline 3\n"}
GOOD = """\
authors:
  ana: {name: Ana Silva, email: ana@example.com}
commits:
  - author: ana
    date: 2026-01-05T10:00:00+01:00
    message: first
"""


@pytest.mark.parametrize(
    ("text", "line", "where", "message"),
    [
        (GOOD.replace("author: ana", "author: zed"), 4, "commits[0].author", "unknown author 'zed' (known: ana)"),
        (GOOD.replace("+01:00", ""), 5, "commits[0].date", "with a timezone"),
        (GOOD.replace("2026-01-05T10:00:00+01:00", "yesterday"), 5, "commits[0].date", "with a timezone"),
        (GOOD + "    files: [missing.py]\n", 7, "commits[0].files[0]", "'missing.py' is not in tree/"),
        (GOOD + "    files: [{path: README.md, lines: 9}]\n", 7, "commits[0].files[0].lines", "0 < lines < 3"),
        (GOOD + "    files: [../etc/passwd]\n", 7, "commits[0].files[0]", "not a clean repo-relative path"),
        (GOOD + "    files: [{path: scratch.txt, content: x}]\n", 7, "commits[0].files", "does not end as in tree/"),
        (GOOD + "    colour: red\n", 7, "commits[0].colour", "unknown key"),
        (
            GOOD + "  - {author: ana, date: 2026-01-04T10:00:00+01:00, message: b}\n",
            7,
            "commits[1].date",
            "earlier than the previous commit",
        ),
        (
            GOOD + "  - {author: ana, date: 2026-01-06T10:00:00+01:00, message: b, files: [a.py]}\n"
            "  - {author: ana, date: 2026-01-07T10:00:00+01:00, message: c, files: [a.py]}\n",
            8,
            "commits[2].files[0]",
            "unchanged since its previous commit",
        ),
        (GOOD + "tags:\n  - {name: v1, commit: 3}\n", 8, "tags[0].commit", "from 0 to 0"),
        (GOOD + "tags:\n  - {name: v1, commit: 0, message: hi}\n", 8, "tags[0]", "only annotated tags"),
        (
            GOOD + "tags:\n  - {name: v1, commit: 0, annotated: true, date: 2025-01-01T00:00:00Z}\n",
            8,
            "tags[0].date",
            "earlier than the tagged commit",
        ),
        (GOOD + "generated:\n  - {path: b.bin, kind: blob, size: 3}\n", 8, "generated[0].kind", "unknown kind 'blob'"),
        (GOOD + "generated:\n  - {path: a.py, kind: symlink, target: x}\n", 8, "generated[0].path", "also in tree/"),
        (GOOD + "generated:\n  - {path: l.py, kind: latin1, text: plain}\n", 8, "generated[0].text", "non-ASCII"),
        (GOOD.replace("commits:", "commit:"), 3, "commit", "unknown key"),
        ("authors: {ana: {name: Ana}}\ncommits: []\n", 1, "authors.ana", "missing key 'email'"),
    ],
)
def test_malformed_history_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, where: str, message: str
) -> None:
    fixture = tmp_path / "fx"
    for rel, content in TREE.items():
        (fixture / "tree" / rel).parent.mkdir(parents=True, exist_ok=True)
        (fixture / "tree" / rel).write_text(content)
    (fixture / "history.yml").write_text(text)
    with pytest.raises(FixtureError) as err:
        build_repo(fixture, tmp_path / "out")
    assert str(err.value).startswith(f"{fixture / 'history.yml'}:{line}: {where}: ")
    assert message in str(err.value)
    assert not (tmp_path / "out").exists()  # validated before anything is written


def test_invalid_yaml_and_missing_fixture(tmp_path: Path) -> None:
    (tmp_path / "fx" / "tree").mkdir(parents=True)
    (tmp_path / "fx" / "history.yml").write_text("authors: {ana: [\n")
    with pytest.raises(FixtureError, match=r"history\.yml:\d+: invalid YAML"):
        build_repo(tmp_path / "fx", tmp_path / "out")
    with pytest.raises(FixtureError, match=r"nope/history\.yml: cannot read"):
        build_estate(FIXTURES.parent.parent / "fixtures" / "repos", tmp_path / "out", ["nope"])
