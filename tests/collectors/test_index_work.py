"""Issue 11: a scan's work grows with the repo, not with (CI steps x files) or (probes x globs x files).

The index answers listing questions once per argument set, and questions about every module (which
test files use an LLM eval library) once per repo; the answers stay those of the plain definitions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probes.ci.llm import llm_eval_automated
from probes.history import _files
from scanner.facts.paths import DOMAIN_RULES, glob_to_regex, globs_regex, match_any
from scanner.facts.python_facts import parse_python
from scanner.facts.repo_index import RepoIndex
from scanner.testing import repo_views, run_probe
from tests.ci._support import PUSH_MAIN, gha, gjob

DEEPEVAL_TEST = "from deepeval import assert_test\n\ndef test_answer():\n    assert_test(1, [])\n"
PLAIN_TEST = "import json\n\ndef test_plain():\n    assert json.loads('1') == 1\n"


def test_llm_eval_sites_read_each_test_file_once_not_once_per_ci_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = [f"pytest tests/pkg_{i}" for i in range(40)]
    files = {f"tests/pkg_{i}/test_mod_{i}.py": PLAIN_TEST for i in range(40)}
    files["tests/pkg_39/test_llm.py"] = DEEPEVAL_TEST
    views = repo_views(tmp_path, {**gha(PUSH_MAIN, {"t": gjob(*steps)}), **files}, ("repo", "ci"))
    calls = {"kind": 0}
    original = RepoIndex.kind

    def counting(self: RepoIndex, path: str) -> str | None:
        calls["kind"] += 1
        return original(self, path)

    monkeypatch.setattr(RepoIndex, "kind", counting)
    finding = run_probe(llm_eval_automated, views).finding
    assert finding.outcome == "true"  # the step running tests/pkg_39 collects the deepeval test
    assert any("pkg_39" in (loc.snippet or "") for loc in finding.locations), finding.locations
    # before: every pytest step looked at the kind of every Python file (40 steps x 41 files)
    assert calls["kind"] <= len(files), calls


def test_listings_are_computed_once_and_returned_as_fresh_lists(tmp_path: Path) -> None:
    from scanner.testing import index_of

    index = index_of(tmp_path, {"src/a.py": "x = 1\n", "src/b.txt": "b\n", "tests/test_a.py": "def test(): pass\n"})
    first = index.paths("**/*.py")
    first.append("mutated by a caller")
    assert index.paths("**/*.py") == ["src/a.py", "tests/test_a.py"]
    assert index.by_suffix(".py") == ["src/a.py", "tests/test_a.py"]
    assert index.by_name("b.txt", kinds=None) == ["src/b.txt"]
    assert index.python_files() == ["src/a.py", "tests/test_a.py"]


@pytest.mark.parametrize(
    "path",
    ["a.py", "src/a.py", "src/deep/x/train_model.py", ".github/workflows/ci.yml", "dags/x.sql", "Dockerfile.gpu", ""],
)
def test_match_any_agrees_with_one_glob_at_a_time(path: str) -> None:
    globs = ("**/*.py", "train*.py", ".github/workflows/*.yml", "Dockerfile*", "dags/**", "*.sql", "**/x/**")
    one_by_one = any(re.match(glob_to_regex(g) + r"\Z", path) for g in globs)
    assert match_any(path, globs) == one_by_one
    assert match_any(path, ()) is False


GLOB_SETS = [
    *(globs for _, globs in DOMAIN_RULES),
    _files.MODEL_CONFIG_GLOBS + _files.PROMPT_GLOBS,
    _files.MODEL_CODE_GLOBS,
    _files.MONITORING_GLOBS,
    ("**/", "**/**/x", "**/a**", "a/**/b", "**/*.py", "*"),
]
SEGMENTS = ["a", "x", "src", "prompts", "models", "training", "configs", "model_config.yaml", "train_x.py", "p.prompt"]
SEGMENTS += ["dags", "k8s", "Dockerfile.gpu", "main.tf", "labels.json", "", ".", "..", "a\nb", "b.py\n", "alerts"]


@given(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6).map("/".join))
def test_globs_regex_matches_the_paths_the_globs_match_one_at_a_time(path: str) -> None:
    for globs in GLOB_SETS:
        one_by_one = any(re.match(glob_to_regex(g) + r"\Z", path) for g in globs)
        assert bool(globs_regex(globs).match(path)) == one_by_one, (path, globs)


def test_grep_words_skip_texts_without_them_and_keep_every_match(tmp_path: Path) -> None:
    from scanner.testing import index_of

    files = {
        "a.py": "import Torch\nx = 1\ntorch.save(x)\n",
        "b.py": "import numpy\n",
        "c.py": "x = 1\nimport \u017fklearn\n",  # a long s: the regex reads it as "s", lower() does not
    }
    index = index_of(tmp_path, files)
    pattern = re.compile(r"\b(?:torch|sklearn)\b", re.IGNORECASE)
    plain = index.grep(pattern, sorted(files))
    assert [(m.path, m.line) for m in plain] == [("a.py", 1), ("a.py", 3), ("c.py", 2)]
    assert index.grep(pattern, sorted(files), words=("torch", "sklearn")) == plain  # non-ASCII c.py still searched
    assert index.grep(pattern, sorted(files), words=("keras",)) == plain[2:]  # a wrong word skips ASCII files


def test_imported_is_the_first_line_importing_a_module_or_anything_under_it() -> None:
    source = (
        "import os\n"
        "from mlflow.tracking import MlflowClient\n"
        "import mlflow\n"
        "import langchain_core.prompts as p\n"
        "from . import local\n"
        "from openai import OpenAI\n"
    )
    facts = parse_python(source)

    def brute(*prefixes: str) -> int | None:
        lines = [
            line for mod, line in facts.imports.items() if any(mod == p or mod.startswith(p + ".") for p in prefixes)
        ]
        return min(lines) if lines else None

    for prefixes in [("mlflow",), ("mlflow.tracking",), ("langchain_core", "openai"), ("openai.OpenAI",)]:
        assert facts.imported(*prefixes) == brute(*prefixes)
    assert facts.imported("mlflow") == 2
    assert facts.imported("langchain") is None  # not a dotted prefix of langchain_core
    assert facts.imported("local", "") is None  # relative imports are not recorded


@pytest.mark.parametrize(
    "path",
    [
        *("a", "src/a/b.py", "/abs/x", "a//b", "./a", "a/", "", ".", "/", "a/./b", "a/..", "a b/c d"),
        *("a/.bashrc", "a/b.tar.gz", "a/b.", "a/..b", "src/pkg/__init__.py", "Dockerfile", "x/.github/ci.yml/"),
    ],
)
def test_path_helpers_read_paths_as_pathlib_does(path: str) -> None:
    from pathlib import PurePosixPath

    from scanner.facts.paths import file_name, file_stem, parent_dir, path_parts

    pure = PurePosixPath(path)
    assert file_name(path) == pure.name
    assert path_parts(path) == pure.parts
    assert file_stem(path) == pure.stem
    assert parent_dir(path) == ("" if str(pure.parent) == "." else str(pure.parent))
