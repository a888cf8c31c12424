from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.data_dbt_semantics import (
    DIMS,
    DOCS,
    ENTITIES,
    EXPOSURES,
    MAPPING,
    MESH,
    RELS,
    SIGNALS,
    UNLINKED,
    dbt_semantics,
)
from scanner.testing import labels, run_on_repo, truth

PROJECT = {"dbt_project.yml": "name: shop\nprofile: shop\n"}
SOURCES = "version: 2\nsources:\n  - name: erp\n    tables:\n" + "".join(f"      - name: t{i}\n" for i in range(6))
RELS_YML = """version: 2
models:
  - name: orders
    columns:
      - name: customer_id
        description: "{{ doc('customer_id') }}"
        data_tests:
          - relationships:
              to: ref('customers')
              field: id
  - name: customers
    columns:
      - name: id
        description: "{{ doc('customer_id') }}"
"""
SEMANTIC = """semantic_models:
  - name: orders
    model: ref('orders')
    entities:
      - name: customer
        type: foreign
  - name: customers
    model: ref('customers')
    entities:
      - name: customer
        type: primary
"""
EXPOSURE = """exposures:
  - name: churn_model
    type: ml
    owner: {name: ds}
    depends_on: [ref('customers')]
  - name: dash
    type: dashboard
    owner: {name: bi}
"""
DOCS_MD = "{% docs customer_id %}\nThe customer key.\n{% enddocs %}\n"
MODELS = {"models/orders.sql": "select 1", "models/customers.sql": "select 1"}
DIM = "select 1 as id"
FCT = "select * from {{ ref('dim_customer') }}"

CASES = [
    (
        "linked project",
        {
            **PROJECT,
            **MODELS,
            "models/s.yml": RELS_YML,
            "models/sem.yml": SEMANTIC,
            "models/docs.md": DOCS_MD,
            "models/src.yml": SOURCES,
        },
        {RELS: True, ENTITIES: True, DOCS: True},
        {RELS: ["models/s.yml:8"], DOCS: ["models/docs.md:1"]},
    ),
    (
        "unlinked sources",
        {**PROJECT, **MODELS, "models/src.yml": SOURCES},
        {UNLINKED: True},
        {UNLINKED: [f"models/src.yml:{n}" for n in range(5, 11)]},
    ),
    (
        "few sources are not unlinked",
        {**PROJECT, **MODELS, "models/src.yml": SOURCES.split("      - name: t3")[0]},
        {},
        {},
    ),
    (
        "docs block used once",
        {
            **PROJECT,
            **MODELS,
            "models/docs.md": DOCS_MD,
            "models/s.yml": "models:\n  - name: orders\n    description: \"{{ doc('customer_id') }}\"\n",
        },
        {},
        {},
    ),
    (
        "mapping tables",
        {
            **PROJECT,
            "models/customer_xref.sql": "select 1",
            "seeds/map_country.csv": "a\n1\n",
            "sql/ddl.sql": "CREATE TABLE ref.product_crosswalk (a int);\n",
        },
        {MAPPING: True},
        {MAPPING: ["models/customer_xref.sql:1", "seeds/map_country.csv:1", "sql/ddl.sql:1"]},
    ),
    (
        "mapping table without dbt",
        {"sql/ddl.sql": "-- x\ncreate table if not exists id_mapping (a int);\n"},
        {MAPPING: True},
        {MAPPING: ["sql/ddl.sql:2"]},
    ),
    (
        "conformed dimension",
        {
            **PROJECT,
            "models/marts/dim_customer.sql": DIM,
            "models/marts/sales/fct_sales.sql": FCT,
            "models/marts/finance/fct_invoices.sql": FCT,
        },
        {DIMS: True},
        {DIMS: ["models/marts/dim_customer.sql:1"]},
    ),
    (
        "dimension used in one folder",
        {**PROJECT, "models/dim_customer.sql": DIM, "models/fct_a.sql": FCT, "models/fct_b.sql": FCT},
        {},
        {},
    ),
    (
        "ml exposure",
        {**PROJECT, **MODELS, "models/exp.yml": EXPOSURE},
        {EXPOSURES: True},
        {EXPOSURES: ["models/exp.yml:2"]},
    ),
    (
        "mesh project dependency",
        {
            **PROJECT,
            **MODELS,
            "dependencies.yml": "projects:\n  - name: core_platform\n",
            "models/x.sql": "select * from {{ ref('core_platform', 'dim_customers') }}",
        },
        {MESH: True},
        {MESH: ["dependencies.yml:2", "models/x.sql:1"]},
    ),
    (
        "dependencies with packages only",
        {
            **PROJECT,
            **MODELS,
            "dependencies.yml": "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n",
            "models/x.sql": "select * from {{ ref('dbt_utils', 'x') }}",
        },
        {},
        {},
    ),
    (
        "versioned ref is not mesh",
        {**PROJECT, **MODELS, "models/x.sql": "select * from {{ ref('orders', v=2) }}"},
        {},
        {},
    ),
    (
        "semantics in examples",
        {
            "examples/shop/dbt_project.yml": "name: shop\n",
            "examples/shop/models/a.sql": "select 1",
            "examples/shop/models/sem.yml": SEMANTIC,
        },
        {},
        {},
    ),
]


@pytest.mark.parametrize(("files", "expected", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_dbt_semantics(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(dbt_semantics, tmp_path, files)
    assert set(found) == set(SIGNALS)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in SIGNALS}
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


def test_shared_entities_and_exposure_values(tmp_path: Path) -> None:
    files = {**PROJECT, **MODELS, "models/sem.yml": SEMANTIC, "models/exp.yml": EXPOSURE}
    found = run_on_repo(dbt_semantics, tmp_path, files)
    assert found[ENTITIES].values["shared"] == ["customer"] and found[ENTITIES].confidence == "medium"
    assert found[EXPOSURES].values == {"count": 1, "with_depends_on": 1}
