from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.data_etl import CRON, DBT, DE, ETL, etl
from probes.repo.data_targets import ENV, WAREHOUSE, targets
from scanner.testing import labels, run_on_repo, truth

DBT_PROJECT = "name: shop\nversion: '1.0'\nprofile: shop\n"
EXPORT = """import pandas as pd

df = pd.read_sql("select * from sales", conn)
df.to_csv("sales.csv")
"""
DAG = "from airflow import DAG\n\nwith DAG('x') as d:\n    pass\n"
CRONTAB = "# nightly\nSHELL=/bin/bash\n0 2 * * * python /app/export.py\n"
GX_SUITE = '{"expectation_suite_name": "orders", "expectations": [{"expectation_type": "expect_column_to_exist"}]}'

ETL_CASES = [
    (
        "dbt project",
        {"dbt/dbt_project.yml": DBT_PROJECT, "dbt/models/orders.sql": "select 1"},
        {DBT: True, DE: True, ETL: False, CRON: False},
        {DBT: ["dbt/dbt_project.yml:1"]},
    ),
    (
        "dbt starter only",
        {"dbt_project.yml": DBT_PROJECT, "models/example/my_first_dbt_model.sql": "select 1"},
        {DBT: False, DE: False, ETL: False, CRON: False},
        {},
    ),
    (
        "dbt project under tests",
        {"integration_tests/dbt_project.yml": DBT_PROJECT, "integration_tests/models/a.sql": "select 1"},
        {DBT: False, DE: False, ETL: False, CRON: False},
        {},
    ),
    (
        "script with crontab",
        {"etl/export.py": EXPORT, "deploy/crontab": CRONTAB},
        {DBT: False, DE: True, ETL: True, CRON: True},
        {ETL: ["etl/export.py:3"], CRON: ["deploy/crontab:3"]},
    ),
    (
        "script under an orchestrator",
        {"etl/export.py": EXPORT, "dags/x.py": DAG},
        {DBT: False, DE: True, ETL: False, CRON: False},
        {},
    ),
    (
        "warehouse write from a module",
        {"src/prep.py": "def save(df):\n    df.to_gbq('ds.table', project_id='p')\n"},
        {DBT: False, DE: True, ETL: True, CRON: False},
        {ETL: ["src/prep.py:2"]},
    ),
    (
        "to_csv alone is not etl",
        {"analysis.py": "import pandas as pd\npd.DataFrame().to_csv('x.csv')\n"},
        {DBT: False, DE: False, ETL: False, CRON: False},
        {},
    ),
    (
        "bulk load shell script",
        {"scripts/load.sh": "#!/bin/sh\n# load\nbcp sales in sales.dat -S db\n"},
        {DBT: False, DE: True, ETL: True, CRON: False},
        {ETL: ["scripts/load.sh:3"]},
    ),
    (
        "gx suites are de artefacts",
        {"gx/great_expectations.yml": "config_version: 3\n", "gx/expectations/orders.json": GX_SUITE},
        {DBT: False, DE: True, ETL: False, CRON: False},
        {},
    ),
    (
        "commented crontab only",
        {"crontab": "# 0 2 * * * python x.py\n"},
        {DBT: False, DE: False, ETL: False, CRON: False},
        {},
    ),
    (
        "systemd timer",
        {"ops/export.timer": "[Unit]\nDescription=x\n[Timer]\nOnCalendar=daily\n"},
        {DBT: False, DE: False, ETL: False, CRON: True},
        {CRON: ["ops/export.timer:3"]},
    ),
]


