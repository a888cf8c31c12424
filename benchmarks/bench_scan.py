"""Benchmark: scan a generated 5,000-file repository, as a ratio to baselines measured in the same run.

Baselines: `git grep` over every text file at HEAD (the I/O floor of reading the tree) and
`git log --name-only` (the floor of reading the history). Run: `python -m benchmarks.bench_scan`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.large_repo import build


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = build(Path(tmp) / "large", args.files)
        aiops = str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "aiops-scan")

        def grep() -> None:
            subprocess.run(["git", "-C", str(repo), "grep", "-I", "-c", "import", "HEAD"], capture_output=True)

        def log() -> None:
            subprocess.run(
                ["git", "-C", str(repo), "log", "--no-renames", "--name-only", "--format=%H"], capture_output=True
            )

        def scan() -> None:
            subprocess.run(
                [aiops, "scan", str(repo), "--quiet", "--json", str(Path(tmp) / "out.json")],
                check=False,
                capture_output=True,
            )

        base_grep = _best(grep, args.repeat)
        base_log = _best(log, args.repeat)
        scans = [_best(scan, 1) for _ in range(args.repeat)]
        best = min(scans)
        print(f"files: {args.files}")
        print(f"baseline git grep (read every text blob): {base_grep:.3f} s")
        print(f"baseline git log --name-only:             {base_log:.3f} s")
        print(
            f"aiops-scan scan (whole process, best of {args.repeat}): {best:.3f} s "
            f"(median {statistics.median(scans):.3f} s)"
        )
        print(f"ratio scan / (grep + log): {best / (base_grep + base_log):.1f}x")
        print(
            f"bench_scan: files={args.files} scan_s={best:.2f} grep_s={base_grep:.3f} log_s={base_log:.3f} "
            f"ratio={best / (base_grep + base_log):.1f}"
        )


if __name__ == "__main__":
    main()
