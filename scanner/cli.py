"""The `aiops-scan` command line (README.md, "Usage").

Exit codes: 0 done; 1 a --fail-below gate failed; 2 bad usage, configuration or rules; 3 done, but
some targets could not be scanned (the evidence JSON says which and why).
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import sys
from functools import partial
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.engine.rules import RulesError, RuleSet, builtin_rules_dir, load_rules
from scanner.ids import LEVELS, find_dimension
from scanner.registry import RegistryError, aliases, current_aliases, load_probes
from scanner.reporters.progress import progress_bar
from scanner.signals import known_signals
from scanner.targets import UsageError
from scanner.termsafe import clean, clean_tree, terminal_console

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aiops-scan",
        description="Gather evidence about ML and LLM practice and infer AIOps maturity levels.",
    )
    parser.add_argument("--version", action="version", version=f"aiops-scan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    scan = sub.add_parser("scan", help="scan repos or folders of repos")
    scan.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="a git repo, a folder whose children are repos, github:ORG or github:ORG/REPO (or: --config)",
    )
    _scan_options(scan)
    _report_options(scan)
    scan.add_argument("--config", type=Path, metavar="FILE", help="read options from FILE (aiops-scan.yaml)")
    scan.add_argument("--attestations", type=Path, metavar="FILE", help="team statements for unobservable criteria")
    scan.add_argument("--fail-below", choices=LEVELS, metavar="LEVEL", help="exit 1 when an assessed area is below")

    demo = sub.add_parser("demo", help="scan the bundled demo estate (offline)")
    demo.add_argument("--out", type=Path, default=Path("aiops-demo"), help="output folder (default: ./aiops-demo)")
    demo.add_argument("--quiet", action="store_true")

    explain = sub.add_parser("explain", help="why a dimension got its level")
    explain.add_argument("evidence", type=Path)
    explain.add_argument("dimension", help="DIMENSION_ID or AREA_ID.DIMENSION_ID")
    explain.add_argument("--scope", help="a target id or org:NAME (default: the estate, or the only repo)")

    report = sub.add_parser("report", help="render reports from a saved evidence file (no rescanning)")
    report.add_argument("evidence", type=Path)
    _report_options(report)

    assess = sub.add_parser("assess", help="apply the rules again to a saved evidence file's findings (no rescanning)")
    assess.add_argument("evidence", type=Path, metavar="EVIDENCE", help="the evidence JSON of an earlier scan")
    assess.add_argument(
        "--rules", type=Path, metavar="DIR", help="use the rule files in DIR instead of the built-in rules"
    )
    assess.add_argument("--attestations", type=Path, metavar="FILE", help="team statements for unobservable criteria")
    assess.add_argument("--json", type=Path, metavar="FILE", help="write the re-assessed evidence JSON to FILE")
    assess.add_argument("--fail-below", choices=LEVELS, metavar="LEVEL", help="exit 1 when an assessed area is below")
    assess.add_argument("--quiet", action="store_true", help="print nothing but errors")
    _report_options(assess)

    diff = sub.add_parser("diff", help="what changed between two evidence files")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument("--json", type=Path, metavar="FILE", help="write the diff as JSON to FILE")

    merge = sub.add_parser(
        "merge", help="combine the evidence of `scan --shard K/N` runs into one (roll-ups recomputed)"
    )
    merge.add_argument("parts", nargs="+", type=Path, metavar="PART", help="the evidence JSON of each shard")
    merge.add_argument("--json", type=Path, metavar="FILE", required=True, help="write the merged evidence to FILE")
    merge.add_argument(
        "--rules", type=Path, metavar="DIR", help="the rules the shards were scanned or assessed with (if not built-in)"
    )
    merge.add_argument(
        "--allow-missing", action="store_true", help="merge even if shards are missing (then exit 3, not 0)"
    )
    merge.add_argument("--fail-below", choices=LEVELS, metavar="LEVEL", help="exit 1 when an assessed area is below")
    merge.add_argument("--quiet", action="store_true")
    _report_options(merge)

    from scanner.probelist import add_parser as add_probes_parser

    add_probes_parser(sub)
    rules = sub.add_parser("rules", help="list the rules, or check a rules folder")
    rules.add_argument("--check", type=Path, metavar="DIR", help="validate the rule files in DIR")
    return parser


def _scan_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules", type=Path, metavar="DIR", help="use the rule files in DIR instead of the built-in rules"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the evidence JSON to FILE")
    parser.add_argument(
        "--mlflow",
        action="append",
        default=[],
        metavar="URI",
        help="an MLflow tracking server or local store to read (repeatable)",
    )
    parser.add_argument(
        "--catalog",
        action="append",
        default=[],
        metavar="KIND=URL",
        help="a data catalog to read, e.g. dbt=PATH (repeatable)",
    )
    parser.add_argument("--window-days", type=int, help="history window in days (default 365)")
    parser.add_argument(
        "--now",
        metavar="DATE",
        help="the scan's clock for time windows (e.g. deployments in the last 90 days), to reproduce a past "
        "audit: YYYY-MM-DD (00:00 UTC) or an ISO 8601 date-time (UTC unless it gives an offset); "
        "default: the scan's start",
    )
    parser.add_argument("--jobs", type=int, metavar="N", help="repos scanned concurrently (default 4)")
    _github_options(parser)
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--html", type=Path, metavar="FILE", help="write a self-contained HTML report to FILE")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write a Markdown summary to FILE")
    parser.add_argument("--sarif", type=Path, metavar="FILE", help="write SARIF 2.1.0 (unmet criteria) to FILE")
    parser.add_argument("--baseline", type=Path, metavar="FILE", help="an earlier evidence JSON: show what changed")


def _github_options(parser: argparse.ArgumentParser) -> None:
    gh = parser.add_argument_group("GitHub (targets github:ORG and github:ORG/REPO; token from GITHUB_TOKEN)")
    gh.add_argument(
        "--github-url", metavar="URL", help="API base, e.g. https://HOST/api/v3 for GitHub Enterprise Server"
    )
    gh.add_argument("--cache-dir", type=Path, metavar="DIR", help="clone and API cache (default ./.aiops-scan-cache)")
    gh.add_argument("--include", action="append", default=[], metavar="GLOB", help="only repos whose name matches")
    gh.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip repos whose name matches")
    gh.add_argument("--topic", action="append", default=[], metavar="TOPIC", help="only repos with this topic")
    gh.add_argument("--include-archived", action="store_true", help="also scan archived repos")
    gh.add_argument("--include-forks", action="store_true", help="also scan forks")
    gh.add_argument("--max-repos", type=int, default=0, metavar="N", help="scan at most N repos (for trials)")
    gh.add_argument(
        "--team-role",
        action="append",
        default=[],
        metavar="SLUG=ROLE",
        help="map a team to a role (DS, DE, SE, OPS, PROMPT; OTHER: no role) instead of guessing from its name",
    )
    gh.add_argument(
        "--shard",
        metavar="K/N",
        help="scan only shard K of N of the organisation's repos (stable hash of each repo's full name); "
        "combine the shards with `aiops-scan merge`",
    )
    gh.add_argument("--api-budget", type=int, default=5000, metavar="POINTS", help="REST calls + GraphQL points")
    gh.add_argument("--max-wait", type=float, default=300.0, metavar="SECONDS", help="total rate-limit wait allowed")


def _load(rules_dir: Path | None) -> tuple[list[Any], RuleSet]:
    probes = load_probes()
    return probes, load_rules(rules_dir or builtin_rules_dir(), known_signals(probes), aliases(probes))


def _err(message: str) -> None:
    print(f"aiops-scan: {clean(message, newlines=False)}", file=sys.stderr)


def cmd_scan(args: argparse.Namespace, target_specs: list[str] | None = None) -> tuple[int, dict[str, Any]]:
    from scanner.attestations import Attestation, for_scope, load_attestations
    from scanner.cli_checks import (
        check_clock,
        check_local_sources,
        check_options,
        check_outputs,
        check_readable,
        check_writable,
        scan_inputs,
    )
    from scanner.collectors.catalogs.repo_artifacts import attach_dbt_artifacts
    from scanner.collectors.git_url import url_target
    from scanner.config import Config, apply_github, load_config
    from scanner.fingerprint import scan_fingerprint
    from scanner.gates import evaluate_gate
    from scanner.outputs import baseline_diff, write_outputs
    from scanner.reporters.console import render_summary
    from scanner.reporters.diff import text_lines
    from scanner.reporters.evidence import evidence_document, load_evidence
    from scanner.runner import ScanOptions, scan, utc_text
    from scanner.sources import build_sources
    from scanner.targets import check_local_targets, resolve_targets

    # Everything that can be checked is checked before scanning (exit 2, one line naming the file/option).
    check_options(args)
    now = check_clock(getattr(args, "now", None))
    check_readable({"--config": getattr(args, "config", None)})
    cfg = load_config(args.config) if getattr(args, "config", None) else Config()
    opt = lambda name: getattr(args, name, None)  # noqa: E731 - options absent from `demo` read as None
    rules_dir = opt("rules") or cfg.rules
    attestations_file: Path | None = opt("attestations") or cfg.attestations
    baseline_file: Path | None = opt("baseline") or cfg.baseline
    check_readable({"--rules": rules_dir, "--attestations": attestations_file, "--baseline": baseline_file})
    probes, rules = _load(rules_dir)
    specs = target_specs or opt("targets") or cfg.targets
    if not specs:
        raise UsageError("no targets: give TARGET... or `targets:` in the --config file")
    check_local_targets(specs)
    attestations: list[Attestation] = []
    warnings: list[str] = []
    if attestations_file:
        attestations, warnings = load_attestations(attestations_file, rules)
    baseline = load_evidence(baseline_file, aliases(probes)) if baseline_file else None
    mlflow, catalog = opt("mlflow") or cfg.mlflow, opt("catalog") or cfg.catalog
    outputs = {f: opt(f) or cfg.outputs.get(f) for f in ("json", "html", "markdown", "sarif")}
    inputs = scan_inputs(
        specs, getattr(args, "config", None), rules_dir or builtin_rules_dir(), attestations_file, baseline_file,
        mlflow, catalog,
    )  # fmt: skip
    check_local_sources(mlflow, catalog)
    check_outputs({f"--{f}": p for f, p in outputs.items()}, inputs)
    check_writable({f"--{f}": p for f, p in outputs.items()})
    for warning in warnings:
        _err(f"warning: {warning}")
    apply_github(args, cfg.github)
    github = _github_planner(args, specs)
    if opt("shard") and github is None:
        raise UsageError("--shard applies to github:ORG targets only")
    cache_dir = opt("cache_dir")
    targets = resolve_targets(
        specs, remote=github.plan if github else None, git_url=lambda url: url_target(url, cache_dir)
    )
    attach_dbt_artifacts(targets)  # dbt artifacts inside a repo are that repo's catalog
    sources = build_sources({"mlflow": mlflow, "catalog": catalog})
    if github:
        sources = github.sources() + sources
    console = terminal_console(stderr=False)
    window_days = _first(opt("window_days"), cfg.window_days, 365)
    opts = ScanOptions(
        window_days=window_days,
        rules_dir=str(rules_dir) if rules_dir else "built-in",
        attest=partial(for_scope, attestations),
        jobs=_first(opt("jobs"), cfg.jobs, 4),
        repo_deadline_s=cfg.repo_deadline_s or 600.0,
        fingerprint=scan_fingerprint(rules_dir, window_days, utc_text(now) if now else None),
        now=now,
    )
    total = len(sources) + sum(1 for t in targets if t.status == "ok")
    with progress_bar(console, total, args.quiet, opts):
        result = scan(targets, probes, rules, opts, sources)
    document = evidence_document(result)
    if attestations:
        document["config"]["attestations"] = len(attestations)
    if github is not None and github.opts.shard:  # what `aiops-scan merge` checks the parts against
        index, count = github.opts.shard
        document["config"]["shard"] = {"index": index, "count": count, "fingerprint": opts.fingerprint}
    problems: list[str] = []
    diff = None
    if baseline is not None:
        try:
            diff = baseline_diff(baseline, document)
        except Exception as exc:  # the evidence is still written
            problems.append(f"{baseline_file}: cannot compare with the baseline: {type(exc).__name__}: {exc}")
    fail_below = opt("fail_below") or cfg.fail_below
    gate = evaluate_gate(document, fail_below, cfg.area_gates) if fail_below or cfg.area_gates else None
    written, errors = write_outputs(document, outputs, diff, gate)
    problems += errors
    if not args.quiet:
        render_summary(_printable(document), console)
        for line in text_lines(clean_tree(diff)) if diff else []:
            console.print(line, markup=False)
        for path in written:
            console.print(clean(f"written: {path}"), markup=False)
    for problem in problems:
        _err(problem)
    if problems:
        return EXIT_USAGE, document
    if gate is not None and not gate["passed"]:
        for line in gate["messages"]:
            _err(f"gate: {line}")
        return EXIT_GATE, document
    if gate is not None and not args.quiet:
        console.print(clean("\n".join(f"gate: {line}" for line in gate["messages"])), markup=False)
    return (EXIT_PARTIAL if result.incomplete else EXIT_OK), document


def _printable(document: dict[str, Any]) -> dict[str, Any]:
    """What the summary prints, cleaned of control sequences (findings are only counted, not printed)."""
    return {**document, "assessments": clean_tree(document["assessments"]), "targets": clean_tree(document["targets"])}


def _first(*values: int | None) -> int:
    """The first value set (0 is a value: the checks reject it rather than replace it)."""
    return next(v for v in values if v is not None)


def _github_planner(args: argparse.Namespace, specs: list[str]) -> Any:
    if not any(s.startswith("github:") for s in specs):
        return None
    from scanner.collectors.github.plan import planner_from_args

    return planner_from_args(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from scanner.estate import build_estate
    from scanner.reporters.console import render_summary
    from scanner.reporters.evidence import write_atomic

    fixtures = _fixtures_dir()
    out: Path = args.out
    estate = build_estate(fixtures, out)
    args.json, args.html, args.markdown = out / "evidence.json", out / "report.html", out / "summary.md"
    dbt = fixtures.parent / "catalogs" / "dbt" / "artifacts"  # the estate's dbt artifacts, an offline catalog
    args.catalog = [f"dbt={dbt}"] if (dbt / "manifest.json").is_file() else []
    args.mlflow = [str(_demo_mlflow_store(fixtures.parent / "mlflow" / "mlruns", out))]
    code, document = cmd_scan(args, [str(estate)])
    buffer = io.StringIO()
    render_summary(_printable(document), terminal_console(file=buffer, width=120, color_system=None))
    write_atomic(out / "summary.txt", buffer.getvalue())
    if not args.quiet:
        print(clean(f"summary written to {out / 'summary.txt'}"))
    return code


def _demo_mlflow_store(bundled: Path, out: Path) -> Path:
    """A fresh copy of the bundled MLflow file store, so that the demo never touches the package. An
    existing `OUT/mlflow/mlruns` is replaced only if an earlier demo made it (its marker is there)."""
    import shutil

    from scanner.estate import MARKER, clear_built

    store = out / "mlflow" / "mlruns"
    marker = out / "mlflow" / f".{MARKER}"
    clear_built(store, marker.is_file() and not (out / "mlflow").is_symlink())
    shutil.copytree(bundled, store)
    marker.write_text("the demo's copy of the bundled MLflow store: replaced by each `aiops-scan demo`\n")
    return store


def _fixtures_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "fixtures" / "repos", here / "_data" / "fixtures" / "repos"):
        if candidate.is_dir():
            return candidate
    raise UsageError("the bundled demo fixtures were not found")


def cmd_explain(args: argparse.Namespace) -> int:
    from scanner.reporters.console import render_explain
    from scanner.reporters.evidence import load_evidence

    try:
        area, dim = find_dimension(args.dimension)
    except KeyError:
        _err(f"unknown dimension {args.dimension!r}; try e.g. llmops.prompt_management or prompt_management")
        return EXIT_USAGE
    document = load_evidence(args.evidence, current_aliases())
    scopes = {a["scope"]: a for a in document["assessments"]}
    scope = args.scope
    if scope is None:
        orgs = [s for s in scopes if s.startswith("org:")]
        scope = orgs[0] if len(orgs) == 1 else next(iter(scopes)) if len(scopes) == 1 else None
    if scope not in scopes:
        _err(f"choose a scope with --scope: {', '.join(sorted(scopes)) or '(none)'}")
        return EXIT_USAGE
    if dim not in scopes[scope]["areas"].get(area, {}).get("dimensions", {}):
        _err(f"{args.evidence}: scope {scope} has no dimension {area}.{dim}")
        return EXIT_USAGE
    render_explain(clean_tree(document), clean_tree(scopes[scope]), area, dim, terminal_console())
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    if args.check:
        _, rules = _load(args.check)
        count = sum(len(d.criteria) for a in rules.areas.values() for d in a.dimensions.values())
        print(clean(f"{args.check}: ok ({len(rules.areas)} areas, {count} criteria)"))
        return EXIT_OK
    _, rules = _load(None)
    for area in rules.areas.values():
        print(f"{area.id}: {area.title}")
        for dim in area.dimensions.values():
            print(f"  {dim.id}: {dim.title}")
            for crit in dim.criteria:
                print(f"    {crit.level:<10} {crit.id.split('.')[-1]}: {crit.text}")
    return EXIT_OK


def _lazy(name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        from scanner import outputs

        return int(getattr(outputs, name)(args))

    return run


def _probes(args: argparse.Namespace) -> int:
    from scanner.probelist import probes_command

    return probes_command(args)


def _assess(args: argparse.Namespace) -> int:
    from scanner.reassess import assess_command

    return assess_command(args)


def _merge(args: argparse.Namespace) -> int:
    from scanner.merge import merge_command

    return merge_command(args)


def main(argv: list[str] | None = None) -> int:
    # A scan builds millions of small, long-lived objects (syntax facts of every file): the default
    # cyclic-GC thresholds make it re-scan them constantly, which doubled the time of large repos.
    gc.set_threshold(50_000, 20, 100)
    from scanner import interrupt

    if argv is None:  # run as a program: SIGTERM/SIGINT exit at once, this run's temporary files removed
        interrupt.install(hard=True)
        from scanner.collectors import gitcli

        interrupt.on_interrupt(lambda: gitcli.terminate_children(grace_s=1.0))  # clones die with the run
    args = _parser().parse_args(argv)
    handlers = {
        "scan": lambda a: cmd_scan(a)[0],
        "demo": cmd_demo,
        "explain": cmd_explain,
        "report": _lazy("report_command"),
        "assess": _assess,
        "diff": _lazy("diff_command"),
        "merge": _merge,
        "probes": _probes,
        "rules": cmd_rules,
    }
    try:
        return int(handlers[args.command](args))
    except RulesError as exc:
        for line in exc.problems:
            print(clean(line, newlines=False), file=sys.stderr)
        _err(f"{len(exc.problems)} problem(s) in {getattr(exc, 'what', 'the rules')}")
        return EXIT_USAGE
    except (RegistryError, UsageError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    except (OSError, ValueError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        interrupt.cleanup()
        _err("terminated" if isinstance(exc, interrupt.Terminated) else "interrupted")
        return interrupt.exit_code(exc)
    except Exception as exc:  # a bug: never exit 1, which means "the gate failed"
        import traceback

        interrupt.cleanup()
        if os.environ.get("AIOPS_SCAN_DEBUG"):
            traceback.print_exc()
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        _err(f"internal error: {type(exc).__name__}: {exc} (at {where}; AIOPS_SCAN_DEBUG=1 shows the traceback)")
        return EXIT_USAGE
