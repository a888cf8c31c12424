"""Checks the command line makes before any scanning: option bounds, inputs readable, outputs writable.

Everything here raises `UsageError` (exit 2) with one line naming the option or file, so that a typo or a
bad path fails in a second rather than after an hour of scanning. Option bounds come from the config
schema (scanner/schemas/config.schema.json): the command line and the file accept the same values.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from scanner.reporters.evidence import PENDING, discard
from scanner.schemapath import load_schema
from scanner.targets import UsageError

# command-line attribute -> (option, where its bounds live in the config schema)
BOUNDED_OPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "window_days": ("--window-days", ("window_days",)),
    "jobs": ("--jobs", ("jobs",)),
    "max_repos": ("--max-repos", ("github", "max_repos")),
    "api_budget": ("--api-budget", ("github", "api_budget")),
    "max_wait": ("--max-wait", ("github", "max_wait")),
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PROBE_BYTES = 4096  # written and removed in each output folder: finds a read-only or full disk before scanning


def _subschema(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = schema
    for key in path:
        node = node["properties"][key]
    return node


def check_options(args: Any) -> None:
    """Numeric options within the config schema's bounds (a value left unset is not checked)."""
    schema = load_schema("config.schema.json")
    for attr, (flag, path) in BOUNDED_OPTIONS.items():
        value = getattr(args, attr, None)
        if value is None:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise UsageError(f"{flag}: {value} is not a finite number")
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(_subschema(schema, path)).iter_errors(value)
        )
        if error is not None:
            raise UsageError(f"{flag}: {error.message}")


def check_clock(value: str | None) -> datetime | None:
    """`--now`: a date (its 00:00 UTC) or an ISO 8601 date-time (UTC unless it gives an offset); None: unset."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        moment = (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise UsageError(
            f"--now: {value!r} is not a date (YYYY-MM-DD) or an ISO 8601 date-time (e.g. 2026-01-10T02:00:00Z)"
        ) from None
    if moment < EPOCH:
        raise UsageError(f"--now: {value!r} is before 1970-01-01")
    return moment


def _real(path: Path) -> Path:
    """The absolute path with every symlink resolved (a path that does not exist yet resolves as far as it can)."""
    return Path(os.path.realpath(path.expanduser()))


def check_outputs(outputs: Mapping[str, Path | None], inputs: Mapping[str, Iterable[Path]]) -> None:
    """Refuse an output that is another output, an input, or inside a `.git` folder (a scanned repo's own
    files). Outputs inside a scanned work tree are allowed (`--json evidence.json` on target `.` is common)."""
    seen: dict[Path, str] = {}
    for label, paths in inputs.items():
        for given in paths:
            seen.setdefault(_real(given), label)
    taken: dict[Path, str] = {}
    for flag, path in outputs.items():
        if path is None:
            continue
        real = _real(path)
        if real in taken:
            raise UsageError(f"{path}: given to both {taken[real]} and {flag}; each output needs its own file")
        if real in seen:
            raise UsageError(f"{path}: {flag} would overwrite the {seen[real]}")
        if any(part.lower() == ".git" for part in real.parts):
            raise UsageError(f"{path}: {flag} points inside a .git folder; write outputs elsewhere")
        taken[real] = flag


def check_writable(outputs: Mapping[str, Path | None]) -> None:
    """Each output can be written: not a folder or device, and its folder (created if missing, as the
    writers do) takes a small file. Finds a read-only or full file system before scanning."""
    for flag, path in outputs.items():
        if path is None:
            continue
        real = _real(path)
        if real.exists() and not real.is_file():
            raise UsageError(f"{path}: {flag} names a folder or special file, not a file")
        try:
            real.parent.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".probe", dir=real.parent)
            PENDING.add(Path(probe))  # removed by the termination handler if a signal comes now
            try:
                data = b"\0" * PROBE_BYTES
                while data:  # a short write is followed by the error (EFBIG, ENOSPC) on the next one
                    data = data[os.write(fd, data) :]
                os.fsync(fd)
            finally:
                os.close(fd)
                discard(Path(probe))
        except OSError as exc:
            raise UsageError(f"{path}: {flag} cannot be written: {exc.strerror or exc}") from None


def check_readable(inputs: Mapping[str, Path | None]) -> None:
    """Each input file given exists and is a readable file (a folder for --rules)."""
    for flag, path in inputs.items():
        if path is None:
            continue
        want_dir = flag == "--rules"
        if not path.exists():
            raise UsageError(f"{path}: {flag}: no such {'folder' if want_dir else 'file'}")
        if want_dir != path.is_dir():
            raise UsageError(f"{path}: {flag}: not a {'folder' if want_dir else 'file'}")
        if not os.access(path, os.R_OK):
            raise UsageError(f"{path}: {flag}: not readable")


def _local(spec: str) -> Path | None:
    """The local path a target, store or catalog names (None for URLs and github: targets)."""
    if spec.startswith(("github:", "git@")) or "://" in spec:
        return None
    return Path(spec)


def _bare_path(spec: str) -> bool:
    return "://" not in spec and not spec.startswith(("file:", "sqlite:", "github:", "git@"))


def check_local_sources(mlflow: list[str], catalog: list[str]) -> None:
    """A local MLflow store folder or dbt artifacts path that does not exist is a typo, not an unreachable
    server: a usage error before scanning (a server that is down stays a scan error, exit 3)."""
    named = [("--mlflow", m, m.strip()) for m in mlflow]
    named += [("--catalog", c, c.partition("=")[2]) for c in catalog if c.partition("=")[0].strip().lower() == "dbt"]
    for flag, spec, where in named:
        if where and _bare_path(where) and not Path(where).expanduser().exists():
            raise UsageError(f"{flag} {spec}: no such file or folder")


def scan_inputs(
    specs: list[str],
    config: Path | None,
    rules_dir: Path,
    attestations: Path | None,
    baseline: Path | None,
    mlflow: list[str],
    catalog: list[str],
) -> dict[str, list[Path]]:
    """What a scan reads, by label: no output may be written over any of these."""
    stores = [p for p in map(_local, mlflow) if p is not None]
    catalogs = [p for p in (_local(c.partition("=")[2]) for c in catalog if "=" in c) if p is not None]
    return {
        "configuration (--config)": [config] if config else [],
        "rules": sorted(Path(rules_dir).glob("*.yml")),
        "attestations": [attestations] if attestations else [],
        "baseline": [baseline] if baseline else [],
        "scanned target": [p for p in map(_local, specs) if p is not None],
        "MLflow store": stores,
        "catalog": catalogs,
    }
