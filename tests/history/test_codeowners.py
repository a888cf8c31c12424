from __future__ import annotations

from pathlib import Path

import pytest

from scanner.facts.codeowners import load_codeowners, parse_codeowners
from scanner.testing import index_of


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*", "any/where/file.py", True),
        ("*.js", "web/app/x.js", True),
        ("*.js", "web/app/x.jsx", False),
        ("/build/logs/", "build/logs/a/b.txt", True),
        ("/build/logs/", "src/build/logs/a.txt", False),
        ("docs/*", "docs/getting-started.md", True),
        ("docs/*", "docs/build-app/troubleshooting.md", False),
        ("apps/", "x/apps/y.py", True),  # no slash but the trailing one: any depth
        ("/apps/", "x/apps/y.py", False),
        ("**/logs", "deep/in/logs/file", True),
        ("/scripts/**", "scripts/a/b.sh", True),
        ("pipelines/train", "pipelines/train/step.py", True),  # inner slash: anchored
        ("pipelines/train", "src/pipelines/train/step.py", False),
        ("serve?.py", "app/serve1.py", True),
        ("models/", "src/models/m.py", True),
    ],
)
def test_pattern_semantics(pattern: str, path: str, matches: bool) -> None:
    owners = parse_codeowners(f"{pattern} @acme/team\n")
    assert owners.rules[0].matches(path) is matches


def test_last_match_wins_comments_and_unowned() -> None:
    text = (
        "# owners\n"
        "*        @acme/everyone   # inline comment\n"
        "/ml/     @ada @acme/data-science\n"
        "/ml/vendor/\n"
        "/ml/special\\ name.py  dana@example.org\n"
        "!/negated @x\n"
        "/bad/ not-an-owner @ok\n"
    )
    owners = parse_codeowners(text, ".github/CODEOWNERS")
    assert owners.owners_of("README.md") == ("@acme/everyone",)
    assert owners.owners_of("ml/train.py") == ("@ada", "@acme/data-science")
    assert owners.owners_of("ml/vendor/lib.py") == ()  # un-owned by a later rule without owners
    assert owners.owners_of("ml/special name.py") == ("dana@example.org",)
    assert owners.rule_for("ml/train.py").line == 3  # type: ignore[union-attr]
    assert owners.has_catch_all
    assert [r.pattern for r in owners.specific_rules] == ["/ml/", "/ml/special name.py", "/bad/"]
    assert [line for line, _ in owners.errors] == [6, 7]


def test_load_prefers_dot_github(tmp_path: Path) -> None:
    index = index_of(tmp_path, {".github/CODEOWNERS": "* @a\n", "CODEOWNERS": "* @b\n", "docs/CODEOWNERS": "* @c\n"})
    owners = load_codeowners(index)
    assert owners is not None and owners.path == ".github/CODEOWNERS" and owners.owners_of("x") == ("@a",)


def test_load_none(tmp_path: Path) -> None:
    assert load_codeowners(index_of(tmp_path, {"a.py": "1\n"})) is None
