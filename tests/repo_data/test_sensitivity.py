from __future__ import annotations

import json
from pathlib import Path

import pytest

from probes.repo.data_privacy import DP, SYNTHETIC, privacy
from probes.repo.data_sensitivity import AGG, DOC, MASKS, ROWS, sensitivity
from scanner.testing import labels, run_on_repo, truth

POLICY_DOC = """# Data classification

Every dataset is classified as Public, Internal, Confidential or Restricted.
Columns holding PII are Restricted.
"""
README = "# Project\n\nThis repo is public. See internal docs.\n"
SNOWFLAKE_ROWS = """create or replace row access policy sales_region as (region varchar) returns boolean ->
  current_role() = 'ADMIN';
-- attach it
alter table sales add row access policy sales_region on (region);
"""
ROWS_DEFINED_ONLY = SNOWFLAKE_ROWS.split("-- attach")[0]
BQ_ROWS = "CREATE ROW ACCESS POLICY eu_only ON shop.orders GRANT TO ('group:eu@corp.com') FILTER USING (region='EU');\n"
PG_RLS = "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own_rows ON accounts USING (owner = user);\n"
MASK = (
    "create masking policy email_mask as (val string) returns string -> '***';\n"
    "alter table users modify column email set masking policy email_mask;\n"
)
DBX_MASK = 'spark.sql("ALTER TABLE users ALTER COLUMN ssn SET MASK mask_ssn")\n'
AGG_SQL = (
    "create aggregation policy min_5 as () returns aggregation_constraint ->\n"
    "  aggregation_constraint(min_group_size => 5);\n"
    "alter table visits set aggregation policy min_5;\n"
)
BQ_DP = "SELECT WITH DIFFERENTIAL_PRIVACY OPTIONS(epsilon=1) item, COUNT(*) FROM t GROUP BY item;\n"
TF_MASK = (
    'resource "snowflake_masking_policy" "email" {\n  name = "email"\n}\n\n'
    'resource "snowflake_tag_masking_policy_association" "a" {\n  tag_id = "x"\n}\n'
)

DBT_RAP_MACRO = """{% macro create_rap(col, value, principals) %}
create or replace row access policy
    {{ this.schema }}_{{ this.identifier }}_{{ col }}
on
    {{ this }}
grant to ('{{ principals }}')
filter using ({{ col }} = '{{ value }}')
{% endmacro %}

{% macro payments_rap() %}
{{ create_rap(col='agency', value='mst', principals='serviceAccount:mst@x.iam') }};
{% endmacro %}
"""
HOOKED_MODEL = '{{ config(materialized="table",\n    post_hook="{{ payments_rap() }}") }}\nselect 1 as agency\n'

