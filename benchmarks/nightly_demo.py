"""Run the nightly workflow's scan step (action.yml) locally against the demo estate, two nights in a row.

Night 1 scans the demo estate; between the nights one repo drops its CI workflows; night 2 scans again
with night 1's evidence as the baseline. Both nights write evidence.json, report.html, summary.md and
results.sarif; night 2 also writes diff.json. The step runs exactly as in GitHub Actions: the action's
`run:` script in bash, its inputs as INPUT_* variables, with GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files.
Run: `python -m benchmarks.nightly_demo OUT_DIR` (uses the aiops-scan on PATH or beside this Python).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("evidence.json", "report.html", "summary.md", "results.sarif")


def scan_step(action: Path = ROOT / "action.yml") -> dict[str, Any]:
    steps = yaml.safe_load(action.read_text(encoding="utf-8"))["runs"]["steps"]
    step: dict[str, Any] = next(s for s in steps if s.get("id") == "scan")
    return step


def run_scan_step(inputs: dict[str, str], work: Path) -> tuple[int, dict[str, str]]:
    """Run the action's scan step with `inputs` (names as in action.yml); returns (exit code, step outputs)."""
    step = scan_step()
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for name in step["env"]:  # INPUT_FAIL_BELOW <- inputs["fail-below"]
        env[name] = inputs.get(name.removeprefix("INPUT_").lower().replace("_", "-"), "")
    env["GITHUB_STEP_SUMMARY"], env["GITHUB_OUTPUT"] = str(work / "step_summary.md"), str(work / "github_output")
    proc = subprocess.run(["bash", "-c", step["run"]], cwd=work, env=env, capture_output=True, text=True)
    outputs = {}
    if (work / "github_output").is_file():
        for line in (work / "github_output").read_text().splitlines():
            key, _, value = line.partition("=")
            outputs[key] = value
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stdout + proc.stderr)
    return proc.returncode, outputs


def two_nights(out: Path) -> dict[str, Path]:
    """The demo estate scanned twice by the action's step; returns the output folders of both nights."""
    out.mkdir(parents=True, exist_ok=True)
    demo = out / "demo"
    subprocess.run([Path(sys.executable).parent / "aiops-scan", "demo", "--out", str(demo), "--quiet"], check=True)
    estate = demo / "acme"
    nights = {"night1": out / "night1", "night2": out / "night2"}
    code, _ = run_scan_step({"targets": str(estate), "baseline": "night0/evidence.json", "out-dir": "night1"}, out)
    assert code == 0, f"night 1 exited {code}"
    repo = estate / "team-platform"
    subprocess.run(["git", "-C", str(repo), "rm", "-q", "-r", ".github"], check=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "demo", "GIT_AUTHOR_EMAIL": "demo@example.org"}
    env |= {"GIT_COMMITTER_NAME": "demo", "GIT_COMMITTER_EMAIL": "demo@example.org"}
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", "drop CI"], check=True, env=env)
    inputs = {"targets": str(estate), "baseline": "night1/evidence.json", "out-dir": "night2"}
    code, _ = run_scan_step(inputs, out)
    assert code == 0, f"night 2 exited {code}"
    return nights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a new (or empty) folder for the estate and both nights' outputs")
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty: give a new folder")
    start = time.perf_counter()
    nights = two_nights(args.out)
    took = time.perf_counter() - start
    for name, folder in nights.items():
        files = [f for f in (*OUTPUTS, "diff.json") if (folder / f).is_file()]
        print(f"{name}: {folder}: {', '.join(files)}")
    print(f"job summary: {args.out / 'step_summary.md'}")
    print(f"nightly_demo: nights={len(nights)} seconds={took:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
