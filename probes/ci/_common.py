"""Shared helpers for the CI probes: classified commands in their pipeline context, locations,
confidence by trigger, and environment names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scanner.facts.ci import commands as cmd
from scanner.facts.ci.commands import Hit
from scanner.facts.ci.model import CIModel, Job, Pipeline, Step
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, unavailable
from scanner.views import Views

NEEDS = ("repo", "ci")


@dataclass(frozen=True)
class Site:
    """One classified command, with the step, job and pipeline it runs in."""

    pipeline: Pipeline
    job: Job
    step: Step
    hit: Hit

    @property
    def gate(self) -> bool:
        """Fails the pipeline when the command fails."""
        return not self.hit.can_fail and not self.job.can_fail


def views_of(views: Views) -> tuple[RepoIndex, CIModel]:
    if views.repo is None or views.ci is None:
        raise RuntimeError("CI probes need the repo and ci views")
    return views.repo, views.ci


def sites(ci: CIModel, *categories: str) -> list[Site]:
    return [Site(p, j, s, h) for p, j, s in ci.steps() for h in cmd.hits(s, *categories)]


def location(repo: RepoIndex, site: Site) -> Location:
    return repo.location(site.hit.path, site.hit.line, site.hit.text)


def job_location(repo: RepoIndex, job: Job) -> Location:
    return repo.location(job.path, job.line, f"job {job.id}")


def jobs_hit(
    views: Views,
    signal: str,
    found: list[Site],
    what: str,
    *,
    confidence: str = "medium",
    values: Mapping[str, object] | None = None,
) -> Finding:
    """The true finding for the CI jobs behind `found`: "N CI job(s) <what>: ...", at each command."""
    repo, _ = views_of(views)
    jobs = job_ids(found)
    return hit(
        views,
        signal,
        [location(repo, s) for s in found],
        f"{len(jobs)} CI job(s) {what}: {describe(found)}",
        confidence=confidence,
        values={"count": len(jobs), **(values or {})},
    )


def automatic(ci: CIModel, site: Site) -> bool:
    return ci.is_automatic(site.pipeline, site.job, site.step)


def confidence(ci: CIModel, found: Iterable[Site]) -> str:
    """medium when some site runs without a person; low when every one needs a manual start."""
    return "medium" if any(automatic(ci, s) for s in found) else "low"


def trigger_kinds(ci: CIModel, found: Iterable[Site]) -> list[str]:
    return sorted({t.kind for s in found for t in ci.effective_triggers(s.pipeline, s.job, s.step)})


def job_ids(found: Iterable[Site]) -> list[str]:
    return sorted({f"{s.pipeline.path}:{s.job.id}" for s in found})


def absent(views: Views, signal: str, message: str, *, values: dict[str, object] | None = None) -> Finding:
    """A `false` finding, or `not_available` when no CI file could be parsed at all."""
    _, ci = views_of(views)
    if ci.empty and ci.errors:
        where = ", ".join(sorted({f"{e.path}:{e.line or '?'}" for e in ci.errors})[:5])
        return unavailable(views, signal, f"CI files could not be parsed ({where})")
    vals = dict(values or {})
    notes = []
    if ci.errors:
        vals["parse_errors"] = len(ci.errors)
        notes.append(f"{len(ci.errors)} CI file(s) not parsed")
    unread = sorted({i for p in ci.pipelines for i in p.includes if not i.endswith("(not found)")})
    if unread:
        vals["includes_not_read"] = unread[:10]
        notes.append(f"{len(unread)} included config(s) from elsewhere not read")
    if ci.ignored:
        vals["ignored_non_practice"] = len(ci.ignored)
        notes.append(f"{len(ci.ignored)} CI file(s) outside practice paths ignored")
    if ci.empty:
        message = f"no CI pipeline defined; {message}" if message else "no CI pipeline defined"
    return miss(views, signal, message + (f" ({'; '.join(notes)})" if notes else ""), values=vals)


def describe(found: Iterable[Site], limit: int = 3) -> str:
    """`pytest (ci.yml:22), ...` for messages."""
    seen: list[str] = []
    for s in found:
        label = f"{_short(s.hit.text)} ({s.hit.path.rsplit('/', 1)[-1]}:{s.hit.line or '?'})"
        if label not in seen:
            seen.append(label)
    more = f" and {len(seen) - limit} more" if len(seen) > limit else ""
    return ", ".join(seen[:limit]) + more


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# steps around a site ---------------------------------------------------------------------------
def steps_before(ci: CIModel, site: Site) -> list[Step]:
    """Steps that run before the site's step: earlier steps of its job and every step of upstream jobs."""
    own = []
    for step in site.job.steps:
        if step == site.step or site.step in _tree(step):
            break
        own.extend(_tree(step))
    return own + [s for j in ci.upstream(site.pipeline, site.job) for step in j.steps for s in _tree(step)]


def steps_after(ci: CIModel, site: Site) -> list[Step]:
    own: list[Step] = []
    seen = False
    for step in site.job.steps:
        if seen:
            own.extend(_tree(step))
        elif step == site.step or site.step in _tree(step):
            seen = True
    return own + [s for j in ci.downstream(site.pipeline, site.job) for step in j.steps for s in _tree(step)]


def job_steps(job: Job) -> list[Step]:
    return [s for step in job.steps for s in _tree(step)]


def _tree(step: Step) -> list[Step]:
    out = [step]
    for child in step.children:
        out.extend(_tree(child))
    return out


def any_hit(steps: Iterable[Step], *categories: str, gate: bool = False) -> bool:
    for step in steps:
        found = cmd.gate_hits(step, *categories) if gate else cmd.hits(step, *categories)
        if found:
            return True
    return False


# environments ----------------------------------------------------------------------------------
_STAGES = (
    ("prod", re.compile(r"(?<![a-z0-9])(prod|production|prd|live)(?![a-z0-9])")),
    (
        "staging",
        re.compile(
            r"(?<![a-z0-9])(staging|stage|stg|uat|qa|preprod|pre-prod|test|testing|ci|int"
            r"|integration)(?![a-z0-9])"
        ),
    ),
    ("dev", re.compile(r"(?<![a-z0-9])(dev|develop|development|sandbox|review|preview)(?![a-z0-9])")),
)


def env_stage(name: str) -> str:
    """prod / staging / dev for an environment-like name, or "" when it does not say."""
    low = name.lower()
    for stage, pattern in _STAGES:
        if pattern.search(low):
            return stage
    return ""


def site_env(site: Site) -> str:
    """The environment a deploy targets: the command's, the job's `environment:`, else a name hint."""
    for name in (site.hit.env, site.job.environment or "", site.job.input("context")):
        if name and "${{" not in name:
            return name
    for name in (site.job.id, site.job.name, site.job.stage, site.step.name):
        if env_stage(name):
            return name
    return ""


def site_stage(site: Site) -> str:
    return env_stage(site_env(site))