CASES = [
    (
        "dbt macro hooked on a model",
        {"warehouse/macros/rap.sql": DBT_RAP_MACRO, "warehouse/models/fct_payments.sql": HOOKED_MODEL},
        {ROWS: True},
        {},
    ),
    ("dbt macro never hooked", {"warehouse/macros/rap.sql": DBT_RAP_MACRO}, {}, {}),
    (
        "dbt macro hooked only in tests",
        {"warehouse/macros/rap.sql": DBT_RAP_MACRO, "tests/models/fct.sql": HOOKED_MODEL},
        {},
        {},
    ),
    ("policy doc", {"docs/data-classification.md": POLICY_DOC}, {DOC: True}, {DOC: ["docs/data-classification.md:1"]}),
    ("readme mentioning public", {"README.md": README}, {}, {}),
    ("policy doc in examples", {"examples/classification.md": POLICY_DOC}, {}, {}),
    (
        "snowflake row policy attached",
        {"sql/policies.sql": SNOWFLAKE_ROWS},
        {ROWS: True},
        {ROWS: ["sql/policies.sql:1", "sql/policies.sql:4"]},
    ),
    ("row policy defined only", {"sql/policies.sql": ROWS_DEFINED_ONLY}, {}, {ROWS: ["sql/policies.sql:1"]}),
    ("bigquery row policy", {"sql/rap.sql": BQ_ROWS}, {ROWS: True}, {ROWS: ["sql/rap.sql:1"]}),
    ("postgres rls", {"migrations/001.sql": PG_RLS}, {ROWS: True}, {}),
    ("postgres enable without policy", {"migrations/001.sql": PG_RLS.splitlines()[0]}, {}, {}),
    ("masking attached", {"sql/mask.sql": MASK}, {MASKS: True}, {MASKS: ["sql/mask.sql:1", "sql/mask.sql:2"]}),
    ("databricks column mask in python", {"jobs/secure.py": DBX_MASK}, {MASKS: True}, {MASKS: ["jobs/secure.py:1"]}),
    ("masking in terraform", {"infra/mask.tf": TF_MASK}, {MASKS: True}, {}),
    ("commented masking", {"sql/mask.sql": "-- alter table u modify column e set masking policy m;\n"}, {}, {}),
    ("aggregation policy", {"sql/agg.sql": AGG_SQL}, {AGG: True}, {AGG: ["sql/agg.sql:1", "sql/agg.sql:3"]}),
    ("bigquery differential privacy", {"sql/dp.sql": BQ_DP}, {AGG: True}, {}),
    ("aggregation policy never set", {"sql/agg.sql": AGG_SQL.rsplit("alter", 1)[0]}, {}, {AGG: ["sql/agg.sql:1"]}),
    ("policies in tests only", {"tests/sql/mask.sql": MASK}, {}, {}),
]


@pytest.mark.parametrize(("files", "expected", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sensitivity(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(sensitivity, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in found}
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


def test_defined_only_message(tmp_path: Path) -> None:
    finding = run_on_repo(sensitivity, tmp_path, {"sql/p.sql": ROWS_DEFINED_ONLY})[ROWS]
    assert "attached to no table" in finding.message and finding.values == {"defined": 1}


def notebook(src: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": src}]})


SDV = "from sdv.single_table import GaussianCopulaSynthesizer\n\nsynth = GaussianCopulaSynthesizer(metadata)\n"
DIFFPRIV = "from diffprivlib.models import LogisticRegression\n\nclf = LogisticRegression(epsilon=1.0)\n"
FAKER = "from faker import Faker\n\nfake = Faker()\ndf['name'] = [fake.name() for _ in df.index]\n"

PRIVACY_CASES = [
    ("diffprivlib model", {"src/train.py": DIFFPRIV}, {DP: True}, {DP: ["src/train.py:3"]}),
    ("opendp import only", {"src/x.py": "import opendp\n"}, {DP: True}, {DP: ["src/x.py:1"]}),
    ("dp dependency only", {"requirements.txt": "opendp\n"}, {}, {}),
    ("sdv synthesizer", {"pipelines/synth.py": SDV}, {SYNTHETIC: True}, {SYNTHETIC: ["pipelines/synth.py:3"]}),
    ("faker in pipeline", {"pipelines/mask.py": FAKER}, {SYNTHETIC: True}, {SYNTHETIC: ["pipelines/mask.py:3"]}),
    ("faker in tests only", {"tests/conftest.py": FAKER}, {}, {}),
    ("sdv in examples", {"examples/synth.py": SDV}, {}, {}),
]


@pytest.mark.parametrize(
    ("files", "expected", "where"), [c[1:] for c in PRIVACY_CASES], ids=[c[0] for c in PRIVACY_CASES]
)
def test_privacy(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(privacy, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in found}
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


def test_privacy_confidence(tmp_path: Path) -> None:
    found = run_on_repo(privacy, tmp_path, {"src/x.py": "import opendp\n", "nb/s.ipynb": notebook(SDV)})
    assert found[DP].confidence == "low" and "never called" in found[DP].message
    assert found[SYNTHETIC].confidence == "low"
    assert run_on_repo(privacy, tmp_path / "b", {"pipelines/synth.py": SDV})[SYNTHETIC].confidence == "medium"
