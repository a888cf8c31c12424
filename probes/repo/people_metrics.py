"""Post-deployment metrics the engineers implement in the application itself: Prometheus metrics, product
analytics events (Snowplow), OpenTelemetry meters, StatsD. Only the organisation's own runtime code counts:
an import with no metric defined, or metrics in tests, examples or docs, say nothing about the team."""

from __future__ import annotations

import re

from scanner.facts.paths import CODE
from scanner.model import Finding, Location
from scanner.probekit import probe, verdict
from scanner.views import Views

from ._ml import repo_of

SIGNAL = "repo.app_metrics.emitted"
SOURCE_SUFFIXES = (".py", ".rb", ".ts", ".js", ".go", ".java", ".kt", ".scala", ".cs")
# family -> patterns that must all occur in one file (a client library plus a metric or event it emits)
FAMILIES: dict[str, tuple[re.Pattern[str], ...]] = {
    "prometheus": (
        re.compile(r"prometheus", re.IGNORECASE),
        re.compile(
            r"\b(?:Counter|Histogram|Gauge|Summary)\(\s*['\"]"
            r"|\.register\(\s*:(?:gauge|counter|histogram|summary)\b"
            r"|\b(?:new|NewCounter|NewHistogram|NewGauge)\w{0,10}\(\s*(?:prometheus\.)?\w{0,20}Opts\b"
        ),
    ),
    "snowplow": (
        re.compile(r"snowplow", re.IGNORECASE),
        re.compile(
            r"\.track(?:_self_describing_event|_struct_event|SelfDescribingEvent|StructEvent)?\(|\bSelfDescribing"
        ),
    ),
    "opentelemetry metrics": (
        re.compile(r"\bget_meter\(|\bgetMeter\(|metrics\.get_meter_provider\("),
        re.compile(r"\bcreate_(?:counter|histogram|up_down_counter|gauge)\(|\bcreate(?:Counter|Histogram|Gauge)\("),
    ),
    "statsd": (
        re.compile(r"statsd", re.IGNORECASE),
        re.compile(r"\.(?:increment|incr|timing|timer|gauge|histogram|distribution)\(\s*['\"]"),
    ),
}

# What every match of a family's first pattern holds, in lower case: files with none are skipped unread.
FIRST_WORDS: dict[str, tuple[str, ...]] = {
    "prometheus": ("prometheus",),
    "snowplow": ("snowplow",),
    "opentelemetry metrics": ("get_meter", "getmeter"),
    "statsd": ("statsd",),
}


@probe(
    SIGNAL,
    summary="The application's own runtime code defines post-deployment metrics or analytics events "
    "(Prometheus, Snowplow, OpenTelemetry meters, StatsD)",
    evidence=("file",),
    remediation="Emit the application's own post-deployment metrics or analytics events (Prometheus, "
    "OpenTelemetry meters, StatsD, Snowplow) from its runtime code.",
)
def app_metrics(views: Views) -> list[Finding]:
    index = repo_of(views)
    sources = [p for p in index.paths(kinds={CODE}) if p.lower().endswith(SOURCE_SUFFIXES)]
    locs: list[Location] = []
    families: set[str] = set()
    for family, patterns in FAMILIES.items():
        first, *rest = patterns
        for match in index.grep(first, sources, limit=2000, words=FIRST_WORDS[family]):
            text = index.text(match.path) or ""
            if all(p.search(text) for p in rest) and all(loc.path != match.path for loc in locs):
                locs.append(index.location(match.path, match.line, match.text[:120]))
                families.add(family)
    return [
        verdict(
            views,
            SIGNAL,
            locs[:20],
            f"{len(locs)} runtime file(s) emit post-deployment metrics or events ({', '.join(sorted(families))})",
            "no post-deployment metrics or analytics events in the application's own code",
            values={"files": len(locs)},
        )
    ]
