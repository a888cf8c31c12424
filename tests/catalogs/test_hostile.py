"""Catalog servers that misbehave: one dripping a byte a second, an endless answer, a login page.
Each is one error target with a clear reason, in a bounded time; the rest of the scan completes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import EXIT_PARTIAL, main
from scanner.testing import make_repo
from tests.catalogs.fake_http import fake_server
from tests.hostile_http import dripping_server, huge_server
from tests.mlflow.test_hostile import run_bounded

TOKEN = "om-secret-token-hostile-77"
LOGIN_PAGE = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>...</form></body></html>"


def scan_catalog(tmp_path: Path, spec: str) -> tuple[int, dict[str, Any], float]:
    repo = make_repo(tmp_path, {"train.py": "print('hi')\n"})
    out = tmp_path / "e.json"
    code, seconds = run_bounded(lambda: main(["scan", str(repo), "--catalog", spec, "--json", str(out), "--quiet"]))
    document = json.loads(out.read_text())
    return int(code), document, seconds


def catalog_target(document: dict[str, Any]) -> dict[str, Any]:
    return dict(next(t for t in document["targets"] if t["kind"] == "catalog"))


def test_a_dripping_catalog_is_an_error_target_within_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIOPS_SCAN_HTTP_DEADLINE_S", "3")
    with dripping_server(pace_s=1.0) as url:
        code, document, seconds = scan_catalog(tmp_path, f"openmetadata={url}")
    target = catalog_target(document)
    assert code == EXIT_PARTIAL and target["status"] == "error"
    assert "did not answer within 3 s" in target["error"] and seconds < 20
    assert next(t for t in document["targets"] if t["kind"] == "repo")["status"] == "ok"


def test_an_endless_catalog_answer_is_cut_at_the_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIOPS_SCAN_HTTP_MAX_MB", "2")
    with huge_server(200 * 1024 * 1024) as url:
        code, document, seconds = scan_catalog(tmp_path, f"unitycatalog={url}")
    target = catalog_target(document)
    assert code == EXIT_PARTIAL and target["status"] == "error"
    assert "answered with more than 2 MB: stopped reading" in target["error"] and seconds < 20


def test_a_login_page_answering_for_the_catalog_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENMETADATA_TOKEN", TOKEN)
    with fake_server(lambda method, path, query, body: (200, LOGIN_PAGE)) as fake:
        code, document, _ = scan_catalog(tmp_path, f"openmetadata={fake.url}?token={TOKEN}")
    target = catalog_target(document)
    assert code == EXIT_PARTIAL and target["status"] == "error"
    assert target["error"] == f"{fake.url} answered with an HTML page (a login/SSO page?), not the catalog's REST API"
    assert len(fake.requests) == 1 and TOKEN not in json.dumps(document)
