from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.data_access import GITOPS, INTERFACES, access
from probes.repo.data_grants import GROUPS, USERS, grants
from scanner.testing import labels, run_on_repo, truth

SQL = """-- grants
GRANT SELECT ON TABLE sales.orders TO ROLE analyst;
GRANT SELECT ON TABLE sales.customers TO USER alice;
grant usage on schema sales to group reporting;
"""
TF = """resource "azurerm_role_assignment" "ds" {
  scope                = azurerm_storage_container.raw.resource_manager_id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azuread_group.data_science.object_id
}

resource "google_bigquery_dataset_iam_member" "bob" {
  dataset_id = "sales"
  role       = "roles/bigquery.dataViewer"
  member     = "user:bob@corp.io"
}

resource "azurerm_role_assignment" "typed" {
  scope          = azurerm_storage_account.lake.id
  principal_id   = var.user_id
  principal_type = "User"
}
"""
TF_OFF = """resource "google_bigquery_dataset_iam_member" "bob" {
  count  = 0
  member = "user:bob@corp.io"
}
"""
DATABRICKS = """resource "databricks_grants" "sales" {
  schema = "main.sales"
  grant {
    principal  = "data-engineers"
    privileges = ["SELECT"]
  }
  grant {
    principal  = "carol@corp.io"
    privileges = ["SELECT"]
  }
}
"""
BUDGET_FILTER = """resource "aws_budgets_budget" "ml" {
  cost_filter {
    name   = "TagKeyValue"
    values = ["user:cost-center$ml"]
  }
}
"""
K8S = """apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers}
subjects:
  - kind: Group
    name: ml-team
  - kind: ServiceAccount
    name: runner
roleRef: {kind: Role, name: reader}
"""
DBT = {
    "dbt_project.yml": "name: shop\nmodels:\n  shop:\n    +grants:\n      select: ['reporter']\n",
    "models/a.sql": "select 1",
}

GRANT_CASES = [
    (
        "sql grants",
        {"sql/grants.sql": SQL},
        {USERS: True, GROUPS: True},
        {USERS: ["sql/grants.sql:3"], GROUPS: ["sql/grants.sql:2", "sql/grants.sql:4"]},
    ),
    (
        "terraform role assignments and iam",
        {"infra/access.tf": TF},
        {USERS: True, GROUPS: True},
        {USERS: ["infra/access.tf:10", "infra/access.tf:16"], GROUPS: ["infra/access.tf:1"]},
    ),
    ("switched-off resource", {"infra/access.tf": TF_OFF}, {}, {}),
    (
        "databricks grants",
        {"infra/uc.tf": DATABRICKS},
        {USERS: True, GROUPS: True},
        {USERS: ["infra/uc.tf:8"], GROUPS: ["infra/uc.tf:4"]},
    ),
    ("k8s role binding", {"k8s/rbac.yaml": K8S}, {GROUPS: True}, {GROUPS: ["k8s/rbac.yaml:2"]}),
    ("dbt grants to roles", DBT, {GROUPS: True}, {GROUPS: ["dbt_project.yml:4"]}),
    (
        "placeholder and public grantees",
        {"sql/g.sql": "GRANT SELECT ON t TO PUBLIC;\nGRANT SELECT ON t TO USER <your_user>;\n"},
        {},
        {},
    ),
    ("grants in docs", {"docs/grants.sql": SQL}, {}, {}),
    ("budget cost filter is not an iam user", {"infra/budget.tf": BUDGET_FILTER}, {}, {}),
    (
        "prose and docstrings are not grants",
        {
            "src/perm.py": '"""\nGRANT SELECT ON t TO USER bob;\n"""\n'
            'msg = "this does not grant access to bundle files"\n'
        },
        {},
        {},
    ),
    (
        "dbt post-hook grant",
        {"dbt_project.yml": 'name: shop\nmodels:\n  +post-hook: "grant select on {{ this }} to role reporter"\n'},
        {GROUPS: True},
        {GROUPS: ["dbt_project.yml:3"]},
    ),
]


@pytest.mark.parametrize(("files", "expected", "where"), [c[1:] for c in GRANT_CASES], ids=[c[0] for c in GRANT_CASES])
def test_grants(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(grants, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in found}
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


def test_group_share(tmp_path: Path) -> None:
    found = run_on_repo(grants, tmp_path, {"sql/grants.sql": SQL})
    assert found[GROUPS].values == {"count": 2, "users": 1, "groups": 2, "group_share": 0.67}


ACCESS_YAML = "dataset: sales.orders\nreaders:\n  - group:analysts@corp.io\n"
CODEOWNERS_SPECIFIC = "* @org/everyone\n/access/ @org/data-governance\n"
PUBLIC_DBT = {
    "dbt_project.yml": "name: shop\n",
    "models/marts/orders.sql": "select 1",
    "models/staging/stg_orders.sql": "select 1",
    "models/marts/s.yml": "models:\n  - name: orders\n    config:\n      access: public\n",
}

ACCESS_CASES = [
    (
        "access as code with owners",
        {"access/sales.yaml": ACCESS_YAML, ".github/CODEOWNERS": CODEOWNERS_SPECIFIC},
        {GITOPS: True},
        {GITOPS: [".github/CODEOWNERS:2", "access/sales.yaml:2"]},
    ),
    ("access files in a non-access folder", {"config/sales.yaml": ACCESS_YAML}, {}, {}),
    (
        "secure view",
        {"sql/views.sql": "create or replace secure view sales.v_orders as select 1;\n"},
        {INTERFACES: True},
        {INTERFACES: ["sql/views.sql:1"]},
    ),
    ("public dbt model next to protected", PUBLIC_DBT, {INTERFACES: True}, {INTERFACES: ["models/marts/s.yml:4"]}),
    (
        "all models public",
        {"dbt_project.yml": "name: shop\nmodels:\n  shop:\n    +access: public\n", "models/a.sql": "select 1"},
        {},
        {},
    ),
]


@pytest.mark.parametrize(
    ("files", "expected", "where"), [c[1:] for c in ACCESS_CASES], ids=[c[0] for c in ACCESS_CASES]
)
def test_access(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(access, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in found}
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


@pytest.mark.parametrize("codeowners", ["", "* @org/everyone\n"])
def test_access_files_without_specific_owners_are_low(tmp_path: Path, codeowners: str) -> None:
    files = {"access/sales.yaml": ACCESS_YAML} | ({"CODEOWNERS": codeowners} if codeowners else {})
    finding = run_on_repo(access, tmp_path, files)[GITOPS]
    assert truth(finding) and finding.confidence == "low" and finding.values["with_codeowners"] == 0