@pytest.mark.parametrize(("files", "expected", "where"), [c[1:] for c in ETL_CASES], ids=[c[0] for c in ETL_CASES])
def test_etl(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(etl, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == expected
    for signal, locs in where.items():
        assert labels(found[signal])[: len(locs)] == locs


def test_starter_project_message_names_the_starter(tmp_path: Path) -> None:
    files = {"dbt_project.yml": DBT_PROJECT, "models/example/my_first_dbt_model.sql": "select 1"}
    finding = run_on_repo(etl, tmp_path, files)[DBT]
    assert "my_first_dbt_model" in finding.message and finding.values["ignored_scaffolds"] == 1


def test_notebook_export_is_low_confidence(tmp_path: Path) -> None:
    nb = '{"cells": [{"cell_type": "code", "source": ["df = pd.read_sql(q, c)\\n", "df.to_csv(\\"x.csv\\")"]}]}'
    finding = run_on_repo(etl, tmp_path, {"nb/export.ipynb": nb})[ETL]
    assert truth(finding) and finding.confidence == "low"


PROFILES = """shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: dev.duckdb
{extra}"""
STAGED = "    ci:\n      type: snowflake\n      account: x\n    prod:\n      type: snowflake\n      account: x\n"
PROD = "    prod:\n      type: postgres\n      host: db\n"
BUNDLE = """bundle:
  name: sales
targets:
  dev:
    mode: development
  staging:
    mode: production
  prod:
    mode: production
"""
TF_BQ = 'resource "google_bigquery_dataset" "sales" {\n  dataset_id = "sales"\n}\n'
TF_BQ_OFF = 'resource "google_bigquery_dataset" "sales" {\n  count      = 0\n  dataset_id = "sales"\n}\n'

TARGET_CASES = [
    (
        "dbt ci + prod",
        {"profiles.yml": PROFILES.format(extra=STAGED)},
        {ENV: True, WAREHOUSE: True},
        {ENV: ["profiles.yml:3"], WAREHOUSE: ["profiles.yml:8", "profiles.yml:11"]},
    ),
    (
        "dbt dev + prod only",
        {"profiles.yml": PROFILES.format(extra=PROD)},
        {ENV: False, WAREHOUSE: True},
        {WAREHOUSE: ["profiles.yml:8"]},
    ),
    (
        "dbt prod + a per-branch replica",
        {"profiles.yml": PROFILES.format(extra=PROD + STAGED.replace("ci:", "BRANCH:").split("    prod:")[0])},
        {ENV: True, WAREHOUSE: True},
        {ENV: ["profiles.yml:3"], WAREHOUSE: ["profiles.yml:8", "profiles.yml:11"]},
    ),
    ("local duckdb only", {"profiles.yml": PROFILES.format(extra="")}, {ENV: False, WAREHOUSE: False}, {}),
    ("bundle with staging", {"databricks.yml": BUNDLE}, {ENV: True, WAREHOUSE: False}, {ENV: ["databricks.yml:3"]}),
    ("warehouse iac", {"infra/bq.tf": TF_BQ}, {ENV: False, WAREHOUSE: True}, {WAREHOUSE: ["infra/bq.tf:1"]}),
    ("warehouse iac switched off", {"infra/bq.tf": TF_BQ_OFF}, {ENV: False, WAREHOUSE: False}, {}),
    (
        "profiles in examples",
        {"examples/profiles.yml": PROFILES.format(extra=STAGED)},
        {ENV: False, WAREHOUSE: False},
        {},
    ),
    (
        "templated type",
        {"profiles.yml": "p:\n  outputs:\n    dev:\n      type: \"{{ env_var('T') }}\"\n"},
        {ENV: False, WAREHOUSE: False},
        {},
    ),
]


@pytest.mark.parametrize(
    ("files", "expected", "where"), [c[1:] for c in TARGET_CASES], ids=[c[0] for c in TARGET_CASES]
)
def test_targets(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(targets, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == expected
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


RETENTION_RAKE = """namespace :data_retention do
  desc "Delete questions older than 1 year"
  task delete_old_questions: :environment do
    count = Question.where("created_at < ?", 1.year.ago).delete_all
    p "#{count} deleted"
  end
end
"""
EXPORT_RAKE = "namespace :bigquery do\n  task export: :environment do\n    Bigquery::Exporter.call\n  end\nend\n"
PRINT_RAKE = "namespace :report do\n  task stats: :environment do\n    puts Question.count\n  end\nend\n"
RAKE_CASES = [
    ("retention rake task", {"lib/tasks/retention.rake": RETENTION_RAKE}, True),
    ("export rake task", {"lib/tasks/bigquery.rake": EXPORT_RAKE}, True),
    ("a rake task that only prints", {"lib/tasks/report.rake": PRINT_RAKE}, False),
    ("a data rake task in spec/", {"spec/fixtures/retention.rake": RETENTION_RAKE}, False),
    ("delete_all in a comment", {"lib/tasks/x.rake": "task :x do\n  # Question.delete_all\n  puts 1\nend\n"}, False),
]


@pytest.mark.parametrize(("name", "files", "expected"), RAKE_CASES, ids=[c[0] for c in RAKE_CASES])
def test_rake_data_tasks_are_etl_scripts(tmp_path: Path, name: str, files: dict[str, str], expected: bool) -> None:
    found = run_on_repo(etl, tmp_path, files)
    assert truth(found[ETL]) is expected, (name, found[ETL].message)
    assert truth(found[DE]) is False  # an app's rake tasks are not data-engineering artefacts
