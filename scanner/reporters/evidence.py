"""The evidence JSON: the primary, stable output (README.md, "The evidence JSON").

Deterministic: keys sorted, findings sorted by id, targets by id, repo assessments before the
organisation roll-ups. Written atomically (temporary file in the same folder, then rename).
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema

from scanner import __version__
from scanner.aliases import resolve_evidence
from scanner.engine.assess import Assessment
from scanner.model import Finding
from scanner.runner import ScanResult

SCHEMA_VERSION = "1.0"


def evidence_order(findings: list[Finding], assessments: list[Assessment]) -> tuple[list[Any], list[Any]]:
    """Findings by id, and repo assessments before the organisation roll-ups (each by scope), as JSON."""
    ordered = sorted(assessments, key=lambda a: (a.scope.startswith("org:"), a.scope))
    return [f.to_json() for f in sorted(findings, key=lambda f: f.id)], [a.to_json() for a in ordered]


def evidence_document(result: ScanResult) -> dict[str, Any]:
    findings, assessments = evidence_order(result.findings, result.assessments)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "aiops-scan", "version": __version__},
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "config": result.config,
        "targets": [t.to_json() for t in sorted(result.targets, key=lambda t: t.id)],
        "findings": findings,
        "assessments": assessments,
        "stats": result.stats,
    }


_COMPACT = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def dumps(document: dict[str, Any]) -> str:
    """The evidence as text: sorted keys, each top-level key on a line of its own and each element of a
    top-level list (a target, a finding, an assessment) compact on its own line, so that two runs diff
    line by line. Compact elements go through the C encoder: `indent=2` would take the pure-Python one
    (2.5x the CPU on 200 repos' evidence, `benchmarks.evidence_write`)."""
    encode = _COMPACT.encode
    fields = []
    for key in sorted(document):
        value = document[key]
        if isinstance(value, list) and value:
            body = "[\n    " + ",\n    ".join(map(encode, value)) + "\n  ]"
        else:
            body = encode(value)
        fields.append(f"  {encode(key)}: {body}")
    return "{\n" + ",\n".join(fields) + "\n}\n" if fields else "{}\n"


class EvidenceError(ValueError):
    """An evidence file that cannot be read: missing, not JSON, or not of this schema version."""


# temporary files being written right now: removed by the termination handler (scanner/interrupt.py)
PENDING: set[Path] = set()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def stage(path: Path, text: str, *, private: bool = False) -> Path:
    """Write `text` to a temporary file beside `path` and return it (then `commit` it, or unlink it).
    The file gets the permissions a new file would (0666 less the umask), or 0600 when `private`
    (files that may hold secrets). Errors name `path`."""
    path = path.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, f"{path}: cannot write: {exc.strerror or exc}") from None
    tmp = Path(name)
    PENDING.add(tmp)
    try:
        os.fchmod(fd, 0o600 if private else 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        discard(tmp)
        raise OSError(exc.errno, f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        discard(tmp)
        raise
    return tmp


def commit(tmp: Path, path: Path) -> None:
    """Rename a staged file onto its destination (atomic: readers see the old file or the new one)."""
    try:
        os.replace(tmp, path.expanduser())
    except OSError as exc:
        discard(tmp)
        raise OSError(exc.errno, f"{path}: cannot write: {exc.strerror or exc}") from None
    PENDING.discard(tmp)


def discard(tmp: Path) -> None:
    tmp.unlink(missing_ok=True)
    PENDING.discard(tmp)


def write_atomic(path: Path, text: str, *, private: bool = False) -> None:
    """Write `text` to `path` through a temporary file and a rename; errors name the file."""
    commit(stage(path, text, private=private), path)


def write_evidence(path: Path, result: ScanResult) -> dict[str, Any]:
    document = evidence_document(result)
    write_atomic(path, dumps(document))
    return document


def load_evidence(path: Path, aliases: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A saved evidence file, checked against this version's schema. Raises EvidenceError naming the file.
    Findings of a renamed signal are read under its current id when `aliases` (old -> current) are given."""
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise EvidenceError(f"{path}: no such evidence file") from None
    except OSError as exc:
        raise EvidenceError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise EvidenceError(f"{path}: not an evidence file (not valid JSON: {exc})") from None
    if not isinstance(data, dict) or "assessments" not in data:
        raise EvidenceError(f"{path}: not an aiops-scan evidence file")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise EvidenceError(
            f"{path}: evidence schema_version {version!r}, this aiops-scan reads {SCHEMA_VERSION!r}: scan again"
        )
    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        raise EvidenceError(f"{path}: not a valid evidence file: at {where or '(top)'}: {error.message[:200]}")
    return resolve_evidence(data, aliases) if aliases else data


@functools.cache
def _validator() -> Any:
    from scanner.schemapath import load_schema

    return jsonschema.Draft202012Validator(load_schema("evidence.schema.json"))
