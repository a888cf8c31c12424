"""Releases and deployments: how many, by bots or humans, how regular and how often (Release Process
in docs/model.md)."""

from __future__ import annotations

import itertools
import statistics
from datetime import datetime, timedelta

from scanner.model import Finding, Location
from scanner.probekit import hit, miss, need, probe
from scanner.views import Views

from ._common import real_target, recent, repo_loc

SIGNALS = [
    "gh.releases.present",
    "gh.releases.count",
    "gh.releases.bot_created",
    "gh.releases.manual",
    "gh.release_cadence_regular",
    "gh.deployments.count",
    "gh.deployments.bot_created",
    "gh.deploy_frequency",
]
# the sections of the GitHub facts each signal reads: an unreadable one makes the signal not_available
READS: dict[str, tuple[str, ...]] = {signal: ("releases",) for signal in SIGNALS[:5]}
READS.update({signal: ("deployments",) for signal in SIGNALS[5:]})
READS["gh.releases.count"] = READS["gh.releases.manual"] = ("releases", "deployments")
MIN_CADENCE_RELEASES = 6
MAX_CADENCE_CV = 0.5


def _cv(dates: list[datetime]) -> float | None:
    dates = sorted(dates)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(dates)]
    if len(gaps) < MIN_CADENCE_RELEASES - 1 or not statistics.mean(gaps):
        return None
    return statistics.pstdev(gaps) / statistics.mean(gaps)


def _yes_no(views: Views, signal: str, locs: list[Location], yes: str, no: str, values: dict) -> Finding:
    if locs:
        return hit(views, signal, locs, yes, values=values, keep_order=True)
    return miss(views, signal, no, values=values)


@probe(
    "gh.releases",
    summary="GitHub releases and deployments: presence, counts, bot or human creators, cadence, frequency",
    emits=SIGNALS,
    needs=("github", "repo"),
    evidence=("api_object", "file"),
    remediation="Publish GitHub releases and record deployments through the Deployments API, created by "
    "automation at a regular cadence.",
)
def releases(views: Views) -> list[Finding]:
    f = views.github
    if f is None:
        return need(views, SIGNALS, views, "github")
    rel_locs = [repo_loc(f, f"release {r.tag}", r.url) for r in f.releases]
    deploys = [d for d in f.deployments if real_target(d.environment)]
    dep_loc = repo_loc(f, "deployments", f"{f.url}/deployments")
    bot_rel = [loc for r, loc in zip(f.releases, rel_locs, strict=True) if r.author.endswith("[bot]")]
    human = [loc for r, loc in zip(f.releases, rel_locs, strict=True) if not r.author.endswith("[bot]")]
    human_deploys = [d for d in deploys if not d.creator_is_bot]
    manual = human + ([dep_loc] if human_deploys else [])
    total = f.release_total + len(deploys)
    weeks = 13
    latest = [d for d in deploys if d.state == "success" and recent(views, d.created_at, timedelta(weeks=weeks))]
    per_week = round(len(latest) / weeks, 2)
    cv = _cv([r.created_at for r in f.releases])
    by_env: dict[str, int] = {}
    for d in deploys:
        by_env[d.environment] = by_env.get(d.environment, 0) + 1
    out = [
        _yes_no(views, SIGNALS[0], rel_locs, f"{f.release_total} release(s)", "no published release", {}),
        _count(
            views, SIGNALS[1], total, rel_locs or [dep_loc], {"releases": f.release_total, "deployments": len(deploys)}
        ),
        _yes_no(views, SIGNALS[2], bot_rel, f"{len(bot_rel)} release(s) by a bot", "no release by a bot", {}),
    ]
    if len(human) + len(human_deploys) >= 2:
        msg = f"{len(human)} release(s) and {len(human_deploys)} deployment(s) created by humans"
        out.append(hit(views, SIGNALS[3], manual, msg, values={"count": len(human) + len(human_deploys)}))
    else:
        out.append(miss(views, SIGNALS[3], "fewer than 2 releases or deployments created by humans"))
    if cv is not None and cv < MAX_CADENCE_CV:
        out.append(
            hit(views, SIGNALS[4], rel_locs, f"regular releases (interval CV {cv:.2f})", values={"cv": round(cv, 2)})
        )
    else:
        why = "too few releases to judge" if cv is None else f"irregular releases (interval CV {cv:.2f})"
        out.append(miss(views, SIGNALS[4], why, values={"cv": None if cv is None else round(cv, 2)}))
    out.append(_count(views, SIGNALS[5], len(deploys), [dep_loc], {"by_environment": by_env}))
    bots = [d for d in deploys if d.creator_is_bot]
    out.append(
        _yes_no(
            views,
            SIGNALS[6],
            [dep_loc] if bots else [],
            f"{len(bots)} deployment(s) created by bots",
            "no deployment created by a bot",
            {"count": len(bots)} if bots else {},
        )
    )
    msg = f"{per_week} successful deployment(s) per week over the last {weeks} weeks"
    if per_week >= 1:
        out.append(hit(views, SIGNALS[7], [dep_loc], msg, values={"per_week": per_week}))
    else:
        out.append(miss(views, SIGNALS[7], msg, values={"per_week": per_week}))
    return [next(iter(need(views, [x.signal], f, *READS[x.signal])), x) for x in out]


def _count(views: Views, signal: str, count: int, locs: list[Location], values: dict) -> Finding:
    if count:
        return hit(views, signal, locs, f"{count} in total", values={**values, "count": count})
    return miss(views, signal, "none", values={**values, "count": 0})
