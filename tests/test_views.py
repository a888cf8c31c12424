"""Typed views and the one protocol for a section that could not be read (scanner/facts/sections.py)."""

from __future__ import annotations

import typing
from dataclasses import fields
from datetime import UTC, datetime

import pytest

from scanner.facts.catalogs import CatalogFacts
from scanner.facts.ci.model import CIModel
from scanner.facts.github import OrgFacts, RepoFacts
from scanner.facts.history import History
from scanner.facts.mlflow import MlflowFacts
from scanner.facts.repo_index import RepoIndex
from scanner.facts.sections import Sectioned, Unreadable, first_unreadable
from scanner.model import Outcome
from scanner.probekit import blind, need
from scanner.views import Views

TYPES = {
    "RepoIndex": RepoIndex,
    "CIModel": CIModel,
    "History": History,
    "RepoFacts": RepoFacts,
    "OrgFacts": OrgFacts,
    "MlflowFacts": MlflowFacts,
    "CatalogFacts": CatalogFacts,
}


def _repo(missing: dict[str, str] | None = None) -> RepoFacts:
    return RepoFacts("acme/churn", "https://github.com/acme/churn", "main", None, missing=dict(missing or {}))


def _mlflow(sections: dict[str, str]) -> MlflowFacts:
    return MlflowFacts("http://mlflow", "http://mlflow", "3.1.0", None, sections=sections)


def test_every_view_has_a_named_type() -> None:
    hints = typing.get_type_hints(Views, localns=TYPES)
    for item in fields(Views):
        hint = hints[item.name]
        assert hint is not typing.Any and typing.Any not in typing.get_args(hint), item.name
    assert hints["github"] == RepoFacts | None and hints["github_org"] == OrgFacts | None
    assert hints["mlflow"] == MlflowFacts | None and hints["now"] is datetime


@pytest.mark.parametrize(
    "view",
    [
        _repo(),
        OrgFacts("acme", "https://github.com/acme", ()),
        _mlflow({}),
        CatalogFacts("dbt", ""),
        Views(subject="r"),
    ],
    ids=lambda v: type(v).__name__,
)
def test_every_sectioned_view_follows_the_protocol(view: object) -> None:
    assert isinstance(view, Sectioned)


@pytest.mark.parametrize(
    ("status", "unreadable", "failed"),
    [
        ("ok", False, False),
        ("truncated: read the first 500", False, False),
        ("partial: the answer exceeds 8 MB; read the first 10", False, False),
        ("missing: not supported by this server", True, False),
        ("denied: 403 (no permission)", True, False),
        ("server: 500 (server error)", True, True),
        ("request: 400", True, True),
    ],
)
def test_a_status_is_read_or_an_unreadable_section(status: str, unreadable: bool, failed: bool) -> None:
    gap = Unreadable.from_status("runs", status, label="MLflow runs")
    assert (gap is not None) is unreadable
    if gap is not None:
        assert gap.failed is failed and gap.reason == status
        assert str(gap) == f"MLflow runs could not be read: {status}"


def test_github_sections_name_what_the_token_could_not_read() -> None:
    facts = _repo({"rulesets": "FORBIDDEN"})
    assert facts.unreadable("releases") is None
    gap = facts.unreadable("rulesets")
    assert gap is not None and not gap.failed and "FORBIDDEN" in gap.reason and "GitHub rulesets" in str(gap)
    assert first_unreadable(facts, ["releases", "rulesets", "environments"]) == gap
    whole = _repo({"repository": "FORBIDDEN"})  # an error without a narrower path: nothing was readable
    assert whole.unreadable("releases") is not None and whole.unreadable("environments") is not None


def test_the_organisation_view_has_its_teams_as_one_section() -> None:
    assert OrgFacts("acme", "u", ()).unreadable("teams") is None
    gap = OrgFacts("acme", "u", (), available=False, reason="403: read:org scope").unreadable("teams")
    assert gap is not None and "read:org" in gap.reason


def test_catalog_features_left_unknown_are_unreadable() -> None:
    cat = CatalogFacts("dbt", "", audit=True, not_available={"grants": "not in dbt"})
    assert cat.unreadable("grants") == Unreadable("grants", "not in dbt", label="the dbt catalog's grants")
    assert cat.unreadable("audit") is None
    assert cat.unreadable("access_requests") is not None  # None: the collector could not tell


def test_a_missing_view_is_an_unreadable_section_of_the_views() -> None:
    views = Views(subject="r", github=_repo())
    assert views.unreadable("github") is None
    views.unavailable["mlflow"] = "error: mlflow collector failed: OSError: boom"
    gap = views.unreadable("mlflow")
    assert gap == Unreadable("mlflow", "mlflow collector failed: OSError: boom", failed=True)
    other = views.unreadable("catalog")
    assert other is not None and not other.failed and other.reason == "no catalog view"


def test_need_is_empty_when_read_and_blind_for_the_given_signals_otherwise() -> None:
    views = Views(subject="churn")
    facts = _mlflow({"runs": "ok", "traces": "denied: 403 (no permission)", "webhooks": "server: 500"})
    assert need(views, ["a", "b"], facts, "runs") == []
    found = need(views, ["a", "b"], facts, "runs", "traces", "webhooks")
    assert [(f.signal, f.outcome) for f in found] == [("a", Outcome.NOT_AVAILABLE), ("b", Outcome.NOT_AVAILABLE)]
    assert all("MLflow traces could not be read: denied: 403" in f.message for f in found)
    (failed,) = need(views, ["c"], facts, "webhooks")
    assert failed.outcome is Outcome.ERROR and failed.subject == "churn"
    assert blind(views, [], Unreadable("x", "y")) == []


def test_views_carry_a_timezone_aware_clock() -> None:
    assert Views(subject="r").now.tzinfo is not None
    pinned = datetime(2026, 1, 20, tzinfo=UTC)
    assert Views(subject="r", now=pinned).now == pinned


def test_a_server_window_ends_at_the_scan_clock_a_local_store_at_its_last_activity() -> None:
    now = datetime(2026, 1, 20, tzinfo=UTC)
    assert _mlflow({}).window_end_ms(now) == int(now.timestamp() * 1000)
    local = MlflowFacts("file:/tmp/mlruns", None, None, 1_700_000_000_000)
    assert local.window_end_ms(now) == 1_700_000_000_000
