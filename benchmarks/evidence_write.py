"""Benchmark: writing a saved evidence document as text, as the scanner does (`reporters.evidence.dumps`:
one compact line per target, finding and assessment) against `json.dumps(indent=2)` (the layout before
issue 11, which takes the pure-Python encoder), in the same run, best of N, CPU seconds.

Run: `python -m benchmarks.evidence_write EVIDENCE.json` (e.g. the `warm.json` of
`benchmarks.org_scan --keep DIR`). Last line: `evidence_write: mb= indented_mb= s= indented_s=`.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scanner.reporters.evidence import dumps


def indented(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def best(fn: Callable[[dict[str, Any]], str], document: dict[str, Any], repeat: int) -> tuple[float, float]:
    """(best CPU seconds, megabytes of UTF-8) of `fn(document)`; checks the text reads back as the document."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        text = fn(document)
        times.append(time.process_time() - start)
    assert json.loads(text) == document
    return min(times), len(text.encode()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evidence", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    document = json.loads(args.evidence.read_text(encoding="utf-8"))
    now, now_mb = best(dumps, document, args.repeat)
    before, before_mb = best(indented, document, args.repeat)
    print(f"dumps: {now:.3f} s CPU, {now_mb:.1f} MB; indent=2: {before:.3f} s CPU, {before_mb:.1f} MB")
    print(f"evidence_write: mb={now_mb:.1f} indented_mb={before_mb:.1f} s={now:.3f} indented_s={before:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
