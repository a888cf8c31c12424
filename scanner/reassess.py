"""`aiops-scan assess EVIDENCE`: the rules applied again to the findings of a saved scan, without rescanning.

Policy apart from raw facts: the findings, targets, timestamps and stats of the evidence stay those of the
scan that gathered them; the assessments are recomputed with the rules given (`--rules DIR`, default the
built-in rules) and the attestations given (`--attestations FILE`), through the same code as a scan
(`runner.assess_findings`). With the rules the scan used and no other change, the evidence JSON written is
the scan's, byte for byte. Only `config.rules` (the rules applied), `config.attestations`, the fingerprint
of a shard's evidence (`config.shard.fingerprint`: its rules part, so that `merge --rules` takes parts
re-assessed with those rules), the attestation findings and `stats.findings` (their count) follow the
re-assessment.

Attestation findings in the evidence are the earlier policy's input, not observed facts: they are set aside,
and the attestations of `--attestations` (if any) are applied as a scan applies them.

Evidence whose findings cite signals that neither the rules nor the installed probes know is refused
(exit 2), naming them: evidence of another scanner version or of a plugin that is not installed would
otherwise be assessed as if those facts had not been observed. Renamed signals (probe aliases) are read
under their current ids.
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from scanner.attestations import PROBE as ATTESTATION_PROBE
from scanner.engine.rules import RuleSet, builtin_rules_dir
from scanner.model import Finding
from scanner.probedef import ProbeSpec
from scanner.runner import UNDECLARED, Attest, assess_findings, missing_reasons, no_attestations
from scanner.signals import known_signals
from scanner.targets import Target, UsageError

MAX_NAMED = 20


class UnknownSignals(UsageError):
    """Evidence citing signals the rules and the installed probes do not know."""


def unknown_signals(document: dict[str, Any], rules: RuleSet, probes: list[ProbeSpec]) -> list[str]:
    """Signals the evidence's findings cite that neither the rules nor the probes (and their aliases) know."""
    known = known_signals(probes) | rules.signals()
    families = tuple(s[:-1] for s in known if s.endswith(".*"))
    cited = {
        f["signal"]
        for f in document["findings"]
        if f["probe"] != ATTESTATION_PROBE and not f["signal"].endswith(UNDECLARED)
    }
    return sorted(s for s in cited if s not in known and not s.startswith(families))


def check_signals(path: Path, document: dict[str, Any], rules: RuleSet, probes: list[ProbeSpec]) -> None:
    unknown = unknown_signals(document, rules, probes)
    if unknown:
        named = ", ".join(unknown[:MAX_NAMED]) + (
            f" and {len(unknown) - MAX_NAMED} more" if len(unknown) > MAX_NAMED else ""
        )
        raise UnknownSignals(
            f"{path}: findings cite {len(unknown)} signal(s) that these rules and the installed probes do not "
            f"know: {named} (evidence of another scanner version or of a plugin not installed?)"
        )


def reassess(
    document: dict[str, Any],
    rules: RuleSet,
    probes: list[ProbeSpec],
    rules_label: str = "built-in",
    attest: Attest = no_attestations,
    attestations: int = 0,
    fingerprint: str | None = None,
) -> dict[str, Any]:
    """The evidence document with its assessments recomputed from its findings (see the module docstring).
    `fingerprint`: the scan fingerprint with the rules applied, which a shard's evidence records."""
    from scanner.reporters.evidence import evidence_order

    targets = [Target.from_json(t) for t in document["targets"]]
    findings = [Finding.from_json(f) for f in document["findings"] if f["probe"] != ATTESTATION_PROBE]
    kinds = {t.id: t.kind for t in targets if t.kind != "repo"}  # organisation-wide sources
    shared = [f for f in findings if f.subject in kinds]
    scopes = {a["scope"] for a in document["assessments"]}
    repos = [t for t in targets if t.kind == "repo" and t.id in scopes]  # the repos the scan assessed
    by_repo: dict[str, list[Finding]] = {t.id: [] for t in repos}
    for finding in findings:
        if finding.subject in by_repo:
            by_repo[finding.subject].append(finding)
    estates = {f"org:{t.estate}" for t in targets if t.estate}
    orgs = sorted(s.removeprefix("org:") for s in scopes if s.startswith("org:") and s not in estates)
    attested, assessments = assess_findings(
        repos, by_repo, shared, kinds, rules, missing_reasons(rules, probes), attest, orgs[0] if orgs else None
    )
    config = {k: v for k, v in document["config"].items() if k != "attestations"}
    config["rules"] = rules_label
    if attestations:
        config["attestations"] = attestations
    if "shard" in config and fingerprint is not None:  # what `merge --rules` checks the parts against
        config["shard"] = {**config["shard"], "fingerprint": fingerprint}
    all_findings = findings + attested
    new_findings, new_assessments = evidence_order(all_findings, assessments)
    stats = {**document["stats"], "findings": len(all_findings)}
    return {**document, "config": config, "findings": new_findings, "assessments": new_assessments, "stats": stats}


