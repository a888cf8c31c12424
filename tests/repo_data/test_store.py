from __future__ import annotations

import json
from pathlib import Path

import pytest

from probes.repo.data_store import CLOUD, EXPORTS, FILES, LOCAL, data_store
from scanner.testing import labels, run_on_repo, truth

BIG = b"a,b\n" + b"1,2\n" * 30_000  # ~120 KB


def notebook(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]})


EXPORT_NB = notebook("import pandas as pd\ndf = pd.read_sql('select * from t', conn)", "df.to_csv('out.csv')")

CASES = [
    ("large csv", {"exports/sales.csv": BIG}, {FILES: True}, {FILES: ["exports/sales.csv"]}),
    ("small csv in data dir", {"data/raw/small.csv": "a\n1\n"}, {FILES: True}, {FILES: ["data/raw/small.csv"]}),
    ("small test fixture", {"tests/data/small.csv": "a\n1\n"}, {}, {}),
    ("lfs tracked", {".gitattributes": "*.csv filter=lfs diff=lfs merge=lfs -text\n", "data/x.csv": "a\n1\n"}, {}, {}),
    ("dbt seeds", {"dbt_project.yml": "name: x\n", "seeds/country_codes.csv": BIG}, {}, {}),
    ("large csv in examples counts (low)", {"examples/data/big.csv": BIG}, {FILES: True}, {}),
    (
        "user home path",
        {"src/load.py": "import pandas as pd\ndf = pd.read_csv('/Users/alice/Downloads/x.csv')\n"},
        {LOCAL: True},
        {LOCAL: ["src/load.py:2"]},
    ),
    (
        "repo-relative data dir",
        {"train.py": "import pandas as pd\n\n\ndf = pd.read_parquet('./data/train.parquet')\n"},
        {LOCAL: True},
        {LOCAL: ["train.py:4"]},
    ),
    ("config dotfile is not data", {"cfg.py": "open('~/.dbt/profiles.yml')\n"}, {}, {}),
    ("relative path outside io call", {"cfg.py": "NAME = 'data/train.csv'\n"}, {}, {}),
    (
        "s3 f-string read",
        {"jobs/read.py": "import pandas as pd\nb = 'lake'\ndf = pd.read_parquet(f\"s3://{b}/x\")\n"},
        {CLOUD: True},
        {CLOUD: ["jobs/read.py:3"]},
    ),
    (
        "abfss in sql",
        {"sql/load.sql": "-- load\nCOPY INTO t FROM 'abfss://raw@acct.dfs.core.windows.net/x';\n"},
        {CLOUD: True},
        {CLOUD: ["sql/load.sql:2"]},
    ),
    (
        "placeholder bucket or path",
        {
            "x.py": "path = 's3://my-bucket/data.csv'\nother = 's3://<bucket>/k'\nhelp = 'dbfs://profile@databricks/<path>'\n"
        },
        {},
        {},
    ),
    ("commented uri", {"x.py": "# df = read('s3://lake/x')\n"}, {}, {}),
    ("uri in docs only", {"docs/howto.py": "p = 's3://lake/x'\n"}, {}, {}),
    ("manual export notebook", {"nb/export.ipynb": EXPORT_NB}, {EXPORTS: True}, {EXPORTS: ["nb/export.ipynb"]}),
    (
        "notebook run by a job",
        {
            "nb/export.ipynb": EXPORT_NB,
            "databricks.yml": "resources:\n  jobs:\n    j:\n      notebook_path: ../nb/export\n",
        },
        {},
        {},
    ),
]


@pytest.mark.parametrize(("files", "expected", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_data_store(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(data_store, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in found}
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


def test_examples_data_is_low_confidence(tmp_path: Path) -> None:
    finding = run_on_repo(data_store, tmp_path, {"examples/data/big.csv": BIG})[FILES]
    assert finding.confidence == "low" and finding.values["bytes"] > 100 * 1024


def test_export_location_names_the_cell(tmp_path: Path) -> None:
    finding = run_on_repo(data_store, tmp_path, {"nb/export.ipynb": EXPORT_NB})[EXPORTS]
    assert finding.locations[0].snippet == "cell 2, line 1: read_sql then to_csv"
