"""Scan one hostile repo end to end (all probes, built-in rules) and return its evidence and duration."""

from __future__ import annotations

import json
import resource
from functools import cache
from pathlib import Path
from typing import Any

from scanner.engine.rules import RuleSet, builtin_rules_dir, load_rules
from scanner.probedef import ProbeSpec
from scanner.registry import load_probes
from scanner.reporters.evidence import evidence_document
from scanner.runner import ScanOptions, scan
from scanner.targets import resolve_targets


@cache
def probes_and_rules() -> tuple[list[ProbeSpec], RuleSet]:
    return load_probes(), load_rules(builtin_rules_dir())


def scan_evidence(path: Path, probes: list[ProbeSpec] | None = None, **options: Any) -> tuple[dict[str, Any], float]:
    """(evidence document as JSON data, CPU seconds the scan took). CPU time of this process and of the
    git processes it waited for, not wall time: the bound catches a quadratic blow-up, and a loaded
    shared machine stretches wall time without one."""
    every, rules = probes_and_rules()
    start = _cpu_seconds()
    result = scan(resolve_targets([str(path)]), probes or every, rules, ScanOptions(**options))
    seconds = _cpu_seconds() - start
    return json.loads(json.dumps(evidence_document(result))), seconds


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def levels(evidence: dict[str, Any]) -> dict[str, Any]:
    """Area and dimension levels of the (single) repo assessment."""
    (assessment,) = [a for a in evidence["assessments"] if not a["scope"].startswith("org:")]
    return {
        area: (data["level"], {d: v["level"] for d, v in data["dimensions"].items()})
        for area, data in assessment["areas"].items()
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
