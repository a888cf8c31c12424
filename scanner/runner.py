"""Run a scan: targets -> collectors -> views -> probes -> findings -> engine -> assessments.

Collectors start only when a selected probe needs their view. A collector that fails, or a source
that was not given, makes the probes that need it report `not_available` or `error`, and the rest of
the scan goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from scanner import __version__
from scanner.collectors.indexer import NoCommits, UnreadableRepo, build_index
from scanner.deadline import Deadline, DeadlinePassed
from scanner.engine.assess import Assessment, assess_scope
from scanner.engine.rollup import rollup
from scanner.engine.rules import RuleSet
from scanner.facts.repo_index import RepoIndex
from scanner.facts.sections import first_unreadable
from scanner.facts.urls import redact
from scanner.linkage import findings_of, source_links, unlinked_sources, visible_findings
from scanner.model import Finding, Outcome
from scanner.probedef import ProbeSpec
from scanner.signals import builtin_external_signals, external_signals, missing_reason
from scanner.sources import OrgSource, SourceUnavailable
from scanner.targets import Target
from scanner.views import Views

Attest = Callable[[str], tuple[list[Finding], dict[str, dict[str, Any]]]]


def no_attestations(scope: str) -> tuple[list[Finding], dict[str, dict[str, Any]]]:
    return [], {}


@dataclass
class ScanOptions:
    window_days: int = 365
    rules_dir: str = "built-in"
    progress: Callable[[str], None] | None = None
    done: Callable[[str], None] | None = None  # called when a target is finished (progress bars)
    org_name: str | None = None  # the estate name when only organisation-wide sources are scanned
    # a scope's attestation findings and statements by criterion: the CLI passes scanner.attestations.for_scope
    # bound to the current statements (the core does not import that feature)
    attest: Attest = no_attestations
    jobs: int = 1  # repos scanned concurrently
    fingerprint: str = ""  # scanner version + rules: cached findings of a remote repo are reused only if equal
    repo_deadline_s: float = 600.0  # the scan of one repo ends here: its remaining probes end `error`
    # the scan's clock (Views.now), which time-window probes read ("deployments in the last 90 days"):
    # None takes the scan's start time, once; a timezone-aware datetime pins it (`scan --now`, tests)
    now: datetime | None = None


@dataclass
class ScanResult:
    started_at: str
    finished_at: str
    config: dict[str, Any]
    targets: list[Target]
    findings: list[Finding]
    assessments: list[Assessment]
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def incomplete(self) -> bool:
        return any(t.status == "error" for t in self.targets)


ORG_VIEWS = frozenset({"github", "github_org", "mlflow", "catalog"})

# How run_probe reports a breach of the probe contract (scanner.testing reads the same marks)
UNDECLARED = ".undeclared"  # appended to a signal the probe emitted without declaring it
NO_FINDING = "probe returned no finding for this signal"
PROBE_FAILED = "probe failed: "  # the message of the error findings of a probe that raised


class CollectorUnavailable(Exception):
    """A view that cannot be built for a reason that is not a failure (e.g. not a git repo)."""


def utc_text(moment: datetime) -> str:
    """A timezone-aware time as the evidence writes times: ISO 8601 in UTC, with a `Z`."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _now() -> str:
    return utc_text(datetime.now(UTC).replace(microsecond=0))


def _clock(opts: ScanOptions) -> datetime:
    """The scan's clock: ScanOptions.now (made timezone-aware, UTC if naive), else the wall clock."""
    if opts.now is None:
        return datetime.now(UTC)
    return opts.now if opts.now.tzinfo is not None else opts.now.replace(tzinfo=UTC)


