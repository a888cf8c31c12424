"""The scan fingerprint: the scanner version, the rules and the options that change findings.

A remote repo's cached findings are reused only under an equal fingerprint, and `aiops-scan merge` accepts
only shards (`config.shard.fingerprint`) with the fingerprint of the rules it is given. `aiops-scan assess`
gives a shard the fingerprint of the rules it applied, so that parts re-assessed alike merge.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.engine.rules import builtin_rules_dir
from scanner.facts.history import WINDOW_DAYS


def scan_fingerprint(
    rules_dir: Path | None, window_days: int, clock: str | None = None, version: str = __version__
) -> str:
    """`clock`: the pinned scan clock as the evidence records it (`config.now`); None for the wall clock,
    which leaves the fingerprint of a scan that pins nothing as it always was."""
    options = f"{version}|{window_days}" + (f"|now={clock}" if clock is not None else "")
    digest = hashlib.sha256(options.encode())
    for path in sorted(Path(rules_dir or builtin_rules_dir()).glob("*.yml")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def evidence_fingerprint(rules_dir: Path | None, document: dict[str, Any]) -> str:
    """The fingerprint of the scan that wrote `document` (its version and recorded options), with the rules
    in `rules_dir` (None: the built-in rules)."""
    config = document["config"]
    return scan_fingerprint(
        rules_dir,
        config.get("history_window_days", WINDOW_DAYS),
        config.get("now"),
        document["tool"]["version"],
    )