def assess_command(args: argparse.Namespace) -> int:
    """Exit codes as `scan`: 0 done; 1 a --fail-below gate failed; 2 bad usage, rules or evidence;
    3 done, but the evidence says some targets could not be scanned."""
    from scanner.attestations import Attestation, for_scope, load_attestations
    from scanner.cli import EXIT_GATE, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, _load
    from scanner.cli_checks import check_outputs, check_readable, check_writable
    from scanner.fingerprint import evidence_fingerprint
    from scanner.gates import evaluate_gate
    from scanner.outputs import baseline_diff, write_outputs
    from scanner.registry import aliases
    from scanner.reporters.evidence import load_evidence
    from scanner.termsafe import clean

    # everything that can be checked is checked before any work (exit 2, one line naming the file/option)
    check_readable({"--rules": args.rules, "--attestations": args.attestations, "--baseline": args.baseline})
    outputs = {f: getattr(args, f) for f in ("json", "html", "markdown", "sarif")}
    inputs = {
        "evidence": [args.evidence],
        "rules": sorted(Path(args.rules or builtin_rules_dir()).glob("*.yml")),
        "attestations": [args.attestations] if args.attestations else [],
        "baseline": [args.baseline] if args.baseline else [],
    }
    check_outputs({f"--{f}": p for f, p in outputs.items()}, inputs)
    check_writable({f"--{f}": p for f, p in outputs.items()})
    start = time.perf_counter()
    probes, rules = _load(args.rules)
    attestations: list[Attestation] = []
    if args.attestations:
        attestations, warnings = load_attestations(args.attestations, rules)
        for warning in warnings:
            print(f"aiops-scan: warning: {clean(warning, newlines=False)}", file=sys.stderr)
    renamed = aliases(probes)
    saved = load_evidence(args.evidence, renamed)
    baseline = load_evidence(args.baseline, renamed) if args.baseline else None
    check_signals(args.evidence, saved, rules, probes)
    if saved["config"].get("attestations") and not attestations:
        print(
            f"aiops-scan: warning: {clean(str(args.evidence), newlines=False)} was assessed with "
            f"{saved['config']['attestations']} attestation(s): give --attestations FILE to apply them again",
            file=sys.stderr,
        )
    document = reassess(
        saved,
        rules,
        probes,
        str(args.rules) if args.rules else "built-in",
        partial(for_scope, attestations) if attestations else no_attestations,
        len(attestations),
        evidence_fingerprint(args.rules, saved),
    )
    elapsed = time.perf_counter() - start
    gate = evaluate_gate(document, args.fail_below, {}) if args.fail_below else None
    written, problems = write_outputs(document, outputs, baseline_diff(baseline, document), gate)
    if not args.quiet:
        _print_summary(args, saved, document, written, elapsed)
    for problem in problems:
        print(f"aiops-scan: {clean(problem, newlines=False)}", file=sys.stderr)
    if problems:
        return EXIT_USAGE
    if gate is not None:
        stream = sys.stdout if gate["passed"] else sys.stderr
        if not gate["passed"] or not args.quiet:
            for line in gate["messages"]:
                print(clean(f"gate: {line}", newlines=False), file=stream)
        if not gate["passed"]:
            return EXIT_GATE
    return EXIT_PARTIAL if any(t["status"] == "error" for t in document["targets"]) else EXIT_OK


def _print_summary(
    args: argparse.Namespace, saved: dict[str, Any], document: dict[str, Any], written: list[Path], elapsed: float
) -> None:
    """The level matrix, what these rules change against the evidence's own assessments, the files written."""
    from scanner.cli import _printable
    from scanner.reporters.console import render_summary
    from scanner.reporters.diff import change_label, diff_documents
    from scanner.termsafe import clean, terminal_console

    console = terminal_console(stderr=False)
    if not written:  # nothing written: the levels are the answer
        render_summary(_printable(document), console)
    changes = diff_documents(saved, document)["levels"]
    rules = document["config"]["rules"]
    console.print(
        clean(
            f"re-assessed {len(document['assessments'])} scope(s) with the rules {rules} in {elapsed:.2f} s: "
            f"{len(changes)} level(s) differ from {args.evidence}"
        ),
        markup=False,
        soft_wrap=True,
    )
    marks = {"rose": "+", "fell": "-", "changed": "~"}
    for change in changes:
        console.print(clean(f"  {marks[change['change']]} {change_label(change)}"), markup=False, soft_wrap=True)
    for path in written:
        console.print(clean(f"written: {path}"), markup=False, soft_wrap=True)