def _build_views(
    target: Target, index: RepoIndex, needs: set[str], opts: ScanOptions, timings: dict[str, float]
) -> Views:
    views = Views(subject=target.id, repo=index, now=_clock(opts))
    builders: dict[str, Callable[[], Any]] = {}
    if "ci" in needs:
        from scanner.facts.ci.build import build_ci

        builders["ci"] = lambda: build_ci(index)
    if "history" in needs:
        from scanner.collectors.history import build_history
        from scanner.facts.history import HistoryError

        def history() -> Any:
            if index.commit is None:
                raise CollectorUnavailable("not a git repository: no history to read")
            try:
                overrides = target.remote.role_overrides() if target.remote is not None else None
                return build_history(index.root, window_days=opts.window_days, index=index, role_overrides=overrides)
            except HistoryError as exc:  # e.g. a shallow clone: the history could not be read
                raise CollectorUnavailable(str(exc)) from None

        builders["history"] = history
    for name, factory in target.view_builders.items():
        if name in needs:
            builders[name] = partial(factory, index)
    for name in sorted(ORG_VIEWS & needs):
        if name not in builders:
            views.unavailable[name] = f"not_available: no {name} source was given for this repo"
    for name, build in builders.items():
        start = time.perf_counter()
        try:
            setattr(views, name, build())
        except CollectorUnavailable as exc:
            views.unavailable[name] = f"not_available: {exc}"
        except Exception as exc:  # a collector failure affects only its own probes
            views.unavailable[name] = f"error: {name} collector failed: {type(exc).__name__}: {exc}"
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
    return views


def _blind(spec: ProbeSpec, subject: str, reason: str, failed: bool) -> list[Finding]:
    """One finding per declared signal: `error` when something failed, else `not_available` (could not look)."""
    outcome = Outcome.ERROR if failed else Outcome.NOT_AVAILABLE
    return [Finding(spec.id, s, subject, outcome, "low", reason) for s in spec.emits]


def run_probe(spec: ProbeSpec, views: Views) -> list[Finding]:
    """Run one probe and hold it to its contract: a finding for every declared signal, no others."""
    gap = first_unreadable(views, sorted(spec.needs))  # the first missing view, and why
    if gap is not None:
        return _blind(spec, views.subject, gap.reason, gap.failed)
    try:
        produced = list(spec.func(views))
    except Exception as exc:
        return _blind(spec, views.subject, f"{PROBE_FAILED}{type(exc).__name__}: {exc}", failed=True)
    out: list[Finding] = []
    for finding in produced:
        if finding.signal not in spec.emits:
            out.append(
                Finding(
                    spec.id,
                    finding.signal + UNDECLARED,
                    views.subject,
                    Outcome.ERROR,
                    "low",
                    f"probe emitted undeclared signal {finding.signal!r}",
                )
            )
            continue
        out.append(replace(finding, probe=spec.id, subject=views.subject))
    seen = {f.signal for f in out}
    for signal in spec.emits:
        if signal not in seen:
            out.append(Finding(spec.id, signal, views.subject, Outcome.ERROR, "low", NO_FINDING))
    return _dedupe(out)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Findings with the same id are merged: first wins, later ones are keyed apart."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        if f.id in seen:
            seen[f.id] += 1
            f = replace(f, key=f"{f.key}~{seen[f.id]}" if f.key else str(seen[f.id]))
        else:
            seen[f.id] = 1
        out.append(f)
    return out


def scan_repo(target: Target, probes: list[ProbeSpec], opts: ScanOptions, timings: dict[str, float]) -> list[Finding]:
    """Index one repo, build the views its probes need and run them, within `opts.repo_deadline_s`: past
    it, the remaining probes end `error` and the target is marked error (the findings so far are kept)."""
    assert target.path is not None
    deadline = Deadline(opts.repo_deadline_s)
    findings: list[Finding] = []
    with deadline.alarm():
        try:
            start = time.perf_counter()
            index = build_index(target.path, target.id)
            timings["index"] = timings.get("index", 0.0) + time.perf_counter() - start
        except DeadlinePassed:
            raise RepoDeadline(f"{deadline.reason} while reading the repository") from None
        target.info.update(
            {
                "commit": index.commit,
                "files": len(index.files),
                "files_read": index.files_read,
                "files_skipped": len(index.skipped),
            }
        )
        if index.web_url:
            target.info["url"] = index.web_url
        # probes of organisation-wide views run once per source (scan_source), not per repo,
        # unless this repo has its own builder for that view (e.g. the GitHub API facts of a repo)
        probes = [p for p in probes if not (p.needs & ORG_VIEWS) - set(target.view_builders)]
        needs = set().union(*(p.needs for p in probes)) if probes else set()
        late = ""
        try:
            views = _build_views(target, index, needs, opts, timings)
        except DeadlinePassed:
            views, late = (
                Views(subject=target.id, repo=index, now=_clock(opts)),
                f"{deadline.reason} while building the views",
            )
        start = time.perf_counter()
        for spec in probes:
            if not late and deadline.passed:
                late = deadline.reason
            if late:
                findings.extend(_blind(spec, views.subject, late, failed=True))
                continue
            try:
                findings.extend(run_probe(spec, views))
            except DeadlinePassed:
                late = f"{deadline.reason} (probe {spec.id} interrupted)"
                findings.extend(_blind(spec, views.subject, late, failed=True))
        timings["probes"] = timings.get("probes", 0.0) + time.perf_counter() - start
    if late:
        target.status, target.error = "error", f"scan incomplete: {late}"
    return findings


