"""`--catalog KIND=URL` as a scan source: the demo's Data Management levels change with the dbt
artifacts, explain cites catalog entities and their URLs, and a broken catalog is an error target
while the rest of the scan completes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, main
from scanner.estate import build_estate
from scanner.testing import make_repo
from tests.catalogs.conftest import DBT_ARTIFACTS, ROOT, validate_evidence

DM = "data_management"


def _levels(document: dict[str, Any], scope: str = "org:acme") -> dict[str, str | None]:
    org = next(a for a in document["assessments"] if a["scope"] == scope)
    return {k: v.get("level") for k, v in org["areas"][DM]["dimensions"].items()}


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_estate(ROOT / "fixtures" / "repos", tmp_path_factory.mktemp("estate") / "demo")


def test_demo_levels_change_with_the_dbt_catalog_and_explain_cites_it(
    estate: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain.json"
    assert main(["scan", str(estate), "--json", str(plain), "--quiet"]) == EXIT_OK
    assert main(["demo", "--out", str(tmp_path / "demo"), "--quiet"]) == EXIT_OK
    validate_evidence(tmp_path / "demo" / "evidence.json")
    demo = json.loads((tmp_path / "demo" / "evidence.json").read_text())
    assert any(t["id"].startswith("catalog:dbt:") and t["status"] == "ok" for t in demo["targets"])
    before, after = _levels(json.loads(plain.read_text())), _levels(demo)
    assert before["data_sensitivity"] == "initial" and after["data_sensitivity"] == "procedural"
    assert before["data_store"] == "initial" and after["data_store"] == "procedural"  # more repos read data
    assert before["data_sources"] == "minimal" and after["data_sources"] == "procedural"
    capsys.readouterr()
    assert main(["explain", str(tmp_path / "demo" / "evidence.json"), "data_sensitivity"]) == EXIT_OK
    text = " ".join(capsys.readouterr().out.split())
    assert "shop.main.stg_customers.email" in text and "specified but unenforced" in text
    assert "#!/model/model.shop.stg_customers>" in text.replace(" ", "")


def test_every_catalog_collector_is_a_registered_kind() -> None:
    """KINDS is the one registration line: a collector module left out of it could not be named by --catalog."""
    import re

    from scanner.collectors import catalogs

    package = Path(catalogs.__file__).parent
    collectors = {p.stem for p in package.glob("*.py") if re.search(r"^def collect\(", p.read_text(), re.MULTILINE)}
    assert {f"scanner.collectors.catalogs.{name}" for name in collectors} == set(catalogs.KINDS.values())


def test_a_bad_catalog_option_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["scan", str(tmp_path), "--catalog", "nosuch=http://x", "--quiet"]) == EXIT_USAGE
    assert main(["scan", str(tmp_path), "--catalog", "dbt", "--quiet"]) == EXIT_USAGE


@pytest.mark.parametrize("broken", ["missing", "malformed"])
def test_a_broken_dbt_catalog_is_an_error_target_and_the_scan_completes(
    estate: Path, tmp_path: Path, broken: str
) -> None:
    folder = tmp_path / "artifacts"
    folder.mkdir()
    if broken == "malformed":
        (folder / "manifest.json").write_text('{"nodes": {', encoding="utf-8")
    out = tmp_path / "e.json"
    code = main(["scan", str(estate / "llm-app"), "--catalog", f"dbt={folder}", "--json", str(out), "--quiet"])
    assert code == EXIT_PARTIAL
    validate_evidence(out)
    document = json.loads(out.read_text())
    target = next(t for t in document["targets"] if t["kind"] == "catalog")
    assert target["status"] == "error"
    assert ("no dbt manifest.json" if broken == "missing" else "not valid JSON") in target["error"]
    catalog = [f for f in document["findings"] if f["subject"] == target["id"]]
    assert catalog and {f["outcome"] for f in catalog} <= {"not_available", "error"}
    assert any(a["scope"].endswith("llm-app") for a in document["assessments"])


def test_dbt_artifacts_alone_are_assessed_as_the_organisation(tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    assert main(["scan", str(tmp_path), "--catalog", f"dbt={DBT_ARTIFACTS}", "--json", str(out), "--quiet"]) in (
        EXIT_OK,
        EXIT_PARTIAL,
    )
    document = json.loads(out.read_text())
    assert document["stats"]["api_calls"] is not None
    assert any(f["signal"] == "catalog.classification.present" and f["outcome"] == "true" for f in document["findings"])


def test_dbt_artifacts_inside_a_scanned_repo_are_its_catalog(tmp_path: Path) -> None:
    files = {f"analytics/target/{name}": (DBT_ARTIFACTS / name).read_text() for name in ("manifest.json",)}
    files["analytics/dbt_project.yml"] = "name: shop\nprofile: shop\n"
    files["examples/target/manifest.json"] = "not json"  # example folders are ignored
    repo = make_repo(tmp_path, files)
    out = tmp_path / "e.json"
    assert main(["scan", str(repo), "--json", str(out), "--quiet"]) == EXIT_OK
    validate_evidence(out)
    document = json.loads(out.read_text())
    (target,) = document["targets"]
    assert target["dbt_artifacts"] == "analytics/target"
    found = {f["signal"]: f for f in document["findings"] if f["subject"] == target["id"]}
    assert found["catalog.classification.present"]["outcome"] == "true"
    assert found["catalog.dbt.tests.executed"]["outcome"] == "not_available"  # no run_results.json committed


def test_uncommitted_dbt_artifacts_are_not_evidence(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"dbt_project.yml": "name: shop\nprofile: shop\n"})
    (repo / "target").mkdir()
    (repo / "target" / "manifest.json").write_text((DBT_ARTIFACTS / "manifest.json").read_text())
    out = tmp_path / "e.json"
    assert main(["scan", str(repo), "--json", str(out), "--quiet"]) == EXIT_OK
    document = json.loads(out.read_text())
    assert "dbt_artifacts" not in document["targets"][0]
    assert not any(f["signal"].startswith("catalog.") for f in document["findings"])


def test_dbt_artifacts_in_a_plain_folder_are_read_from_disk(tmp_path: Path) -> None:
    folder = tmp_path / "plain" / "warehouse" / "target"
    folder.mkdir(parents=True)
    for name in ("manifest.json", "run_results.json"):
        (folder / name).write_text((DBT_ARTIFACTS / name).read_text())
    out = tmp_path / "e.json"
    assert main(["scan", str(tmp_path / "plain"), "--json", str(out), "--quiet"]) == EXIT_OK
    document = json.loads(out.read_text())
    assert document["targets"][0]["dbt_artifacts"] == "warehouse/target"
    found = {f["signal"]: f["outcome"] for f in document["findings"]}
    assert found["catalog.dbt.tests.executed"] == "true"


def test_a_catalog_counts_for_a_single_repo_with_no_data_work_of_its_own(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"app/main.py": "def handler(event):\n    return {'ok': True}\n"})
    plain, with_catalog = tmp_path / "plain.json", tmp_path / "catalog.json"
    assert main(["scan", str(repo), "--json", str(plain), "--quiet"]) == EXIT_OK
    code = main(["scan", str(repo), "--catalog", f"dbt={DBT_ARTIFACTS}", "--json", str(with_catalog), "--quiet"])
    assert code in (EXIT_OK, EXIT_PARTIAL)

    def area(path: Path) -> dict[str, Any]:
        document = json.loads(path.read_text())
        (assessment,) = [a for a in document["assessments"] if not a["scope"].startswith("org:")]
        return assessment["areas"][DM]

    assert area(plain)["status"] == "not_applicable"  # no catalog given: nothing shows data work
    assessed = area(with_catalog)
    assert assessed["status"] == "assessed"
    assert assessed["dimensions"]["data_sensitivity"]["level"] in ("minimal", "procedural")
