"""Benchmark: rule evaluation alone, over N repos' worth of synthetic findings.

Each repo gets one finding per signal the built-in probes emit (the real signals the rules read), with
a seeded mix of outcomes (true with 1-5 locations, false, not_available, error) and confidences; the
timed part is what the runner does after the probes: `assess_scope` for every repo and the estate
roll-up. Run: `.venv/bin/python -m benchmarks.rules --repos 1000`.

`--compare DIR` also times the checkout in DIR (interleaved, each run in a child process) and checks that
both give the same assessments, byte for byte, on these repos and on a varied set (signals no probe
observed, several findings per signal, counts, repeated ids, reasons for what is missing).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from scanner.engine.assess import assess_scope
from scanner.engine.rollup import rollup
from scanner.engine.rules import RuleSet, builtin_rules_dir, load_rules
from scanner.model import Finding, Location, Outcome
from scanner.registry import load_probes

OUTCOMES = (Outcome.TRUE, Outcome.TRUE, Outcome.FALSE, Outcome.FALSE, Outcome.NOT_AVAILABLE, Outcome.ERROR)
CONFIDENCES = ("low", "medium", "high")
ROOT = Path(__file__).resolve().parents[1]


def synthetic_findings(signals: list[str], repos: int, seed: int = 11) -> list[list[Finding]]:
    rng = random.Random(seed)
    out = []
    for r in range(repos):
        subject = f"repo:bench/r{r}"
        found = []
        for signal in signals:
            outcome = rng.choice(OUTCOMES)
            locs = tuple(Location(path=f"src/m{i}.py", line=i + 1) for i in range(rng.randint(1, 5)))
            found.append(
                Finding(
                    probe=signal,
                    signal=signal,
                    subject=subject,
                    outcome=outcome,
                    confidence=rng.choice(CONFIDENCES),
                    message="synthetic",
                    locations=locs if outcome is Outcome.TRUE else (),
                )
            )
        out.append(found)
    return out


def varied_findings(signals: list[str], repos: int, seed: int = 12) -> list[tuple[list[Finding], dict[str, str]]]:
    """Repos where a share of signals has no finding (some with a reason), others several findings (keys,
    counts, a repeated id, every outcome), for the equivalence check of `--compare`."""
    rng = random.Random(seed)
    out = []
    for r in range(repos):
        subject = f"repo:vary/r{r}"
        found, missing = [], {}
        for signal in signals:
            roll = rng.random()
            if roll < 0.15:
                if rng.random() < 0.5:
                    missing[signal] = f"needs a source for {signal}"
                continue
            for k in range(1 if roll < 0.7 else rng.randint(2, 4)):
                outcome = rng.choice((*OUTCOMES, Outcome.NOT_APPLICABLE))
                true = outcome is Outcome.TRUE
                locs = tuple(Location(path=f"m{i}.py", line=i + 1) for i in range(rng.randint(0, 3))) if true else ()
                values = {"count": rng.randint(0, 6)} if true and rng.random() < 0.3 else {}
                key = "" if k == 0 or rng.random() < 0.2 else f"k{k}"  # an unkeyed second finding repeats the id
                found.append(
                    Finding(signal, signal, subject, outcome, rng.choice(CONFIDENCES), f"m{k}", locs, values, key)
                )
        rng.shuffle(found)
        out.append((found, missing))
    return out


def _signals(rules: RuleSet) -> list[str]:
    emitted = {s for p in load_probes() for s in p.emits}
    return sorted(emitted | {s for s in rules.signals() if not s.endswith(".*")})


def _digest(rules: RuleSet, repos: list[tuple[list[Finding], dict[str, str]]]) -> tuple[str, dict[str, int]]:
    """sha256 of every assessment and the roll-up as JSON, and how many dimensions reached each level."""
    assessments = [assess_scope(f"repo:{i}", rules, found, missing) for i, (found, missing) in enumerate(repos)]
    assessments.append(rollup("org:bench", rules, assessments))
    text = json.dumps([a.to_json() for a in assessments], sort_keys=True)
    levels: dict[str, int] = {}
    for a in assessments:
        for area in a.areas.values():
            for dim in area.dimensions.values():
                levels[str(dim.level or dim.status)] = levels.get(str(dim.level or dim.status), 0) + 1
    return hashlib.sha256(text.encode()).hexdigest(), dict(sorted(levels.items()))


def measure(repos: int, repeat: int) -> tuple[float, float]:
    """(best wall-clock, best CPU seconds) of assessing `repos` synthetic repos and rolling them up."""
    rules = load_rules(builtin_rules_dir())
    per_repo = synthetic_findings(_signals(rules), repos)
    best = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        assessments = [assess_scope(f[0].subject, rules, f, {}) for f in per_repo]
        rollup("org:bench", rules, assessments)
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)  # the steadier figure on a shared machine
    return best, cpu


def child(src: Path, repos: int) -> dict[str, Any]:
    """One timed run and the digests by the checkout at `src`, in a child process."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--repos", str(repos), "--repeat", "1", "--child"]
    out = subprocess.run(cmd, env=env, cwd=src, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best counts")
    parser.add_argument("--compare", type=Path, metavar="DIR", help="also time the checkout in DIR; check equal")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        best, cpu = measure(args.repos, 1)
        rules = load_rules(builtin_rules_dir())
        signals = _signals(rules)
        plain = [(f, {}) for f in synthetic_findings(signals, args.repos)]
        digests = [_digest(rules, plain), _digest(rules, varied_findings(signals, args.repos))]
        print(json.dumps({"wall": best, "cpu": cpu, "digests": digests}))
        return 0
    if args.compare:
        runs: dict[str, list[dict[str, Any]]] = {"this": [], "base": []}
        for _ in range(args.repeat):
            runs["this"].append(child(ROOT, args.repos))
            runs["base"].append(child(args.compare.resolve(), args.repos))
        same = runs["this"][0]["digests"] == runs["base"][0]["digests"]
        this_cpu, base_cpu = (min(r["cpu"] for r in runs[k]) for k in ("this", "base"))
        best = min(r["wall"] for r in runs["this"])
        print(f"levels reached (this checkout): {runs['this'][0]['digests']}")
        print(f"this checkout, best of {args.repeat}: {best:.3f} s ({this_cpu:.3f} s CPU)")
        print(f"{args.compare}: {min(r['wall'] for r in runs['base']):.3f} s ({base_cpu:.3f} s CPU)")
        print(f"CPU ratio {base_cpu / this_cpu:.2f}x; assessments identical: {'yes' if same else 'NO'}")
        print(f"rules: repos={args.repos} eval_s={best:.3f}")
        return 0 if same else 1
    rules = load_rules(builtin_rules_dir())
    signals = _signals(rules)
    best, cpu = measure(args.repos, args.repeat)
    criteria = sum(len(d.criteria) for a in rules.areas.values() for d in a.dimensions.values())
    print(f"rules: {len(rules.areas)} areas, {criteria} criteria over {len(signals)} signals")
    print(f"findings: {len(signals) * args.repos} ({len(signals)} per repo)")
    print(f"assess {args.repos} repos and roll up the estate (best of {args.repeat}): {best:.3f} s ({cpu:.3f} s CPU)")
    print(f"rules: repos={args.repos} eval_s={best:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