class RepoDeadline(Exception):
    """The deadline passed before the repository was even read."""


def scan_source(
    source: OrgSource, probes: list[ProbeSpec], timings: dict[str, float], now: datetime | None = None
) -> list[Finding]:
    """Build one organisation-wide view and run the probes that need only that view (`now`: the clock)."""
    target = source.target
    views = Views(subject=target.id) if now is None else Views(subject=target.id, now=now)
    start = time.perf_counter()
    try:
        setattr(views, source.view, source.build())
    except SourceUnavailable as exc:
        target.status, target.error = "error", redact(str(exc))
        views.unavailable[source.view] = f"not_available: {target.error}"
    except Exception as exc:  # one source's failure never stops the scan
        target.status, target.error = "error", redact(f"{type(exc).__name__}: {exc}")
        views.unavailable[source.view] = f"error: {target.error}"
    timings[source.view] = timings.get(source.view, 0.0) + time.perf_counter() - start
    selected = [p for p in probes if source.view in p.needs and p.needs <= {source.view}]
    return [f for spec in selected for f in run_probe(spec, views)]


def _scan_one(target: Target, probes: list[ProbeSpec], opts: ScanOptions) -> tuple[list[Finding] | None, dict]:
    """Scan one repo; a remote repo is synced first and may reuse its cached findings. Never raises:
    a failure marks the target as an error and returns None."""
    timings: dict[str, float] = {}
    if opts.progress:
        opts.progress(target.id)
    try:
        cached = target.remote.prepare(target, opts.fingerprint) if target.remote is not None else None
        found = cached if cached is not None else scan_repo(target, probes, opts, timings)
        if target.remote is not None:
            target.remote.finish(target, opts.fingerprint, None if cached is not None else found)
    except NoCommits as exc:  # nothing committed: nothing to assess, and no work-tree evidence either
        target.status, target.error = "skipped", str(exc)
        target.info["no_commits"] = True
        found = None
    except (UnreadableRepo, RepoDeadline) as exc:
        target.status, target.error = "error", redact(f"scan failed: {exc}")
        found = None
    except Exception as exc:  # one repo's failure never stops the others
        target.status, target.error = "error", redact(f"scan failed: {type(exc).__name__}: {exc}")
        found = None
    if opts.done:
        opts.done(target.id)
    return found, timings


def _scan_repos(
    targets: list[Target], probes: list[ProbeSpec], opts: ScanOptions, timings: dict[str, float]
) -> dict[str, list[Finding]]:
    """Repos scanned by `opts.jobs` worker threads (a collector keeps one API client per thread)."""
    from concurrent.futures import ThreadPoolExecutor

    if opts.jobs <= 1 or len(targets) <= 1:  # in the main thread: the deadline's alarm can interrupt a probe
        done = [_scan_one(t, probes, opts) for t in targets]
    else:
        with ThreadPoolExecutor(max_workers=opts.jobs) as pool:
            done = list(pool.map(lambda t: _scan_one(t, probes, opts), targets))
    out: dict[str, list[Finding]] = {}
    for target, (found, spent) in zip(targets, done, strict=True):
        for key, value in spent.items():
            timings[key] = timings.get(key, 0.0) + value
        if found is not None:
            out[target.id] = found
    return out


def _by_id(finding: Finding) -> str:
    return finding.id


def missing_reasons(rules: RuleSet, probes: list[ProbeSpec]) -> dict[str, str]:
    """Why each signal the rules cite may have no finding: the source that would settle it, if any."""
    external = {**builtin_external_signals(), **external_signals(probes)}
    return {s: missing_reason(s, external) for s in rules.signals()}


