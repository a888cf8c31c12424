"""dbt artifacts inside scanned repos (`target/manifest.json`, with catalog.json and run_results.json
beside it): such a repo gets its own catalog view, so the catalog probes also run on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.collectors.catalogs import dbt
from scanner.targets import Target

PATTERNS = ("target/manifest.json", "*/target/manifest.json", "*/*/target/manifest.json")
IGNORED = {"examples", "example", "tests", "site-packages", "node_modules", ".venv", "venv", "dbt_packages"}


def find_manifest(root: Path) -> Path | None:
    """The shallowest dbt manifest under a repo (depth-bounded), outside vendored or example folders."""
    for pattern in PATTERNS:
        for path in sorted(root.glob(pattern)):
            if not IGNORED & set(path.relative_to(root).parts):
                return path
    return None


def attach_dbt_artifacts(targets: list[Target]) -> None:
    for target in targets:
        if target.kind != "repo" or target.status != "ok" or target.path is None:
            continue
        manifest = find_manifest(target.path)
        if manifest is None:
            continue
        target.info["dbt_artifacts"] = manifest.parent.relative_to(target.path).as_posix()

        def build(_index: Any, folder: Path = manifest.parent) -> Any:
            return dbt.collect(str(folder))

        target.view_builders["catalog"] = build
