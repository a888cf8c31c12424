from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.data_dbt import CONTRACTS, GRANTS, MIN_GROUP, PII, PII_GRANTS, SIGNALS, TESTS, dbt_governance
from scanner.testing import labels, run_on_repo, truth

PROJECT = """name: shop
version: '1.0'
profile: shop
models:
  shop:
    +grants:
      select: ['reporter', 'analyst']
    marts:
      pii:
        +grants:
          select: ['pii_reader']
"""
SCHEMA = """version: 2
models:
  - name: customers
    config:
      contract: {enforced: true}
    columns:
      - name: customer_id
        data_tests: [unique, not_null]
  - name: customer_emails
    config:
      meta: {contains_pii: true}
  - name: orders
    columns:
      - name: customer_id
        data_tests:
          - relationships:
              to: ref('customers')
              field: customer_id
              config: {severity: warn}
"""
MODELS = {
    "models/marts/customers.sql": "select 1 as customer_id",
    "models/marts/orders.sql": "select 1 as customer_id",
    "models/marts/pii/customer_emails.sql": "select 'a' as email",
}
FULL = {"dbt_project.yml": PROJECT, "models/marts/schema.yml": SCHEMA, **MODELS}
FLAT_PROJECT = "name: shop\nmodels:\n  shop:\n    +grants:\n      select: ['reporter']\n"
PUBLIC_PII = (
    "version: 2\nmodels:\n  - name: customer_emails\n    config:\n      meta: {pii: true}\n"
    "      grants: {select: ['public']}\n"
)
WARN_ONLY = (
    "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests:\n"
    "          - unique:\n              config: {severity: warn}\n"
)
STARTER_SCHEMA = (
    "version: 2\nmodels:\n  - name: my_first_dbt_model\n    columns:\n      - name: id\n"
    "        data_tests: [unique, not_null]\n"
)
DUPES_SQL = "select id from {{ ref('orders') }}\ngroup by id\nhaving count(*) > 1\n"
MIN_GROUP_SQL = "select region, count(*) from {{ ref('orders') }}\ngroup by region\nhaving count(*) < 5\n"

CASES = [
    (
        "governed project",
        FULL,
        {PII: True, GRANTS: True, PII_GRANTS: True, CONTRACTS: True, TESTS: True},
        {
            PII_GRANTS: ["dbt_project.yml:10"],
            CONTRACTS: ["models/marts/schema.yml:5"],
            PII: ["models/marts/schema.yml:11"],
        },
    ),
    (
        "pii granted like the rest",
        {"dbt_project.yml": FLAT_PROJECT, "models/marts/schema.yml": SCHEMA, **MODELS},
        {PII: True, GRANTS: True, CONTRACTS: True, TESTS: True},
        {GRANTS: ["dbt_project.yml:4"]},
    ),
    (
        "pii granted to public",
        {"dbt_project.yml": FLAT_PROJECT, "models/s.yml": PUBLIC_PII, **MODELS},
        {PII: True, GRANTS: True},
        {},
    ),
    ("no dbt project", {"models/schema.yml": SCHEMA}, {}, {}),
    (
        "starter project tests do not count",
        {
            "dbt_project.yml": "name: x\n",
            "models/example/schema.yml": STARTER_SCHEMA,
            "models/example/my_first_dbt_model.sql": "select 1 as id",
        },
        {},
        {},
    ),
    (
        "grants with no grantees",
        {
            "dbt_project.yml": "name: shop\nmodels:\n  shop:\n    +grants:\n      select: []\n",
            "models/a.sql": "select 1",
        },
        {},
        {},
    ),
    (
        "contract explicitly off",
        {
            "dbt_project.yml": "name: shop\n",
            "models/a.sql": "select 1",
            "models/s.yml": "models:\n  - name: a\n    config:\n      contract: {enforced: false}\n",
        },
        {},
        {},
    ),
    (
        "contract from project folders",
        {
            "dbt_project.yml": "name: shop\nmodels:\n  shop:\n    marts:\n      +contract: {enforced: true}\n",
            "models/marts/a.sql": "select 1",
            "models/staging/b.sql": "select 1",
        },
        {CONTRACTS: True},
        {},
    ),
    (
        "singular min group test",
        {
            "dbt_project.yml": "name: shop\n",
            "models/orders.sql": "select 1",
            "tests/assert_min_group.sql": MIN_GROUP_SQL,
        },
        {TESTS: True, MIN_GROUP: True},
        {MIN_GROUP: ["tests/assert_min_group.sql:3"], TESTS: ["tests/assert_min_group.sql:1"]},
    ),
    (
        "uniqueness having clause is not a group size",
        {"dbt_project.yml": "name: shop\n", "models/orders.sql": "select 1", "tests/dupes.sql": DUPES_SQL},
        {TESTS: True},
        {},
    ),
    (
        "sql config grants and tags",
        {
            "dbt_project.yml": FLAT_PROJECT,
            "models/a.sql": "select 1",
            "models/p.sql": "{{ config(tags=['pii'], grants={'select': ['pii_reader']}) }}\nselect 1",
        },
        {PII: True, GRANTS: True, PII_GRANTS: True},
        {},
    ),
]


@pytest.mark.parametrize(("files", "expected", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_dbt_governance(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(dbt_governance, tmp_path, files)
    assert set(found) == set(SIGNALS)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in SIGNALS}
    for signal, locs in where.items():
        assert labels(found[signal])[: len(locs)] == locs


def test_counts_and_severity(tmp_path: Path) -> None:
    found = run_on_repo(dbt_governance, tmp_path, FULL)
    assert found[TESTS].values == {"count": 3, "warn": 1, "singular": 0, "unit_tests": 0}
    assert found[CONTRACTS].values == {"count": 1, "share": 0.33}
    assert found[TESTS].confidence == "medium"


def test_warn_only_tests_are_low_confidence(tmp_path: Path) -> None:
    files = {"dbt_project.yml": "name: shop\n", "models/orders.sql": "select 1 as id", "models/s.yml": WARN_ONLY}
    finding = run_on_repo(dbt_governance, tmp_path, files)[TESTS]
    assert truth(finding) and finding.confidence == "low" and "only warn" in finding.message


def test_pii_grant_broader_than_the_rest_is_not_narrower(tmp_path: Path) -> None:
    sql = "{{ config(meta={'pii': true}, grants={'select': ['pii_reader']}) }}\nselect 1"
    files = {"dbt_project.yml": "name: shop\n", "models/a.sql": "select 1", "models/p.sql": sql}
    found = run_on_repo(dbt_governance, tmp_path, files)
    assert truth(found[PII]) and truth(found[GRANTS]) and not truth(found[PII_GRANTS])


def test_public_pii_message(tmp_path: Path) -> None:
    files = {"dbt_project.yml": FLAT_PROJECT, "models/s.yml": PUBLIC_PII, **MODELS}
    finding = run_on_repo(dbt_governance, tmp_path, files)[PII_GRANTS]
    assert "all-users" in finding.message and finding.values["public"] == 1


def test_explicit_non_pii_is_classification_without_sensitive(tmp_path: Path) -> None:
    schema = "models:\n  - name: a\n    columns:\n      - name: id\n        meta: {pii: false}\n"
    files = {"dbt_project.yml": "name: shop\n", "models/a.sql": "select 1", "models/s.yml": schema}
    finding = run_on_repo(dbt_governance, tmp_path, files)[PII]
    assert truth(finding) and finding.values["sensitive"] == 0