def assess_findings(
    repos: list[Target],
    repo_findings: Mapping[str, list[Finding]],
    shared: list[Finding],
    kinds: dict[str, str],
    rules: RuleSet,
    missing: dict[str, str],
    attest: Attest = no_attestations,
    org_name: str | None = None,
) -> tuple[list[Finding], list[Assessment]]:
    """From findings to assessments, the one path shared by `scan` and `assess` (re-assessment of saved
    evidence): each repo (its findings, the organisation-wide findings it may see, its attestations), the
    estate roll-ups, and the organisation-wide sources (`shared`, from the targets in `kinds`: id -> kind)
    that no repo stands for. Returns (the attestation findings, the assessments)."""
    assessments: list[Assessment] = []
    attested_all: list[Finding] = []
    estates: dict[str, list[Assessment]] = {}
    links = source_links(shared)
    for target in repos:
        attested, statements = attest(target.id)
        attested_all.extend(attested)
        visible = visible_findings(target, shared, kinds, links)
        # by id: what a criterion cites does not depend on the order the probes ran in, so that `assess`
        # (which reads the findings back from the evidence, sorted by id) cites them as the scan did
        found = sorted([*repo_findings[target.id], *visible, *attested], key=_by_id)
        assessment = assess_scope(target.id, rules, found, missing, statements)
        assessments.append(assessment)
        if target.estate:
            estates.setdefault(target.estate, []).append(assessment)
    for estate, members in sorted(estates.items()):
        assessments.append(rollup(f"org:{estate}", rules, members))
    # only organisation-wide sources: assess them together (not a GitHub organisation that listed no repo
    # to scan, e.g. an empty shard: its teams alone are no estate, and `merge` rolls up the repos of all shards)
    github_orgs = "github_org" in kinds.values()
    if kinds and not assessments and not github_orgs:
        scope = f"org:{org_name or 'organisation'}"
        assessments.append(assess_scope(scope, rules, sorted(shared, key=_by_id), missing))
    elif kinds:  # an MLflow server no scanned repo logs to is assessed on its own
        for source_id in unlinked_sources(kinds, links, repos):
            own = sorted(findings_of(source_id, shared, kinds), key=_by_id)
            assessments.append(assess_scope(source_id, rules, own, missing))
    return attested_all, assessments


def scan(
    targets: list[Target],
    probes: list[ProbeSpec],
    rules: RuleSet,
    opts: ScanOptions,
    sources: list[OrgSource] | None = None,
) -> ScanResult:
    started, t0 = _now(), time.perf_counter()
    pinned, clock = opts.now is not None, _clock(opts)
    opts = replace(opts, now=clock)  # taken once: every view of this scan reads the same clock
    timings: dict[str, float] = {}
    missing = missing_reasons(rules, probes)
    shared: list[Finding] = []
    for source in sources or []:
        if opts.progress:
            opts.progress(source.target.id)
        shared.extend(scan_source(source, probes, timings, opts.now))
        if opts.done:
            opts.done(source.target.id)
    kinds = {s.target.id: s.target.kind for s in sources or []}
    todo = [t for t in targets if t.status == "ok" and (t.path is not None or t.remote is not None)]
    results = _scan_repos(todo, probes, opts, timings)
    scanned = [t for t in todo if t.id in results]
    attested, assessments = assess_findings(scanned, results, shared, kinds, rules, missing, opts.attest, opts.org_name)
    findings = shared + [f for t in scanned for f in results[t.id]] + attested
    api_calls: dict[str, int] = {"rest": 0, "graphql_points": 0}
    for source in sources or []:
        for key, value in source.stats.items():
            api_calls[key] = api_calls.get(key, 0) + value
    stats = {
        "duration_s": round(time.perf_counter() - t0, 3),
        "repos": sum(1 for t in targets if t.kind == "repo" and t.status == "ok"),
        "findings": len(findings),
        "probes": len(probes),
        "api_calls": api_calls,
        "cache_hits": sum(1 for t in targets if t.info.get("reused")),
        "timings_s": {k: round(v, 3) for k, v in sorted(timings.items())},
    }
    config = {
        "targets": [str(t.path) if t.path else t.id for t in targets],
        "rules": opts.rules_dir,
        "history_window_days": opts.window_days,
    }
    if pinned:  # what a re-run needs to read the same time windows (the wall clock is the start time)
        config["now"] = utc_text(clock)
    all_targets = [s.target for s in sources or []] + targets
    return ScanResult(started, _now(), config, all_targets, findings, assessments, stats)


__all__ = ["ScanOptions", "ScanResult", "__version__", "assess_findings", "missing_reasons", "scan", "utc_text"]
