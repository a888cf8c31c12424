"""The on-disk cache of a GitHub scan: ETags of REST answers, and each repo's findings by HEAD.

Nothing secret is written: URLs carry no token, bodies are API answers. A repo's findings are reused
only when its HEAD commit and the scanner/rules fingerprint are both unchanged.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from scanner.model import Finding


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(data, sort_keys=True))  # json.dump would encode in pure Python, chunk by chunk
    os.replace(tmp, path)


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


class ScanCache:
    def __init__(self, root: Path, host: str) -> None:
        self.root = root / _safe(host)

    def clone_dir(self, full_name: str) -> Path:
        return self.root / "clones" / _safe(full_name)

    def load_etags(self) -> dict[str, dict[str, Any]]:
        data = _read(self.root / "etags.json")
        return data if isinstance(data, dict) else {}

    def save_etags(self, etags: dict[str, dict[str, Any]]) -> None:
        _write(self.root / "etags.json", etags)

    def cached_head(self, full_name: str) -> str | None:
        """The HEAD the cached findings of a repo were computed at (None: nothing cached). Read from a
        small file beside the findings, so that checking 1,000 repos does not parse 1,000 findings files."""
        head = _read(self.root / "heads" / f"{_safe(full_name)}.json")
        if not isinstance(head, dict):  # a cache written before the head files: read the findings
            head = _read(self.root / "findings" / f"{_safe(full_name)}.json")
        value = head.get("head") if isinstance(head, dict) else None
        return value if isinstance(value, str) and value else None

    def load_findings(self, full_name: str, head: str, fingerprint: str) -> list[Finding] | None:
        data = _read(self.root / "findings" / f"{_safe(full_name)}.json")
        if not isinstance(data, dict) or data.get("head") != head or data.get("fingerprint") != fingerprint:
            return None
        try:
            return [Finding.from_json(f) for f in data["findings"]]
        except (KeyError, TypeError, ValueError):
            return None

    def save_findings(self, full_name: str, head: str, fingerprint: str, findings: list[Finding]) -> None:
        doc = {"head": head, "fingerprint": fingerprint, "findings": [finding_to_json(f) for f in findings]}
        _write(self.root / "findings" / f"{_safe(full_name)}.json", doc)
        _write(self.root / "heads" / f"{_safe(full_name)}.json", {"head": head, "fingerprint": fingerprint})


def finding_to_json(f: Finding) -> dict[str, Any]:
    out = f.to_json()
    out["key"] = f.key
    return out
