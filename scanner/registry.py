"""The probe registry. Built-in probe packages and third-party plugins (entry-point group
`aiops_scan.probes`) are loaded through the same function, `load_probes`, and validated at start-up:
a malformed or duplicate probe id, a signal emitted by two probes, or a definition that does not hold
(lifecycle, remediation, evidence kinds, aliases) stops the run (exit 2) with a message naming the probe
and the file that defines it."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

from scanner.probedef import EVIDENCE_KINDS, LIFECYCLES, VIEWS, ProbeSpec
from scanner.probekit import SPEC_ATTR

ENTRY_POINT_GROUP = "aiops_scan.probes"
BUILTIN_PACKAGES = (
    "probes.repo",
    "probes.ci",
    "probes.history",
    "probes.catalog",
    "probes.github",
    "probes.mlflow",
)
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class RegistryError(ValueError):
    pass


def _specs_in_module(module: ModuleType) -> list[ProbeSpec]:
    specs = [getattr(obj, SPEC_ATTR) for obj in vars(module).values() if hasattr(obj, SPEC_ATTR)]
    return sorted(specs, key=lambda s: s.id)


def _specs_from(obj: Any) -> list[ProbeSpec]:
    """A source of probes: a module or package (its decorated functions, submodules included), a
    callable returning specs or decorated functions, or an iterable of either."""
    if isinstance(obj, ModuleType):
        specs = _specs_in_module(obj)
        if hasattr(obj, "__path__"):
            for info in pkgutil.iter_modules(obj.__path__, obj.__name__ + "."):
                specs.extend(_specs_in_module(importlib.import_module(info.name)))
        return specs
    if callable(obj) and not hasattr(obj, SPEC_ATTR):
        obj = obj()
    items = obj if isinstance(obj, Iterable) else [obj]
    specs = []
    for item in items:
        spec = item if isinstance(item, ProbeSpec) else getattr(item, SPEC_ATTR, None)
        if not isinstance(spec, ProbeSpec):
            raise RegistryError(f"not a probe: {item!r}")
        specs.append(spec)
    return specs


def _where(spec: ProbeSpec) -> str:
    return f"probe {spec.id!r} ({spec.file or 'unknown file'}, from {spec.source})"


def validate(specs: list[ProbeSpec]) -> None:
    seen: dict[str, str] = {}
    emitted: dict[str, str] = {}
    for spec in specs:
        where = _where(spec)
        if not ID_PATTERN.match(spec.id):
            raise RegistryError(f"{where}: id must be dotted lower-case words, like 'repo.tests.unit'")
        if spec.id in seen:
            raise RegistryError(f"{where}: duplicate probe id (also from {seen[spec.id]})")
        seen[spec.id] = spec.source
        if not spec.emits:
            raise RegistryError(f"{where}: emits no signal")
        for signal in spec.emits:
            if not ID_PATTERN.match(signal):
                raise RegistryError(f"{where}: malformed signal id {signal!r}")
            if signal in emitted and emitted[signal] != spec.id:
                raise RegistryError(f"{where}: signal {signal!r} is already emitted by {emitted[signal]!r}")
            emitted[signal] = spec.id
        unknown = spec.needs - VIEWS
        if unknown:
            raise RegistryError(f"{where}: needs unknown views {sorted(unknown)}; known: {sorted(VIEWS)}")
        if not spec.summary.strip():
            raise RegistryError(f"{where}: has no summary")
        if not callable(spec.func):
            raise RegistryError(f"{where}: is not callable")
        _check_definition(spec, where)
    _check_links(specs, emitted)


def _check_definition(spec: ProbeSpec, where: str) -> None:
    """The declared definition: lifecycle, remediation and evidence kinds."""
    if spec.lifecycle not in LIFECYCLES:
        raise RegistryError(f"{where}: unknown lifecycle {spec.lifecycle!r}; choose from {', '.join(LIFECYCLES)}")
    if spec.lifecycle == "deprecated" and not spec.replaced_by:
        raise RegistryError(f"{where}: is deprecated without replaced_by (name the probe that replaces it)")
    if spec.replaced_by and spec.lifecycle != "deprecated":
        raise RegistryError(f"{where}: has replaced_by but its lifecycle is {spec.lifecycle!r}, not 'deprecated'")
    if spec.lifecycle == "stable" and not spec.remediation.strip():
        raise RegistryError(
            f"{where}: a stable probe needs remediation (what a team does to make its signal true), "
            "or lifecycle='experimental'"
        )
    for kind in spec.evidence:
        if kind not in EVIDENCE_KINDS:
            raise RegistryError(f"{where}: unknown evidence kind {kind!r}; known: {', '.join(EVIDENCE_KINDS)}")
    if spec.lifecycle == "stable" and not spec.evidence:
        raise RegistryError(f"{where}: a stable probe names the evidence kinds it cites ({', '.join(EVIDENCE_KINDS)})")


def _check_links(specs: list[ProbeSpec], emitted: dict[str, str]) -> None:
    """Aliases and replacements across probes: an alias names no live probe or signal, nor two signals."""
    ids = {spec.id: spec for spec in specs}
    owner: dict[str, str] = {}
    for spec in specs:
        where = _where(spec)
        if spec.replaced_by and (spec.replaced_by not in ids or spec.replaced_by == spec.id):
            raise RegistryError(f"{where}: replaced_by {spec.replaced_by!r} is not another loaded probe")
        for alias, current in sorted(spec.aliases.items()):
            if not ID_PATTERN.match(alias):
                raise RegistryError(f"{where}: malformed alias {alias!r}")
            if current not in spec.emits:
                target = f"{current!r}, which it does not emit" if current else "no single signal (give a mapping)"
                raise RegistryError(f"{where}: alias {alias!r} points to {target}")
            clash = emitted.get(alias) or (alias if alias in ids and alias != spec.id else None)
            if clash:
                raise RegistryError(f"{where}: alias {alias!r} clashes with a live signal or probe of {clash!r}")
            if alias in owner:
                raise RegistryError(f"{where}: alias {alias!r} is also declared by {owner[alias]!r}")
            owner[alias] = spec.id


def register_source(name: str, obj: Any) -> list[ProbeSpec]:
    from dataclasses import replace

    return [replace(spec, source=name) for spec in _specs_from(obj)]


def _importer(name: str) -> Callable[[], Any]:
    return lambda: importlib.import_module(name)


def _constant(obj: Any) -> Callable[[], Any]:
    return lambda: obj


def load_probes(extra: Iterable[tuple[str, Any]] = (), *, plugins: bool = True) -> list[ProbeSpec]:
    """Every probe: built-in packages, then entry-point plugins, then `extra` (name, source) pairs."""
    loaders: list[tuple[str, Callable[[], Any]]] = [(pkg, _importer(pkg)) for pkg in BUILTIN_PACKAGES]
    if plugins:
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            loaders.append((f"plugin {ep.name}", ep.load))
    loaders.extend((name, _constant(obj)) for name, obj in extra)
    specs: list[ProbeSpec] = []
    for name, load in loaders:
        try:
            specs.extend(register_source(name, load()))
        except RegistryError as exc:
            raise RegistryError(f"{name}: {exc}") from None
        except Exception as exc:  # a broken plugin must say so, not crash the run
            raise RegistryError(f"{name}: could not be loaded: {type(exc).__name__}: {exc}") from None
    validate(specs)
    return sorted(specs, key=lambda s: s.id)


def signals(specs: Iterable[ProbeSpec]) -> dict[str, ProbeSpec]:
    return {signal: spec for spec in specs for signal in spec.emits}


def aliases(specs: Iterable[ProbeSpec]) -> dict[str, str]:
    """Earlier signal ids -> current ids, as the loaded probes declare them."""
    return {alias: current for spec in specs for alias, current in spec.aliases.items()}


def current_aliases() -> dict[str, str]:
    """The aliases every loaded probe declares (built-in and plugins): what reading saved evidence resolves."""
    return aliases(load_probes())
