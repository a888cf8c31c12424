"""The repo index: bounded reads, path kinds, parsed views and locations."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scanner.collectors.indexer import build_index
from scanner.collectors.repo_reader import MAX_FILE_BYTES
from scanner.facts.paths import path_domain, path_kind
from scanner.testing import git, index_of, make_repo


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    root = make_repo(
        tmp_path,
        {
            "src/app.py": "import mlflow as ml\nml.log_metric('a', 1)\n",
            "big.json": "x" * (MAX_FILE_BYTES + 10),
            "blob.json": b"\x00\x01\x02binary",
            "latin.txt": "caf\xe9".encode("latin-1"),
            "bad.yml": "a: [1, 2\n",
            "nb.ipynb": json.dumps(
                {
                    "cells": [
                        {"cell_type": "markdown", "source": "# hi"},
                        {"cell_type": "code", "source": ["!pip install x\n", "import torch\n"]},
                        {"cell_type": "code", "source": "model.fit(X, y)\n"},
                    ]
                }
            ),
            "requirements.txt": "mlflow>=2  # tracking\nscikit_learn==1.5\n-r other.txt\n",
            "pyproject.toml": (
                '[project]\nname="x"\ndependencies=["pandas>=2"]\n[project.optional-dependencies]\nt=["pytest"]\n'
            ),
            "environment.yml": "dependencies:\n  - python=3.11\n  - pip:\n    - wandb\n",
            "package.json": '{"dependencies": {"openai": "^4"}}',
            "Gemfile": 'source "https://rubygems.org"\n\ngem "rails", "8.0"\n  gem "aws-sdk-bedrockruntime"\n'
            '# gem "nope"\n',
            "examples/demo.py": "import mlflow\n",
            "vendor/lib.py": "import mlflow\n",
        },
    )
    os.symlink("/etc/passwd", root / "leak")
    os.symlink("src/app.py", root / "alias.py")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "links")
    git(root, "remote", "add", "origin", "https://user:s3cret@github.com/acme/messy.git")
    return root


def test_bounded_reads_become_reasons_not_crashes(messy: Path) -> None:
    index = build_index(messy)
    reasons = {s.path: s.reason for s in index.skipped}
    assert reasons["big.json"].startswith("too large to read")
    assert reasons["blob.json"] == "binary content"
    assert reasons["latin.txt"].startswith("undecodable text (not UTF-8: byte ")
    assert reasons["leak"] == "symlink pointing outside the repo (not followed)"
    assert "leak" not in index.files
    assert index.text("alias.py") == index.text("src/app.py")


def test_malformed_yaml_is_reported_with_a_line(messy: Path) -> None:
    parsed = build_index(messy).yaml("bad.yml")
    assert parsed.docs == []
    assert parsed.error and parsed.error_line == 2


def test_notebook_code_cells_map_back_to_cells(messy: Path) -> None:
    index = build_index(messy)
    facts = index.python("nb.ipynb")
    assert facts is not None and "torch" in facts.imports
    fit = facts.calls_to("fit")[0]
    assert index.location("nb.ipynb", fit.line).snippet == "cell 2, line 1"


def test_dependencies_from_every_manifest(messy: Path) -> None:
    deps = build_index(messy).dependencies
    assert {"mlflow", "scikit-learn", "pandas", "pytest", "wandb", "openai", "aws-sdk-bedrockruntime"} <= set(deps)
    assert deps["rails"][0].line == 3 and "nope" not in deps
    assert deps["mlflow"][0].line == 1
    assert "python" not in deps


def test_locations_are_permalinks_without_credentials(messy: Path) -> None:
    index = build_index(messy)
    loc = index.location("src/app.py", 2)
    assert loc.url == f"https://github.com/acme/messy/blob/{index.commit}/src/app.py#L2"
    assert "s3cret" not in (index.web_url or "")


def test_practice_paths_exclude_examples_and_vendored(messy: Path) -> None:
    index = build_index(messy)
    assert "examples/demo.py" not in index.paths()
    assert "vendor/lib.py" not in index.paths()
    assert "examples/demo.py" in index.paths(kinds=None)


def test_plain_folder_is_indexed_without_following_symlinks(tmp_path: Path) -> None:
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "train.py").write_text("print(1)\n")
    os.symlink("/etc", tmp_path / "f" / "etc")
    index = build_index(tmp_path / "f")
    assert index.commit is None
    assert list(index.files) == ["train.py"]
    assert [s.path for s in index.skipped] == ["etc"]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("src/pkg/train.py", "code"),
        ("tests/test_x.py", "test"),
        ("pkg/x_test.py", "test"),
        ("docs/guide.md", "docs"),
        ("README.md", "docs"),
        ("examples/promptfooconfig.yaml", "example"),
        ("tutorials/intro.ipynb", "example"),
        ("{{cookiecutter.project_slug}}/src/train.py", "template"),
        ("node_modules/x/index.js", "vendored"),
        ("target/manifest.json", "generated"),
        ("mlruns/0/meta.yaml", "generated"),
        ("poetry.lock", "generated"),
        ("prompts/system.md", "code"),
        ("charts/api/templates/deployment.yaml", "code"),
        ("deploy/helm/templates/svc.yaml", "code"),
        ("templates/project/train.py", "example"),
        ("tests/fixtures/repo/train.py", "example"),  # test data, not practice
    ],
)
def test_path_kinds(path: str, kind: str) -> None:
    assert path_kind(path) == kind


@pytest.mark.parametrize(
    ("path", "domain"),
    [
        ("notebooks/eda.ipynb", "DS"),
        ("src/training/train.py", "DS"),
        ("dags/etl.py", "DE"),
        ("models/staging/stg_orders.sql", "DE"),
        ("src/api/routes.py", "SE"),
        (".github/workflows/ci.yml", "OPS"),
        ("prompts/system.md", "PROMPT"),
        ("README.md", None),
    ],
)
def test_path_domains(path: str, domain: str | None) -> None:
    assert path_domain(path) == domain


def test_a_tool_repo_calling_its_own_package_is_not_using_the_tool(tmp_path: Path) -> None:
    index = build_index(
        make_repo(
            tmp_path,
            {
                "mlflow/__init__.py": "",
                "mlflow/tracking.py": "import mlflow\nimport pandas\nmlflow.log_metric('a', 1)\npandas.read_csv('x')\n",
            },
        )
    )
    assert index.own_tool_packages == frozenset({"mlflow"})
    facts = index.python("mlflow/tracking.py")
    assert facts is not None
    assert facts.calls_under("mlflow") == [] and facts.imported("mlflow") is None
    assert [c.name for c in facts.calls] == ["pandas.read_csv"]


def test_an_ordinary_repo_keeps_its_tool_calls(messy: Path) -> None:
    index = build_index(messy)
    assert index.own_tool_packages == frozenset()
    facts = index.python("src/app.py")
    assert facts is not None and facts.calls_under("mlflow")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("build/Dockerfile", "code"),
        ("build/docker-compose.airflow.yml", "code"),
        ("build/requirements-airflow-dev.txt", "code"),
        ("build/deploy.sh", "code"),
        ("build/utils.py", "code"),  # a script the CI runs (Cloud Build `args: ['build/utils.py', ...]`)
        # build output stays vendored: packages, bundles, nested build folders
        ("build/lib/pkg/model.py", "vendored"),
        ("build/lib/pkg/conf.yaml", "vendored"),
        ("build/static/js/main.js", "vendored"),
        ("web/build/Dockerfile", "vendored"),
    ],
)
def test_hand_written_build_folder_files_are_not_vendored(path: str, kind: str) -> None:
    assert path_kind(path) == kind


VENDORED_LISTING = {
    # a copy of another project: its own packaging metadata and licence, under a dependencies/ folder
    "inference/dependencies/AutoGPTQ/setup.py": "from setuptools import setup\nsetup(name='auto_gptq')\n",
    "inference/dependencies/AutoGPTQ/LICENSE": "MIT License\n",
    "inference/dependencies/AutoGPTQ/auto_gptq/modeling.py": "import torch\n",
    # a known tool's package copied without packaging
    "bench/dependencies/lm_eval/__init__.py": "",
    "bench/dependencies/lm_eval/models/gpt3.py": "import openai\n",
    # the repo's own: a FastAPI dependencies module, a deps/ folder with packaging but no licence
    "app/dependencies/auth.py": "def user():\n    return 1\n",
    "deps/helpers/setup.py": "from setuptools import setup\n",
    "deps/helpers/helpers.py": "X = 1\n",
    "inference/run.py": "import auto_gptq\n",
}


@pytest.mark.parametrize("as_git", [True, False], ids=["git", "folder"])
def test_third_party_packages_under_a_dependencies_folder_are_vendored(tmp_path: Path, as_git: bool) -> None:
    root = make_repo(tmp_path, VENDORED_LISTING)
    if not as_git:
        (root / ".git").rename(tmp_path / "git-moved")
    index = build_index(root)
    assert index.kind("inference/dependencies/AutoGPTQ/auto_gptq/modeling.py") == "vendored"
    assert index.kind("inference/dependencies/AutoGPTQ/setup.py") == "vendored"
    assert index.kind("bench/dependencies/lm_eval/models/gpt3.py") == "vendored"
    assert index.text("bench/dependencies/lm_eval/models/gpt3.py") is None, "vendored copies are not read"
    own = ["app/dependencies/auth.py", "deps/helpers/helpers.py", "inference/run.py"]
    assert [index.kind(p) for p in own] == ["code"] * 3
    assert sorted(index.python_files()) == sorted([*own, "deps/helpers/setup.py"])


def test_scripts_kept_in_a_top_level_build_folder_are_own_code(tmp_path: Path) -> None:
    build = {
        "build/utils.py": "import argparse\n",
        "build/model-deployment.yaml": "steps:\n- name: python\n  args: ['build/utils.py', '--mode=deploy']\n",
        "build/lib/pkg/model.py": "import torch\n",  # setuptools output stays vendored
    }
    index = index_of(tmp_path, build)
    assert index.python_files() == ["build/utils.py"]
    assert index.kind("build/lib/pkg/model.py") == "vendored"
