"""Helpers for the report tests: volatile fields normalised so that rendered reports can be golden files."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

SHA = re.compile(r"\b[0-9a-f]{40}\b")
REPORT_GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "reports"


def normalise(document: dict[str, Any]) -> dict[str, Any]:
    """Fixed times, version, paths, stats and commit ids: what is left is what the scan decided."""
    doc = copy.deepcopy(document)
    doc["started_at"], doc["finished_at"] = "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z"
    doc["tool"]["version"] = "0.0.0"
    doc["stats"] = {"duration_s": 0}
    doc["config"]["targets"] = [Path(t).name for t in doc["config"].get("targets", [])]
    for target in doc["targets"]:
        if "path" in target:
            target["path"] = f"/estate/{target['id']}"
    return json.loads(SHA.sub("0" * 40, json.dumps(doc)))


def check_golden(name: str, text: str, update: bool) -> None:
    golden = REPORT_GOLDEN / name
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run with UPDATE_GOLDEN=1 and review the diff"
    assert text == golden.read_text(encoding="utf-8"), f"{name} differs from its golden file"
