"""Signals observed by sources other than the repository itself: the GitHub API, MLflow, data catalogs.

Which source a signal needs follows from its probe's definition (the views it `needs`), so there is no
list to keep by hand. Rules may cite such signals before any probe for their source is selected or
given a source: when no finding of such a signal exists for a scope, the engine reports the criterion
as unknown and names the source that would settle it, never as unmet.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from scanner.probedef import ProbeSpec

SOURCE_HINTS: dict[str, str] = {
    "github": "needs the GitHub API: scan github:ORG or github:ORG/REPO",
    "mlflow": "needs an MLflow tracking server: --mlflow URI",
    "catalog": "needs a data catalog: --catalog KIND=URL",
}

# Signals the built-in rules cite before any probe emits them, with the source that will observe them.
# A probe that starts emitting one must take it off this list (tests/test_probe_definitions.py checks).
PENDING_SIGNALS: dict[str, str] = {
    "catalog.uc.billing_by_tag": "catalog",
    "gh.check_runs.release_commits": "github",
    "gh.gated_sme_merges": "github",
    "gh.prs.bot_model_bumps": "github",
    "gh.se_access_ml_repos": "github",
}


def external_signals(specs: Iterable[ProbeSpec]) -> dict[str, str]:
    """Signal -> source ("github", "mlflow", "catalog") for every signal that needs a source outside the
    repository: those of the probes that need such a view, and the pending ones."""
    derived = {signal: spec.external_source for spec in specs if spec.external_source for signal in spec.emits}
    return {**PENDING_SIGNALS, **derived}


@functools.cache
def builtin_external_signals() -> dict[str, str]:
    """`external_signals` of every built-in probe, whether or not a scan selected it."""
    from scanner.registry import load_probes

    return external_signals(load_probes(plugins=False))


def known_signals(specs: Iterable[ProbeSpec]) -> set[str]:
    """What rules may cite: every signal a loaded probe emits, its aliases, and the pending signals."""
    specs = list(specs)
    emitted = {signal for spec in specs for signal in spec.emits}
    return emitted | {alias for spec in specs for alias in spec.aliases} | set(PENDING_SIGNALS)


def missing_reason(signal: str, external: Mapping[str, str]) -> str:
    """Why a signal the rules cite has no finding: the source that would settle it, if it needs one."""
    source = external.get(signal)
    if source:
        return f"{signal} not observed: {SOURCE_HINTS[source]}"
    return f"{signal} not observed: no selected probe emits it"
