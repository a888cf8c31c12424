from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.data_gathering import PKG, PRODUCTS, gathering
from scanner.testing import labels, run_on_repo, truth

TRAIN = """from sklearn.linear_model import LogisticRegression

from acme_features.customers import load_features

X, y = load_features()
LogisticRegression().fit(X, y)
"""
LOCAL_PKG = {
    "packages/features/acme_features/__init__.py": "",
    "packages/features/acme_features/customers.py": "def load_features():\n    return [], []\n",
    "models/churn/train.py": TRAIN,
}
DEP_TRAIN = "import sales_data\n\nmodel.fit(sales_data.load())\n"
ODPS = """schema: https://opendataproducts.org/v3.0/schema/odps.yaml
version: 3.0
product:
  en:
    name: Customer 360
"""
DATAHUB = """id: customer_360
domain: urn:li:domain:marketing
assets:
  - urn:li:dataset:(urn:li:dataPlatform:snowflake,db.customers,PROD)
"""

CASES = [
    ("local data package", LOCAL_PKG, {PKG: True}, {PKG: ["models/churn/train.py:3"]}),
    (
        "internal dependency",
        {"requirements.txt": "sales-data==1.2\n", "train.py": DEP_TRAIN},
        {PKG: True},
        {PKG: ["train.py:1"]},
    ),
    (
        "public dataset library",
        {
            "requirements.txt": "tensorflow-datasets\n",
            "train.py": "import tensorflow_datasets as tfds\nmodel.fit(tfds.load('mnist'))\n",
        },
        {},
        {},
    ),
    (
        "data package imported by itself",
        {"acme_data/__init__.py": "", "acme_data/train.py": TRAIN.replace("acme_features.customers", "acme_data")},
        {},
        {},
    ),
    (
        "odps descriptor",
        {"products/customer360.yaml": ODPS},
        {PRODUCTS: True},
        {PRODUCTS: ["products/customer360.yaml:1"]},
    ),
    ("datahub data product", {"datahub/customer_360.yaml": DATAHUB}, {PRODUCTS: True}, {}),
    (  # the walk up to a package's top folder once looped forever at the root
        "__init__.py at the repo root",
        {"__init__.py": "", "acme_features/__init__.py": "", "train.py": TRAIN.replace(".customers", "")},
        {PKG: True},
        {PKG: ["train.py:3"]},
    ),
    ("placeholder descriptor", {"dataproduct.yaml": "id: <your-product-id>\nname: x\n"}, {}, {}),
]


@pytest.mark.parametrize(("files", "expected", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_gathering(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(gathering, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in found}
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


def test_shared_package_is_low_confidence(tmp_path: Path) -> None:
    finding = run_on_repo(gathering, tmp_path, LOCAL_PKG)[PKG]
    assert finding.confidence == "low" and finding.values["packages"] == ["acme_features"]
