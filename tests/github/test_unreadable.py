"""A partly unreadable GitHub view: the signals that read an unreadable section are not_available with the
reason (never false); every other signal of the GitHub probes is still evaluated."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from scanner.facts.ci.build import build_ci
from scanner.facts.github import (
    SECTIONS,
    Deployment,
    Environment,
    OrgFacts,
    PullRequest,
    Release,
    RepoFacts,
    Review,
    Team,
    WorkflowRun,
)
from scanner.model import Finding, Outcome
from scanner.registry import load_probes
from scanner.testing import index_of, run_probe
from scanner.views import Views

NOW = datetime(2026, 3, 1, tzinfo=UTC)
WORKFLOWS = {
    ".github/workflows/ci.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - run: pytest tests/\n",
    ".github/workflows/retrain.yml": "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n  train:\n"
    "    runs-on: ubuntu-latest\n    steps:\n      - run: python train.py\n",
    "CODEOWNERS": "* @acme/backend\n",
    "train.py": "print('train')\n",
}
ORG = OrgFacts(
    "acme",
    "https://github.com/acme",
    (
        Team("data-science", "data-science", "", ("alice",), ("Alice",)),
        Team("backend", "backend", "", ("bob",), ("Bob",)),
        Team("data-platform", "data-platform", "", ("carol",), ("Carol",)),
    ),
)
# the signals that read each section (the rest must not depend on it)
AFFECTED = {
    "deployments": {
        "gh.releases.count",
        "gh.releases.manual",
        "gh.deployments.count",
        "gh.deployments.bot_created",
        "gh.deploy_frequency",
        "gh.environments.used",
        "gh.releases.by_role",
    },
    "releases": {
        "gh.releases.present",
        "gh.releases.count",
        "gh.releases.bot_created",
        "gh.releases.manual",
        "gh.release_cadence_regular",
        "gh.releases.by_role",
    },
    "environments": {"gh.environments.required_reviewers"},
    "rulesets": {"gh.branch_protection.none", "gh.branch_protection.reviews_required", "gh.required_checks.ml"},
    "defaultBranchRef": {
        "gh.branch_protection.none",
        "gh.branch_protection.reviews_required",
        "gh.required_checks.ml",
    },
    "codeowners": {"gh.codeowners.errors"},
    "pullRequests": {"people.cross_role_reviews", "people.ds_se.reviews", "people.de_se.reviews"},
    "workflow_runs": {"gh.schedules.running"},
}


def _facts() -> RepoFacts:
    day = timedelta(days=1)
    deployments = [Deployment("production", NOW - i * 3 * day, "bob", False, "success") for i in range(20)]
    releases = [Release(f"v1.{i}", NOW - i * 7 * day, "bob", f"https://github.com/acme/churn/r/{i}") for i in range(8)]
    pulls = [
        PullRequest(
            i, f"https://github.com/acme/churn/pull/{i}", "alice", False, NOW - i * day, (Review("bob", "APPROVED"),)
        )
        for i in range(1, 5)
    ]
    protection = {
        "requiresApprovingReviews": True,
        "requiredApprovingReviewCount": 1,
        "requiredStatusCheckContexts": ["test"],
    }
    return RepoFacts(
        "acme/churn",
        "https://github.com/acme/churn",
        "main",
        protection,
        environments=[Environment("production", ("bob",), 0)],
        deployments=deployments,
        releases=releases,
        release_total=len(releases),
        pulls=pulls,
        scheduled_workflows=(".github/workflows/retrain.yml",),
        schedule_runs=[WorkflowRun(".github/workflows/retrain.yml", "success", NOW - 2 * day, "https://r/1")],
        org=ORG,
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Views:
    index = index_of(tmp_path_factory.mktemp("churn"), dict(WORKFLOWS))
    return Views(subject="churn", repo=index, ci=build_ci(index), now=NOW)


def _scan(views: Views) -> dict[str, Finding]:
    specs = [p for p in load_probes(plugins=False) if "github" in p.needs or "github_org" in p.needs]
    found = [f for spec in specs for f in run_probe(spec, views).findings]
    return {f.signal: f for f in found}


def test_a_fully_readable_view_settles_every_github_signal(base: Views) -> None:
    found = _scan(replace(base, github=_facts(), github_org=ORG))
    unsettled = {s: f.message for s, f in found.items() if f.outcome in (Outcome.NOT_AVAILABLE, Outcome.ERROR)}
    assert not unsettled  # so that below, each not_available comes from the unreadable section alone
    assert set().union(*AFFECTED.values()) <= set(found)


@pytest.mark.parametrize("section", sorted(AFFECTED))
def test_an_unreadable_section_blinds_only_the_signals_that_read_it(base: Views, section: str) -> None:
    facts = replace(_facts(), missing={section: "FORBIDDEN"})
    found = _scan(replace(base, github=facts, github_org=ORG))
    blind = {s for s, f in found.items() if f.outcome is Outcome.NOT_AVAILABLE}
    assert blind == AFFECTED[section]
    for signal in AFFECTED[section]:
        message = found[signal].message
        assert f"GitHub {SECTIONS[section]} could not be read" in message and "FORBIDDEN" in message, message


def test_unreadable_teams_blind_the_team_signals_with_the_reason(base: Views) -> None:
    org = OrgFacts("acme", "https://github.com/acme", (), available=False, reason="the token lacks read:org")
    found = _scan(replace(base, github=replace(_facts(), org=org), github_org=org))
    blind = {s: f.message for s, f in found.items() if f.outcome is Outcome.NOT_AVAILABLE}
    assert set(blind) == {"gh.teams.no_de", "gh.releases.by_role", *AFFECTED["pullRequests"]}
    assert all("the teams of acme could not be read: the token lacks read:org" in m for m in blind.values())
    assert found["gh.releases.present"].outcome is Outcome.TRUE


def test_a_missing_github_view_blinds_its_probes_with_the_runner_reason(base: Views) -> None:
    views = replace(base, unavailable={"github": "not_available: no github source was given for this repo"})
    found = _scan(views)
    assert found and all(f.outcome is Outcome.NOT_AVAILABLE for f in found.values())
    assert "no github source was given" in found["gh.releases.present"].message
