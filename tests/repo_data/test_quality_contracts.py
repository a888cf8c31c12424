from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.data_contracts import PII, PRESENT, SHARED, data_contracts
from probes.repo.data_quality import SIGNAL as VALIDATION
from probes.repo.data_quality import data_validation
from scanner.testing import labels, run_on_repo, truth

PANDERA = """import pandera as pa

schema = pa.DataFrameSchema({"age": pa.Column(int, pa.Check.ge(0))})
"""
PANDERA_MODEL = """import pandera as pa
from pandera.typing import Series


class Orders(pa.DataFrameModel):
    amount: Series[float]
"""
GX_CODE = """import great_expectations as gx

context = gx.get_context()
suite = context.suites.add(gx.ExpectationSuite(name="orders"))
suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="id"))
"""
GX_TAXI = GX_CODE.replace('"orders"', '"taxi.demo"')
SODA_CHECKS = "checks for orders:\n  - row_count > 0\n  - missing_count(id) = 0\n"
SODA_CONFIG = "data_source warehouse:\n  type: postgres\n"
TFDV = "import tensorflow_data_validation as tfdv\n\nanomalies = tfdv.validate_statistics(stats, schema)\n"

VALIDATION_CASES = [
    ("pandera schema", {"src/schemas.py": PANDERA}, True, ["src/schemas.py:3"]),
    ("pandera model class", {"src/models.py": PANDERA_MODEL}, True, ["src/models.py:5"]),
    ("gx in code", {"pipeline/validate.py": GX_CODE}, True, ["pipeline/validate.py:4"]),
    ("gx taxi tutorial", {"pipeline/validate.py": GX_TAXI}, False, []),
    ("gx empty init context", {"gx/great_expectations.yml": "config_version: 3\n"}, False, []),
    (
        "soda checks + config",
        {"soda/checks.yml": SODA_CHECKS, "soda/configuration.yml": SODA_CONFIG},
        True,
        ["soda/checks.yml:1"],
    ),
    ("tfdv", {"tfx/validate.py": TFDV}, True, ["tfx/validate.py:3"]),
    ("dependency only", {"requirements.txt": "pandera\ngreat-expectations\n"}, False, []),
    ("import only", {"src/x.py": "import pandera as pa\n"}, False, []),
    ("pandera in tests only", {"tests/test_schema.py": PANDERA}, False, []),
    ("pandera in examples", {"examples/schema.py": PANDERA}, False, []),
]


@pytest.mark.parametrize(
    ("files", "expected", "where"), [c[1:] for c in VALIDATION_CASES], ids=[c[0] for c in VALIDATION_CASES]
)
def test_data_validation(tmp_path: Path, files: dict[str, str | bytes], expected: bool, where: list[str]) -> None:
    finding = run_on_repo(data_validation, tmp_path, files)[VALIDATION]
    assert truth(finding) == expected
    assert labels(finding) == where if expected else True


def test_soda_without_configuration_is_low(tmp_path: Path) -> None:
    finding = run_on_repo(data_validation, tmp_path, {"soda/checks.yml": SODA_CHECKS})[VALIDATION]
    assert truth(finding) and finding.confidence == "low"


def test_declared_only_is_reported(tmp_path: Path) -> None:
    finding = run_on_repo(data_validation, tmp_path, {"requirements.txt": "pandera\n"})[VALIDATION]
    assert finding.values["declared"] == 1 and "never used" in finding.message


DCS = """dataContractSpecification: 1.1.0
id: orders-contract
info:
  title: Orders
  version: 1.0.0
models:
  orders:
    fields:
      customer_email:
        type: string
        pii: true
        classification: restricted
      customer_id:
        $ref: '#/definitions/customer_id'
      order_customer:
        $ref: '#/definitions/customer_id'
definitions:
  customer_id:
    type: string
"""
ODCS = """apiVersion: v3.0.2
kind: DataContract
id: 53581432-6c55-4ba2-a65f-72344a91553a
name: orders
schema:
  - name: orders
    properties:
      - name: email
        classification: confidential
        authoritativeDefinitions:
          - type: businessDefinition
            url: https://glossary.example.org/terms/email
"""
TEMPLATE = """dataContractSpecification: 1.1.0
id: my-data-contract-id
info:
  title: My Data Contract
  version: 0.0.1
models:
  my_table:
    fields:
      my_field:
        type: string
"""
PLAIN = (
    "dataContractSpecification: 1.1.0\nid: orders\ninfo: {title: Orders}\nmodels:\n  o:\n    fields:\n"
    "      id: {type: string}\n"
)

CONTRACT_CASES = [
    (
        "dcs contract",
        {"contracts/orders/datacontract.yaml": DCS},
        {PRESENT: True, PII: True, SHARED: True},
        {
            PII: ["contracts/orders/datacontract.yaml:11"],
            SHARED: ["contracts/orders/datacontract.yaml:14", "contracts/orders/datacontract.yaml:16"],
        },
    ),
    (
        "odcs contract",
        {"orders.odcs.yaml": ODCS},
        {PRESENT: True, PII: True, SHARED: True},
        {PII: ["orders.odcs.yaml:9"], SHARED: ["orders.odcs.yaml:10"]},
    ),
    ("datacontract init template", {"datacontract.yaml": TEMPLATE}, {}, {}),
    ("plain contract", {"datacontract.yaml": PLAIN}, {PRESENT: True}, {PRESENT: ["datacontract.yaml:1"]}),
    ("contract in docs", {"docs/datacontract.yaml": DCS}, {}, {}),
]


@pytest.mark.parametrize(
    ("files", "expected", "where"), [c[1:] for c in CONTRACT_CASES], ids=[c[0] for c in CONTRACT_CASES]
)
def test_data_contracts(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(data_contracts, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in found}
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


def test_template_is_named_in_message(tmp_path: Path) -> None:
    finding = run_on_repo(data_contracts, tmp_path, {"datacontract.yaml": TEMPLATE})[PRESENT]
    assert "templates" in finding.message and finding.values["ignored_templates"] == 1
