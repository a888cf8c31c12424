"""The evidence JSON: the primary, stable output (ARCHITECTURE.md, "Evidence JSON").

Deterministic: keys sorted, findings sorted by id, targets by id, repo assessments before the
organisation roll-ups. Written atomically (temporary file in the same folder, then rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.runner import ScanResult

SCHEMA_VERSION = "1.0"


def evidence_document(result: ScanResult) -> dict[str, Any]:
    assessments = sorted(result.assessments, key=lambda a: (a.scope.startswith("org:"), a.scope))
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "aiops-scan", "version": __version__},
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "config": result.config,
        "targets": [t.to_json() for t in sorted(result.targets, key=lambda t: t.id)],
        "findings": [f.to_json() for f in sorted(result.findings, key=lambda f: f.id)],
        "assessments": [a.to_json() for a in assessments],
        "stats": result.stats,
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_atomic(path: Path, text: str) -> None:
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_evidence(path: Path, result: ScanResult) -> dict[str, Any]:
    document = evidence_document(result)
    write_atomic(path, dumps(document))
    return document


def load_evidence(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or "assessments" not in data:
        raise ValueError(f"{path}: not an aiops-scan evidence file")
    return data
