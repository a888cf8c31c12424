"""Generate a large synthetic repository (default 5,000 files, 300 commits by 6 authors) for benchmarks.

The content is plausible ML-platform code: packages with imports and functions, MLflow calls, pytest
files, notebooks, workflows, YAML and SQL, so that every probe has real work to do.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
from pathlib import Path

AUTHORS = [
    ("Dana Data", "dana@corp.test"),
    ("Eli Eng", "eli@corp.test"),
    ("Sam Soft", "sam@corp.test"),
    ("Olga Ops", "olga@corp.test"),
    ("Pia Prompt", "pia@corp.test"),
    ("Ned Nb", "ned@corp.test"),
]

MODULE = '''"""Module {i} of package {pkg}."""
import logging
import os

import numpy as np
import pandas as pd
{extra_import}

LOG = logging.getLogger(__name__)


def load_{i}(path: str) -> pd.DataFrame:
    frame = pd.read_parquet(os.path.join(path, "part-{i}.parquet"))
    LOG.info("loaded %d rows", len(frame))
    return frame


def transform_{i}(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.dropna()
    frame["score_{i}"] = np.log1p(frame["value"])
    return frame


class Step{i}:
    def __init__(self, name: str = "step-{i}") -> None:
        self.name = name

    def run(self, frame: pd.DataFrame) -> pd.DataFrame:
        {extra_call}
        return transform_{i}(frame)
'''

TEST = """import pandas as pd

from {pkg}.mod_{i} import transform_{i}


def test_transform_{i}_drops_missing_rows() -> None:
    frame = pd.DataFrame({{"value": [1.0, None, 3.0]}})
    assert len(transform_{i}(frame)) == 2


def test_transform_{i}_adds_score() -> None:
    frame = pd.DataFrame({{"value": [1.0]}})
    assert "score_{i}" in transform_{i}(frame).columns
"""

WORKFLOW = """name: ci-{i}
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e .[test]
      - run: pytest tests/pkg_{i}
"""


def _notebook(i: int) -> str:
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": ["import pandas as pd\n", f"df = pd.read_csv('data/sample_{i}.csv')\n", "df.describe()\n"],
        }
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def files(n: int) -> dict[str, str]:
    out: dict[str, str] = {}
    kinds = (
        ["module"] * 50
        + ["test"] * 12
        + ["yaml"] * 8
        + ["md"] * 5
        + ["nb"] * 2
        + ["sql"] * 8
        + ["json"] * 10
        + ["wf"] * 1
        + ["txt"] * 4
    )
    rng = random.Random(42)
    for i in range(n):
        kind = rng.choice(kinds)
        pkg = f"pkg_{i % 40}"
        if kind == "module":
            extra = rng.random() < 0.05
            out[f"src/{pkg}/mod_{i}.py"] = MODULE.format(
                i=i,
                pkg=pkg,
                extra_import="import mlflow" if extra else "",
                extra_call='mlflow.log_metric("rows", len(frame))' if extra else "pass",
            )
        elif kind == "test":
            out[f"tests/{pkg}/test_mod_{i}.py"] = TEST.format(i=i, pkg=pkg)
        elif kind == "yaml":
            out[f"config/{pkg}/settings_{i}.yaml"] = (
                f"name: job-{i}\nschedule: '0 {i % 24} * * *'\nparams:\n  lr: 0.0{i % 9 + 1}\n  depth: {i % 12}\n"
            )
        elif kind == "md":
            out[f"docs/{pkg}/page_{i}.md"] = (
                f"# Page {i}\n\nSome documentation about step {i}.\n\n```python\nimport mlflow\n```\n"
            )
        elif kind == "nb":
            out[f"notebooks/explore_{i}.ipynb"] = _notebook(i)
        elif kind == "sql":
            out[f"models/{pkg}/stg_{i}.sql"] = (
                f"select id, value, updated_at\nfrom {{{{ source('raw', 'table_{i}') }}}}\nwhere value is not null\n"
            )
        elif kind == "json":
            out[f"data/meta/meta_{i}.json"] = json.dumps({"id": i, "tags": ["a", "b"], "owner": "team"})
        elif kind == "wf":
            out[f".github/workflows/ci_{i}.yml"] = WORKFLOW.format(i=i)
        else:
            out[f"requirements/extra_{i}.txt"] = "pandas>=2\nnumpy\nmlflow\n"
    out["pyproject.toml"] = '[project]\nname = "bench"\ndependencies = ["pandas", "mlflow", "scikit-learn"]\n'
    return out


def build(dest: Path, n_files: int = 5000, n_commits: int = 300) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)

    def git(*args: str, **extra: str) -> None:
        subprocess.run(["git", "-C", str(dest), *args], check=True, capture_output=True, env={**env, **extra})

    git("init", "-q", "-b", "main")
    content = files(n_files)
    paths = sorted(content)
    per_commit = max(1, len(paths) // n_commits)
    for c in range(n_commits):
        chunk = paths[c * per_commit : (c + 1) * per_commit] if c < n_commits - 1 else paths[c * per_commit :]
        for rel in chunk:
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content[rel], encoding="utf-8")
        name, email = AUTHORS[c % len(AUTHORS)]
        date = f"2026-{1 + c * 10 // n_commits:02d}-{1 + c % 27:02d}T12:00:00+00:00"
        git("add", "-A")
        git(
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            f"change {c}",
            GIT_AUTHOR_NAME=name,
            GIT_AUTHOR_EMAIL=email,
            GIT_COMMITTER_NAME=name,
            GIT_COMMITTER_EMAIL=email,
            GIT_AUTHOR_DATE=date,
            GIT_COMMITTER_DATE=date,
        )
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=300)
    args = parser.parse_args()
    build(args.dest, args.files, args.commits)
    print(f"built {args.dest} with {args.files} files")


if __name__ == "__main__":
    main()
