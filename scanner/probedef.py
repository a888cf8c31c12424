"""What a probe is: its function type and its definition (id, signals, description, remediation,
evidence kinds, lifecycle, aliases, defining file). Definitions are declared with `@probe(...)`
(scanner/probekit.py) next to the probe's code and validated at load (scanner/registry.py).

This module depends on nothing in the scanner but `model` (findings), so that model, views and
collectors never need to import one another to name the probe type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scanner.model import Finding

if TYPE_CHECKING:
    from scanner.views import Views

ProbeFunc = Callable[["Views"], Iterable[Finding]]

VIEWS: frozenset[str] = frozenset({"repo", "ci", "history", "github", "github_org", "mlflow", "catalog"})

# Where a view's signals are observed, for the views that are not the repository itself: a rule may cite
# their signals before such a source is given, and the engine then names the source that would settle it.
EXTERNAL_SOURCES: dict[str, str] = {
    "github": "github",
    "github_org": "github",
    "mlflow": "mlflow",
    "catalog": "catalog",
}

LIFECYCLES: tuple[str, ...] = ("stable", "experimental", "deprecated")

# The closed vocabulary of what a probe's findings cite (their locations).
EVIDENCE_KINDS: dict[str, str] = {
    "file": "a file (and line) of the scanned repo at the scanned commit",
    "commit": "a commit or tag of the repo's history",
    "ci_job": "a job or step of a CI configuration file",
    "api_object": "an object read from the GitHub API (release, deployment, team, protection rule), with its URL",
    "mlflow_object": "an MLflow experiment, run, registered model version, prompt or trace",
    "catalog_object": "a data catalog entity: table, column, policy, glossary term or dbt node",
}


@dataclass(frozen=True)
class ProbeSpec:
    """A probe: a pure function from views to findings, with its definition.

    `aliases` maps earlier signal ids to the current ones (each a signal this probe emits), so that rules
    and saved evidence that cite an old id keep working. `replaced_by` names the probe that supersedes a
    deprecated one. `file` is the defining module's path relative to its project (the folder holding
    its top-level package), `source` the package or plugin it was loaded from."""

    id: str
    summary: str
    emits: tuple[str, ...]
    needs: frozenset[str]
    func: ProbeFunc
    remediation: str = ""
    source: str = "builtin"
    evidence: tuple[str, ...] = ()
    lifecycle: str = "stable"
    replaced_by: str = ""
    aliases: Mapping[str, str] = field(default_factory=dict)
    file: str = ""

    @property
    def external_source(self) -> str:
        """The source outside the repository that this probe's signals need ("" for repository signals)."""
        found = sorted({EXTERNAL_SOURCES[v] for v in self.needs if v in EXTERNAL_SOURCES})
        return found[0] if found else ""

    def to_json(self) -> dict[str, Any]:
        """The definition as data (`aiops-scan probes --json`)."""
        return {
            "id": self.id,
            "summary": self.summary,
            "signals": list(self.emits),
            "needs": sorted(self.needs),
            "remediation": self.remediation,
            "evidence": list(self.evidence),
            "lifecycle": self.lifecycle,
            "replaced_by": self.replaced_by or None,
            "aliases": dict(sorted(self.aliases.items())),
            "file": self.file,
            "source": self.source,
        }
