"""Where training data comes from: shared internal data/feature packages, and data product descriptors.

code.shared_data_pkg (single repo, low confidence): training code imports a data/feature package that
is a separate package in the same repo, or a declared dependency with an internal-looking name
(`acme-features`, `sales-data`). The cross-repo form of the signal needs the org view.
repo.data_product_descriptors: Data Product Specification (`dataProductSpecification:`), ODPS
(`opendataproducts.org` schema), DataHub data product YAML (`domain` + `assets` of `urn:li:`),
`dataproduct.yaml` files; or dbt groups with owners in a dbt mesh (low).
"""

from __future__ import annotations

import re

from probes.repo._data import is_placeholder, loc, parent_dir, unavailable_all, yaml_docs
from probes.repo.data_dbt_files import collect_dbt
from scanner.facts.paths import CODE, file_name
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

PKG, PRODUCTS = "code.shared_data_pkg", "repo.data_product_descriptors"
DATA_NAME = re.compile(r"(^|_)(data|datasets?|features?|feature_store|ingest\w*|etl|loaders?|warehouse|lake)(_|$)")
INTERNAL_DEP = re.compile(r"^[a-z0-9]+-(data|datasets?|features?|feature-store|ingest\w*|etl)(-[a-z0-9-]+)?$")
PUBLIC_DEPS = frozenset(
    {
        "tensorflow-datasets",
        "pandas-datareader",
        "feature-engine",
        "torch-data",
        "hf-datasets",
        "vega-datasets",
        "sklearn-features",
        "azure-ai-data",
        "google-cloud-data",
    }
)
TRAIN_PATH = re.compile(r"(^|/)(train\w*\.(py|ipynb)|training/)")
PRODUCT_FILE = re.compile(r"(^|[._-])data[-_]?product\.ya?ml$", re.IGNORECASE)


def packages(index: RepoIndex) -> dict[str, str]:
    """Top-level Python packages of the repo: name -> folder."""
    inits = {parent_dir(p) for p in index.by_name("__init__.py")}
    tops: dict[str, str] = {}
    for folder in inits:
        top = folder
        while parent_dir(top) and parent_dir(top) in inits:  # stop below the root (its own parent)
            top = parent_dir(top)
        if top:  # an __init__.py at the root is not a package name
            tops.setdefault(file_name(top), top)
    return tops


def training_files(index: RepoIndex) -> list[str]:
    out = []
    for path in index.python_files(kinds={CODE}):
        facts = index.python(path)
        if TRAIN_PATH.search(path) or (facts and facts.calls_to("fit", "trainer.train", "xgb.train", "lgb.train")):
            out.append(path)
    return out


def shared_packages(index: RepoIndex) -> tuple[list[Location], set[str]]:
    local = {n: d for n, d in packages(index).items() if DATA_NAME.search(n)}
    deps = {d.replace("-", "_"): d for d in index.dependencies if INTERNAL_DEP.match(d) and d not in PUBLIC_DEPS}
    locs: list[Location] = []
    names: set[str] = set()
    for path in training_files(index):
        facts = index.python(path)
        tops: dict[str, int] = {}
        for module, line in facts.imports.items() if facts else ():
            tops[module.split(".")[0]] = min(line, tops.get(module.split(".")[0], line))
        for top, line in sorted(tops.items()):
            home = local.get(top)
            if (home and not path.startswith(f"{home}/")) or top in deps:
                names.add(top)
                locs.append(loc(index, path, line, f"imports {top}"))
    return locs, names


def descriptors(index: RepoIndex) -> list[Location]:
    paths = [p for p in index.by_suffix(".yaml", ".yml") if _maybe_product(index, p)]
    out = []
    for path, doc in yaml_docs(index, paths):
        data = doc.data
        name = str(data.get("id") or data.get("name") or (data.get("info") or {}).get("title", ""))
        if name and is_placeholder(name):
            continue
        assets = data.get("assets") if isinstance(data.get("assets"), list) else []
        if (
            "dataProductSpecification" in data
            or "opendataproducts.org" in str(data.get("schema", ""))
            or ("domain" in data and any("urn:li:" in str(a) for a in assets))
            or (PRODUCT_FILE.search(file_name(path)) and name)
        ):
            out.append(index.location(path, 1, f"data product {name}".strip()))
    facts = collect_dbt(index)
    mesh = [p for p in index.by_name("dependencies.yml") if "projects" in (index.text(p) or "")]
    if mesh:
        out += [
            index.location(e.path, e.line, f"dbt group {e.name}")
            for e in facts.section("groups")
            if e.data.get("owner")
        ]
    return out


def _maybe_product(index: RepoIndex, path: str) -> bool:
    text = index.text(path) or ""
    return bool(PRODUCT_FILE.search(file_name(path))) or any(
        k in text for k in ("dataProductSpecification", "opendataproducts.org", "urn:li:")
    )


@probe(
    "repo.data.gathering",
    summary="Shared internal data/feature packages imported by training code, and data product descriptors.",
    emits=(PKG, PRODUCTS),
    remediation="Move shared data preparation into a versioned data/feature package or publish data products.",
    evidence=("file",),
)
def gathering(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (PKG, PRODUCTS))
    locs, names = shared_packages(index)
    products = descriptors(index)
    dbt_only = all("dbt group" in (x.snippet or "") for x in products)
    return [
        hit(
            views,
            PKG,
            locs,
            f"Training code imports shared data package(s): {', '.join(sorted(names))}",
            confidence="low",
            values={"count": len(locs), "packages": sorted(names)},
        )
        if locs
        else miss(views, PKG, "Training code imports no separate internal data/feature package"),
        hit(
            views,
            PRODUCTS,
            products,
            f"{len(products)} data product descriptor(s)",
            confidence="low" if dbt_only else "medium",
        )
        if products
        else miss(views, PRODUCTS, "No data product descriptors (ODPS, dataproduct.yaml, DataHub)"),
    ]
