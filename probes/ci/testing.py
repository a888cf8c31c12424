"""Does CI run the tests, the integration tests, and enforce a coverage threshold?

Only gates count: a test command masked by `|| true`, `set +e`, `continue-on-error` or `allow_failure`
cannot fail the pipeline, so it is reported as masked, not as a test run.
"""

from __future__ import annotations

import re

from probes.ci._common import (
    NEEDS,
    Site,
    absent,
    confidence,
    describe,
    job_ids,
    job_steps,
    jobs_hit,
    location,
    sites,
    views_of,
)
from scanner.facts.ci import commands as cmd
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, probe
from scanner.views import Views

COMPOSE_UP = re.compile(r"\bdocker[- ]compose\b[^|;]*\bup\b")
# `docker compose run SERVICE pytest ...` starts the services SERVICE depends on (databases, caches, ...).
COMPOSE_RUN = re.compile(r"\bdocker[- ]compose\b[^|;]*\srun\s")
COMPOSE_FILES = ("docker-compose*.y*ml", "compose.y*ml", "compose*.y*ml")
DEPENDS_ON = re.compile(r"^\s+depends_on\s*:", re.MULTILINE)
DATASTORE = re.compile(
    r"postgres|mysql|mariadb|mongo|redis|valkey|memcache|elastic|opensearch|solr|cassandra|scylla|kafka"
    r"|rabbit|nats|localstack|minio|azurite|qdrant|weaviate|milvus|chroma|neo4j|clickhouse|(?<![a-z])db(?![a-z])",
    re.IGNORECASE,
)
COVERAGE_CONFIG = (
    "**/pyproject.toml",
    "**/setup.cfg",
    "**/tox.ini",
    "**/.coveragerc",
    "**/pytest.ini",
    "**/package.json",
    "**/jest.config.*",
    "**/vitest.config.*",
)
FAIL_UNDER = re.compile(
    r"^[ \t]*fail_under\s*[=:]\s*\d|--cov-fail-under[= ]+\d|coverageThreshold|thresholds\s*:", re.MULTILINE
)


@probe(
    "ci.runs_tests",
    needs=NEEDS,
    summary="A CI job runs a test runner (pytest, unittest, tox, nox, jest, vitest, mvn, gradle, go test, "
    "dotnet test, make test) that can fail the pipeline.",
    evidence=("ci_job", "file"),
    remediation="Run the test suite in CI (pytest, tox, jest, go test, mvn, make test) so that a failing test "
    "fails the pipeline.",
)
def runs_tests(views: Views) -> list[Finding]:
    _, ci = views_of(views)
    every = sites(ci, cmd.TEST)
    found = [s for s in every if s.gate]
    masked = len(every) - len(found)
    if not found:
        why = f"; {masked} test command(s) can never fail (|| true, continue-on-error, ...)" if masked else ""
        return [absent(views, "ci.runs_tests", f"no CI job runs tests as a gate{why}", values={"masked": masked})]
    return [
        jobs_hit(
            views,
            "ci.runs_tests",
            found,
            "run tests",
            confidence=confidence(ci, found),
            values={"jobs": job_ids(found), "masked": masked},
        )
    ]


@probe(
    "ci.runs_integration_tests",
    needs=NEEDS,
    summary="A CI job runs an integration suite (-m integration, tests/integration, integrationTest, "
    "testcontainers), or tests beside service containers.",
    evidence=("ci_job", "file"),
    remediation="Run the integration suite in CI (-m integration, tests/integration, testcontainers, or tests "
    "beside service containers).",
)
def runs_integration_tests(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    found = [s for s in sites(ci, cmd.INTEGRATION) if s.gate]
    if found:
        return [
            jobs_hit(
                views,
                "ci.runs_integration_tests",
                found,
                "run integration tests",
                confidence=confidence(ci, found),
                values={"jobs": job_ids(found)},
            )
        ]
    compose_deps: list[bool] = []  # read lazily: whether the repo's compose files declare depends_on

    def composed(site: Site) -> bool:
        if not COMPOSE_RUN.search(site.hit.text):
            return False
        if not compose_deps:
            files = repo.paths(*COMPOSE_FILES, kinds=None)
            compose_deps.append(any(DEPENDS_ON.search(repo.text(f) or "") for f in files))
        return compose_deps[0]

    beside = [s for s in sites(ci, cmd.TEST) if s.gate and (_with_services(s) or composed(s))]
    if beside:
        # Real dependencies (a database, a search engine, a broker, a cloud emulator) started for the suite
        # make it an integration suite; an unnamed or unknown service is only a hint.
        real = any(composed(s) or any(DATASTORE.search(n) for n in s.job.services) for s in beside)
        return [
            jobs_hit(
                views,
                "ci.runs_integration_tests",
                beside,
                "run tests beside service containers",
                confidence="medium" if real else "low",
                values={"jobs": job_ids(beside), "heuristic": "services"},
            )
        ]
    return [absent(views, "ci.runs_integration_tests", "no CI job runs integration tests")]


def _with_services(site: Site) -> bool:
    if site.job.services:
        return True
    return any(COMPOSE_UP.search(s.run) for s in job_steps(site.job))


@probe(
    "ci.coverage_gate",
    needs=NEEDS,
    summary="CI fails when test coverage drops below a threshold (--cov-fail-under, coverage fail_under, "
    "Jest coverageThreshold).",
    evidence=("ci_job", "file"),
    remediation="Fail the build when coverage drops below a threshold (--cov-fail-under, coverage fail_under, "
    "Jest coverageThreshold).",
)
def coverage_gate(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    flags = [s for s in sites(ci, cmd.COVERAGE_GATE) if s.gate]
    if flags:
        return [
            hit(
                views,
                "ci.coverage_gate",
                [location(repo, s) for s in flags],
                f"CI enforces a coverage threshold: {describe(flags)}",
                confidence=confidence(ci, flags),
                values={"count": len(job_ids(flags)), "source": "command"},
            )
        ]
    config = _threshold_config(repo)
    runs = [s for s in sites(ci, cmd.COVERAGE, cmd.TEST) if s.gate and _measures(s, config)]
    if config and runs:
        locs = [*config, *(location(repo, s) for s in runs)]
        return [
            hit(
                views,
                "ci.coverage_gate",
                locs,
                f"coverage threshold in {', '.join(sorted({c.path or '' for c in config}))} enforced by CI "
                f"runs: {describe(runs)}",
                confidence=confidence(ci, runs),
                values={"count": len(job_ids(runs)), "source": "config"},
            )
        ]
    why = "a threshold is configured but no CI job measures coverage" if config else "no coverage threshold"
    return [absent(views, "ci.coverage_gate", why, values={"config_only": bool(config)})]


def _threshold_config(repo: RepoIndex) -> list[Location]:
    paths = repo.paths(*COVERAGE_CONFIG)
    return [repo.location(m.path, m.line, m.text) for m in repo.grep(FAIL_UNDER, paths, limit=20)]


def _measures(site: Site, config: list[Location]) -> bool:
    """The command collects coverage, or runs pytest/jest while the threshold lives in their own options."""
    if site.hit.category == cmd.COVERAGE:
        return True
    addopts = any("--cov-fail-under" in (c.snippet or "") for c in config)
    jest = any("coverageThreshold" in (c.snippet or "") for c in config)
    text = site.hit.text
    return (addopts and "pytest" in text) or (
        jest and bool(re.search(r"jest|vitest|npm|yarn|pnpm", text)) and "--coverage" in text
    )
