"""Version tags: present at all, GTO model-registry tags, and released at a regular cadence."""

from __future__ import annotations

import re
from itertools import pairwise
from statistics import mean, pstdev

from scanner.facts.history import History, Tag
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

from ._common import missing_history, window_words

# Any release numbering: semantic versions (v1.2.3, 1.2), build or deploy numbers (v1004, 199259, release-42),
# and component-prefixed versions (api/1.2, worker-v2.0.1). GTO registry tags (model@v1.0.0) are not releases.
VERSION_TAG = re.compile(
    r"^(?:v?\d+\.\d+(?:\.\d+)?(?:[-+._][0-9A-Za-z.+-]{0,40})?"
    r"|v?\d{1,9}"
    r"|release[-_/]?v?\d+(?:\.\d+){0,3}"
    r"|[A-Za-z][\w.-]{0,60}[/_-]v?\d+\.\d+(?:\.\d+)?(?:[-+._][0-9A-Za-z.+-]{0,40})?)$",
    re.I,
)
GTO_TAG = re.compile(r"^[\w-]+@v\d+\.\d+\.\d+$|^[\w-]+#[\w-]+#\d+$")
REGULAR_MIN_TAGS = 4
REGULAR_MAX_CV = 0.5
SIGNALS = ("git.tags.present", "git.gto_tags", "git.tags.regular")


@probe(
    "history.tags",
    summary="Version tags exist, GTO registry tags exist, and version tags come at a regular cadence",
    emits=SIGNALS,
    needs=("history",),
    evidence=("commit",),
    remediation="Tag releases with version tags (v1.2.0, or GTO model tags) at a regular cadence, cut by the "
    "release process.",
)
def tags(views: Views) -> list[Finding]:
    history = views.history
    if history is None:
        return missing_history(views, SIGNALS)
    return [_present(views, history), _gto(views, history), _regular(views, history)]


def version_tags(history: History) -> list[Tag]:
    return [t for t in history.tags if VERSION_TAG.match(t.name) and not GTO_TAG.match(t.name)]


def _locations(history: History, tags: list[Tag]) -> list[Location]:
    return [history.tag_location(t) for t in sorted(tags, key=lambda t: (t.date, t.name), reverse=True)[:20]]


def _present(views: Views, history: History) -> Finding:
    found = version_tags(history)
    recent = [t for t in found if t.date >= history.window_start]
    values = {"tags": len(history.tags), "version_tags": len(found), "in_window": len(recent)}
    if found:
        latest = max(found, key=lambda t: t.date)
        msg = f"{len(found)} version tag(s), latest {latest.name} ({latest.date.date()}); {len(recent)} in the window"
        return hit(views, "git.tags.present", _locations(history, found), msg, values={**values, "count": len(found)})
    msg = f"no version or release tag (v1.2.3, v1004, release-42, api/1.2) among {len(history.tags)} tag(s)"
    return miss(views, "git.tags.present", msg, values=values)


def _gto(views: Views, history: History) -> Finding:
    matching = [t for t in history.tags if GTO_TAG.match(t.name)]
    annotated = [t for t in matching if t.annotated]
    values = {"gto_tags": len(annotated), "lightweight_ignored": len(matching) - len(annotated)}
    if annotated:
        msg = f"{len(annotated)} annotated GTO tag(s) (model@vX.Y.Z registrations or stage assignments)"
        return hit(
            views, "git.gto_tags", _locations(history, annotated), msg, values={**values, "count": len(annotated)}
        )
    extra = f"; {len(matching)} lightweight tag(s) with the GTO pattern ignored (GTO writes annotated tags)"
    return miss(views, "git.gto_tags", "no GTO tag" + (extra if matching else ""), values=values)


def _regular(views: Views, history: History) -> Finding:
    recent = sorted((t for t in version_tags(history) if t.date >= history.window_start), key=lambda t: t.date)
    dates = sorted({t.date for t in recent})
    gaps = [(b - a).total_seconds() / 86400 for a, b in pairwise(dates)]
    values: dict[str, object] = {"tags": len(recent), "release_dates": len(dates)}
    if len(dates) < REGULAR_MIN_TAGS:
        msg = f"{len(dates)} version-tag date(s) in {window_words(history)} (< {REGULAR_MIN_TAGS} to judge a cadence)"
        return miss(views, "git.tags.regular", msg, values=values)
    cv = pstdev(gaps) / mean(gaps)
    values.update(mean_interval_days=round(mean(gaps), 1), cv=round(cv, 2))
    if cv <= REGULAR_MAX_CV:
        msg = f"{len(dates)} version tags about every {mean(gaps):.0f} days (variation {cv:.2f} <= {REGULAR_MAX_CV})"
        return hit(views, "git.tags.regular", _locations(history, recent), msg, values={**values, "count": len(dates)})
    msg = f"{len(dates)} version tags at irregular intervals (variation {cv:.2f} > {REGULAR_MAX_CV})"
    return miss(views, "git.tags.regular", msg, values=values)
