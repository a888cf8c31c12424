"""Accuracy on real repositories: scan checkouts judged by expert assessors and compare every judged area.

Usage: `python -m benchmarks.accuracy EXPECTED.json CHECKOUTS_DIR [--evidence FILE] [--repo NAME ...]`
(or `make accuracy`). EXPECTED.json is the calibration set (`../shared/calibration/expected.json`); each
repo is looked for at CHECKOUTS_DIR/<its "path">, checked out at its judged sha. Prints one line per repo
(got/want per area, misses marked `!`), per-area and total in-band rates, exact matches, off-by-two-or-
unassessed, over- and under-ratings, and a last line `accuracy: in_band=N/M ...`.

A cell is judged where the assessor gave a level. It is in band when the scanner's area level lies in the
acceptable band, or when the scanner gives no level and the area is in `null_acceptable`. A judged cell
without a level otherwise counts as unassessed (a miss as bad as off by two). Cells the assessor left
null are not scored; a level claimed there is reported as `claimed_null`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.ids import AREAS, LEVELS

ROOT = Path(__file__).resolve().parents[1]
SHORT = {"initial": "I", "minimal": "M", "procedural": "P", "innovative": "N", "leading": "L", None: "-"}
AREA_SHORT = {
    "people": "ppl",
    "data_management": "data",
    "model_creation": "create",
    "model_deployment": "deploy",
    "llmops": "llm",
    "app_integration": "app",
}


@dataclass(frozen=True)
class Cell:
    repo: str
    area: str
    got: str | None
    want: str | None  # the assessor's point level (lower case), None when not judged
    band: tuple[str, str] | None
    null_ok: bool

    @property
    def judged(self) -> bool:
        return self.want is not None and self.band is not None

    @property
    def in_band(self) -> bool:
        if self.got is None:
            return self.null_ok
        assert self.band is not None
        return LEVELS.index(self.band[0]) <= LEVELS.index(self.got) <= LEVELS.index(self.band[1])

    @property
    def offset(self) -> int | None:
        """Signed distance from the band (0 inside it); None when the scanner gave no level."""
        if self.got is None or self.band is None:
            return None
        got, low, high = (LEVELS.index(x) for x in (self.got, *self.band))
        return got - high if got > high else got - low if got < low else 0


def _lower(level: str | None) -> str | None:
    return level.lower() if level else None


def judged_cells(expected: dict[str, Any], levels: dict[str, dict[str, str | None]]) -> list[Cell]:
    cells = []
    for repo in expected["repos"]:
        got = levels.get(repo["path"], {})
        for area in AREAS:
            band = repo["acceptable"].get(area)
            cells.append(
                Cell(
                    repo["repo"],
                    area,
                    got.get(area),
                    _lower(repo["levels"].get(area)),
                    (band[0].lower(), band[1].lower()) if band else None,
                    area in repo.get("null_acceptable", []),
                )
            )
    return cells


def scan(paths: list[Path], evidence: Path, jobs: int) -> float:
    cmd = [sys.executable, "-m", "scanner", "scan", *map(str, paths), "--json", str(evidence), "--quiet"]
    start = time.perf_counter()
    # This checkout's scanner, whichever checkout the environment was installed from.
    proc = subprocess.run([*cmd, "--jobs", str(jobs)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode not in (0, 3):
        sys.exit(f"accuracy: the scan failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return time.perf_counter() - start


def area_levels(evidence: dict[str, Any]) -> dict[str, dict[str, str | None]]:
    return {a["scope"]: {k: v["level"] for k, v in a["areas"].items()} for a in evidence["assessments"]}


def repo_line(repo: str, cells: list[Cell]) -> str:
    parts = []
    for c in cells:
        if not c.judged:
            claimed = " (claimed)" if c.got else ""
            parts.append(f"{AREA_SHORT[c.area]}={SHORT[c.got]}/-{claimed}")
            continue
        assert c.band is not None
        want = SHORT[c.want] + ("" if c.band[0] == c.band[1] == c.want else f"[{SHORT[c.band[0]]}{SHORT[c.band[1]]}]")
        parts.append(f"{AREA_SHORT[c.area]}={SHORT[c.got]}/{want}{'' if c.in_band else '!'}")
    misses = sum(1 for c in cells if c.judged and not c.in_band)
    return f"{'!' if misses else ' '} {repo:<44} " + "  ".join(parts)


def summary(cells: list[Cell]) -> dict[str, Any]:
    judged = [c for c in cells if c.judged]
    offsets = [c.offset for c in judged if not c.in_band]
    return {
        "in_band": sum(c.in_band for c in judged),
        "judged": len(judged),
        "exact": sum(c.got == c.want for c in judged),
        "off2_or_unassessed": sum(1 for o in offsets if o is None or abs(o) >= 2),
        "over": sum(1 for o in offsets if o is not None and o > 0),
        "under": sum(1 for o in offsets if o is not None and o < 0),
        "unassessed": sum(1 for o in offsets if o is None),
        "claimed_null": sum(1 for c in cells if not c.judged and c.got is not None),
    }


def report(cells: list[Cell], seconds: float) -> str:
    lines = []
    by_repo: dict[str, list[Cell]] = defaultdict(list)
    for c in cells:
        by_repo[c.repo].append(c)
    lines.append("  repo                                         area=got/want[band]  (! = outside the band)")
    lines.extend(repo_line(repo, repo_cells) for repo, repo_cells in by_repo.items())
    lines.append("")
    for area in AREAS:
        judged = [c for c in cells if c.area == area and c.judged]
        hits = sum(c.in_band for c in judged)
        rate = 100 * hits / len(judged) if judged else 0.0
        lines.append(f"  {area:<18} in band {hits:>2}/{len(judged):<2} ({rate:5.1f}%)")
    s = summary(cells)
    offsets = Counter(c.offset for c in cells if c.judged and not c.in_band)
    lines.append(f"  misses by offset from band: {dict(sorted(offsets.items(), key=lambda kv: str(kv[0])))}")
    rate = 100 * s["in_band"] / s["judged"] if s["judged"] else 0.0
    lines.append(
        f"accuracy: in_band={s['in_band']}/{s['judged']} rate={rate:.1f}% exact={s['exact']} "
        f"off2_or_unassessed={s['off2_or_unassessed']} over={s['over']} under={s['under']} "
        f"unassessed={s['unassessed']} claimed_null={s['claimed_null']} scan_s={seconds:.1f}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("expected", type=Path)
    parser.add_argument("checkouts", type=Path)
    parser.add_argument("--evidence", type=Path, help="keep the evidence JSON here (default: a temporary file)")
    parser.add_argument("--reuse", action="store_true", help="score the --evidence file without scanning again")
    parser.add_argument("--repo", action="append", default=[], help="only this repo (OWNER/NAME); repeatable")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    expected = json.loads(args.expected.read_text())
    if args.repo:
        expected["repos"] = [r for r in expected["repos"] if r["repo"] in args.repo]
    missing = [r["path"] for r in expected["repos"] if not (args.checkouts / r["path"] / ".git").exists()]
    if missing:
        print(f"accuracy: no checkout for {', '.join(missing)} under {args.checkouts}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        evidence = args.evidence or Path(tmp) / "evidence.json"
        seconds = 0.0
        if not args.reuse:
            seconds = scan([args.checkouts / r["path"] for r in expected["repos"]], evidence, args.jobs)
        levels = area_levels(json.loads(evidence.read_text()))
    print(report(judged_cells(expected, levels), seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
