"""Privacy-preserving code: differential-privacy libraries and synthetic-data generators.

Calls into the library count (medium; low in notebooks); an import with no call is low; a dependency
line alone is not use. Faker in pipeline code (not tests, where fake data is routine) counts as low:
it may pseudonymise columns or just build fixtures.
"""

from __future__ import annotations

from probes.repo._data import code_confidence, loc, unavailable_all
from scanner.facts.paths import CODE
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location, Outcome
from scanner.probekit import hit, miss, probe
from scanner.views import Views

DP, SYNTHETIC = "code.dp_library", "code.synthetic_data"
DP_MODULES = ("opendp", "diffprivlib", "tmlt.analytics", "pipeline_dp", "pydp")
DP_PACKAGES = ("opendp", "diffprivlib", "tmlt-analytics", "pipeline-dp", "python-dp")
SYNTH_MODULES = ("sdv", "synthcity", "gretel_client", "mostlyai", "ydata_synthetic")
SYNTH_PACKAGES = ("sdv", "synthcity", "gretel-client", "mostlyai", "ydata-synthetic")


def library_use(index: RepoIndex, modules: tuple[str, ...]) -> tuple[list[Location], list[Location], set[str]]:
    """(call sites, import-only sites, libraries used) in the org's own code."""
    calls: list[Location] = []
    imports: list[Location] = []
    libs: set[str] = set()
    for path in index.python_files(kinds={CODE}):
        facts = index.python(path)
        if facts is None:
            continue
        for module in modules:
            line = facts.imported(module)
            if line is None:
                continue
            used = facts.calls_under(module)
            libs.add(module)
            if used:
                calls.append(loc(index, path, used[0].line, used[0].name))
            else:
                imports.append(loc(index, path, line, f"import {module}"))
    return calls, imports, libs


def _finding(views: Views, signal: str, what: str, modules: tuple[str, ...], packages: tuple[str, ...]) -> Finding:
    assert views.repo is not None
    calls, imports, libs = library_use(views.repo, modules)
    values = {"libraries": sorted(libs)}
    if calls:
        return hit(
            views,
            signal,
            calls,
            f"{what} used ({', '.join(sorted(libs))}) in {len(calls)} file(s)",
            confidence=code_confidence(c.path or "" for c in calls),
            values={"count": len(calls), **values},
        )
    if imports:
        return hit(
            views,
            signal,
            imports,
            f"{what} imported but never called ({', '.join(sorted(libs))})",
            confidence="low",
            values={"count": len(imports), **values},
        )
    declared = views.repo.declares(*packages)
    why = f"No {what} in the repo's own code" + ("; declared as a dependency only" if declared else "")
    return miss(views, signal, why, values={"declared": len(declared)})


def _faker(views: Views) -> list[Location]:
    assert views.repo is not None
    out = []
    for path in views.repo.python_files(kinds={CODE}):
        facts = views.repo.python(path)
        used = facts.calls_to("faker.Faker", "Faker") if facts and facts.imported("faker") else []
        if used:
            out.append(loc(views.repo, path, used[0].line, "Faker()"))
    return out


@probe(
    "repo.data.privacy",
    summary="Differential-privacy libraries and synthetic-data generators used in the repo's own code.",
    emits=(DP, SYNTHETIC),
    remediation="Share sensitive data through differential privacy or synthetic data rather than raw extracts.",
    evidence=("file",),
)
def privacy(views: Views) -> list[Finding]:
    if views.repo is None:
        return unavailable_all(views, (DP, SYNTHETIC))
    out = [_finding(views, DP, "differential-privacy library", DP_MODULES, DP_PACKAGES)]
    synth = _finding(views, SYNTHETIC, "synthetic-data generator", SYNTH_MODULES, SYNTH_PACKAGES)
    fakers = _faker(views) if synth.outcome is Outcome.FALSE else []
    if fakers:
        synth = hit(
            views,
            SYNTHETIC,
            fakers,
            f"Faker generates substitute data in {len(fakers)} pipeline file(s)",
            confidence="low",
            values={"count": len(fakers), "libraries": ["faker"]},
        )
    return [*out, synth]
