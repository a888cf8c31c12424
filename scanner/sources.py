"""Organisation-wide sources: MLflow tracking servers, data catalogs, a GitHub organisation.

A source is a target of its own (kind `mlflow`, `catalog` or `github_org`) whose collector builds one
view. Probes that need that view run once per source, with the source's target id as subject; their
findings are organisation facts, visible to every repo assessment and to the estate roll-up.
Collectors register a factory per command-line option here; the runner never knows their details.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scanner.targets import Target, UsageError


class SourceUnavailable(Exception):
    """The source could not be read (unreachable, no permission): its probes report not_available."""


@dataclass
class OrgSource:
    target: Target
    view: str  # "mlflow" | "catalog" | "github"
    build: Callable[[], Any]  # all I/O happens here; raise SourceUnavailable or any error
    stats: dict[str, int] = field(default_factory=dict)  # requests made, filled in by the collector


# option name -> factory(spec string) -> OrgSource; filled by the collector modules listed below.
FACTORIES: dict[str, Callable[[str], OrgSource]] = {}
COLLECTOR_MODULES: tuple[str, ...] = ("scanner.collectors.catalogs", "scanner.collectors.mlflow.source")


def source_factory(option: str) -> Callable[[Callable[[str], OrgSource]], Callable[[str], OrgSource]]:
    def register(factory: Callable[[str], OrgSource]) -> Callable[[str], OrgSource]:
        FACTORIES[option] = factory
        return factory

    return register


def build_sources(specs: dict[str, list[str]]) -> list[OrgSource]:
    """Turn `{"mlflow": [uri, ...], "catalog": ["dbt=PATH", ...]}` into sources."""
    import importlib

    for module in COLLECTOR_MODULES:
        importlib.import_module(module)
    sources: list[OrgSource] = []
    for option, values in specs.items():
        for value in values:
            factory = FACTORIES.get(option)
            if factory is None:
                raise UsageError(f"--{option} is not supported by this build")
            sources.append(factory(value))
    return sources
