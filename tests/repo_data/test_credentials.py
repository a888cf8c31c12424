from __future__ import annotations

import json
from pathlib import Path

import pytest

from probes.repo.data_credentials import SIGNAL, inline_credentials
from scanner.testing import run_on_repo, truth

# Fake secrets, assembled so that this file itself does not look like a leak to scanners.
AWS = "AKIA" + "Q3EGRT7LMXZ2P4VB"
PASSWORD = "Tr0ub4dor" + "-x9"
GH = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
SECRETS = (AWS, PASSWORD, GH)

CASES = [
    (
        "password in connection uri",
        {"etl/db.py": f'ENGINE = "postgresql://etl:{PASSWORD}@db.internal/sales"\n'},
        ["etl/db.py:1 password=*** in connection URI"],
    ),
    (
        "aws key in config",
        {"conf/aws.ini": f"[default]\naws_access_key_id = {AWS}\n"},
        ["conf/aws.ini:2 AWS access key id ***"],
    ),
    ("committed .env", {".env": f"DEBUG=1\nDB_PASSWORD={PASSWORD}\n"}, [".env:2 db_password=***"]),
    (
        "quoted assignment in code",
        {"src/client.py": f'client = Client(api_key="{GH}")\n'},
        ["src/client.py:1 GitHub token ***"],
    ),
    (
        "jdbc url",
        {"jobs/load.scala": f'val url = "jdbc:postgresql://db/x?user=etl&password={PASSWORD}"\n'},
        ["jobs/load.scala:1 password=*** in connection URL"],
    ),
    (
        "placeholders",
        {
            "src/db.py": 'URI = "postgresql://user:password@localhost/db"\nPWD = "changeme"\n'
            'T = "${DB_TOKEN}"\nK = f"postgresql://u:{pw}@h/d"\n',
            "conf.yaml": "password: \"{{ env_var('DB_PASSWORD') }}\"\ntoken: ${{ secrets.TOKEN }}\n",
        },
        [],
    ),
    (
        "env var names and calls",
        {"src/db.py": 'password = os.environ["DB_PASSWORD"]\ntoken = get_token()\nsecret_name = "DB_PASSWORD"\n'},
        [],
    ),
    ("env example file", {".env.example": f"DB_PASSWORD={PASSWORD}\n"}, []),
    ("commented out", {"src/db.py": f'# uri = "postgresql://etl:{PASSWORD}@db/x"\n'}, []),
    ("aws documentation key", {"src/x.py": 'KEY = "AKIAIOSFODNN7EXAMPLE"\n'}, []),
    ("test fixtures", {"tests/test_db.py": f'URI = "postgresql://etl:{PASSWORD}@db/x"\n'}, []),
    ("docs", {"docs/setup.py": f'URI = "postgresql://etl:{PASSWORD}@db/x"\n'}, []),
    ("dependency pin", {"pyproject.toml": '[tool.poetry.dependencies]\ntiktoken = "^0.7.0"\n'}, []),
    ("printf verbs", {"tools/pg.go": 'return fmt.Sprintf("postgresql://%s:%s@%s/%s", u, p, h, d)\n'}, []),
    ("ci workflow service", {".github/workflows/e2e.yml": f'env:\n  DB_URI: "postgresql://u:{PASSWORD}@db/x"\n'}, []),
    ("ci helm values", {"charts/app/values-ci.yaml": f"db_password: {PASSWORD}\n"}, []),
    (
        "prod helm values",
        {"charts/app/values-prod.yaml": f"db_password: {PASSWORD}\n"},
        ["charts/app/values-prod.yaml:1 db_password=***"],
    ),
]


@pytest.mark.parametrize(("files", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_inline_credentials(tmp_path: Path, files: dict[str, str | bytes], where: list[str]) -> None:
    finding = run_on_repo(inline_credentials, tmp_path, files)[SIGNAL]
    assert truth(finding) == bool(where), finding.message
    if where:
        assert [f"{loc.label()} {loc.snippet}" for loc in finding.locations] == where
    dumped = json.dumps(finding.to_json())
    assert not any(secret in dumped for secret in SECRETS)


def test_notebook_leak_names_the_cell_and_hides_the_value(tmp_path: Path) -> None:
    nb = json.dumps(
        {
            "cells": [
                {"cell_type": "code", "source": "x = 1"},
                {"cell_type": "code", "source": f'conn = connect("mysql://root:{PASSWORD}@db/x")'},
            ]
        }
    )
    finding = run_on_repo(inline_credentials, tmp_path, {"nb/explore.ipynb": nb})[SIGNAL]
    assert truth(finding) and finding.locations[0].snippet == "cell 2, line 1: password=*** in connection URI"
    assert PASSWORD not in json.dumps(finding.to_json())


def test_counts_by_rule_and_tests_apart(tmp_path: Path) -> None:
    files = {".env": f"DB_PASSWORD={PASSWORD}\nAWS_KEY={AWS}\n", "tests/t.py": f'U = "pg://a:{PASSWORD}@h/d"\n'}
    finding = run_on_repo(inline_credentials, tmp_path, files)[SIGNAL]
    assert finding.values == {
        "count": 2,
        "files": 1,
        "by_rule": {"aws_access_key": 1, "config_value": 1},
        "ignored_in_tests": 1,
    }
