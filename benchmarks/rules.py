"""Benchmark: rule evaluation alone, over N repos' worth of synthetic findings.

Each repo gets one finding per signal the built-in probes emit (the real signals the rules read), with
a seeded mix of outcomes (true with 1-5 locations, false, not_available, error) and confidences; the
timed part is what the runner does after the probes: `assess_scope` for every repo and the estate
roll-up. Run: `.venv/bin/python -m benchmarks.rules --repos 1000`.
"""

from __future__ import annotations

import argparse
import random
import time

from scanner.engine.assess import assess_scope
from scanner.engine.rollup import rollup
from scanner.engine.rules import builtin_rules_dir, load_rules
from scanner.model import Finding, Location, Outcome
from scanner.registry import load_probes

OUTCOMES = (Outcome.TRUE, Outcome.TRUE, Outcome.FALSE, Outcome.FALSE, Outcome.NOT_AVAILABLE, Outcome.ERROR)
CONFIDENCES = ("low", "medium", "high")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best counts")
    args = parser.parse_args(argv)
    rules = load_rules(builtin_rules_dir())
    emitted = {s for p in load_probes() for s in p.emits}
    signals = sorted(emitted | {s for s in rules.signals() if not s.endswith(".*")})
    per_repo = synthetic_findings(signals, args.repos)
    best = cpu = float("inf")
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        assessments = [assess_scope(f[0].subject, rules, f, {}) for f in per_repo]
        rollup("org:bench", rules, assessments)
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)  # the steadier figure on a shared machine
    criteria = sum(len(d.criteria) for a in rules.areas.values() for d in a.dimensions.values())
    print(f"rules: {len(rules.areas)} areas, {criteria} criteria over {len(signals)} signals")
    print(f"findings: {len(signals) * args.repos} ({len(signals)} per repo)")
    print(f"assess {args.repos} repos and roll up the estate (best of {args.repeat}): {best:.3f} s ({cpu:.3f} s CPU)")
    print(f"rules: repos={args.repos} eval_s={best:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
