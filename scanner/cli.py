"""The `aiops-scan` command line (see ARCHITECTURE.md, "Command line").

Exit codes: 0 done; 1 a --fail-below gate failed; 2 bad usage, configuration or rules; 3 done, but
some targets could not be scanned (the evidence JSON says which and why).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from scanner import __version__
from scanner.engine.rules import RulesError, RuleSet, builtin_rules_dir, load_rules
from scanner.ids import find_dimension
from scanner.registry import RegistryError, load_probes, signals
from scanner.signals import EXTERNAL_SIGNALS
from scanner.targets import UsageError

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aiops-scan",
        description="Gather evidence about ML and LLM practice and infer AIOps maturity levels.",
    )
    parser.add_argument("--version", action="version", version=f"aiops-scan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    scan = sub.add_parser("scan", help="scan repos or folders of repos")
    scan.add_argument("targets", nargs="+", metavar="TARGET", help="a git repo, or a folder whose children are repos")
    _scan_options(scan)

    demo = sub.add_parser("demo", help="scan the bundled demo estate (offline)")
    demo.add_argument("--out", type=Path, default=Path("aiops-demo"), help="output folder (default: ./aiops-demo)")
    demo.add_argument("--quiet", action="store_true")

    explain = sub.add_parser("explain", help="why a dimension got its level")
    explain.add_argument("evidence", type=Path)
    explain.add_argument("dimension", help="DIMENSION_ID or AREA_ID.DIMENSION_ID")
    explain.add_argument("--scope", help="a target id or org:NAME (default: the estate, or the only repo)")

    sub.add_parser("probes", help="list every probe and the signals it emits")
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
    parser.add_argument("--window-days", type=int, default=365, help="history window in days (default 365)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _load(rules_dir: Path | None) -> tuple[list[Any], RuleSet]:
    probes = load_probes()
    known = set(signals(probes)) | set(EXTERNAL_SIGNALS)
    return probes, load_rules(rules_dir or builtin_rules_dir(), known)


def _err(message: str) -> None:
    print(f"aiops-scan: {message}", file=sys.stderr)


def cmd_scan(args: argparse.Namespace, target_specs: list[str] | None = None) -> tuple[int, dict[str, Any]]:
    from scanner.reporters.console import render_summary
    from scanner.reporters.evidence import dumps, evidence_document, write_atomic
    from scanner.runner import ScanOptions, scan
    from scanner.sources import build_sources
    from scanner.targets import resolve_targets

    probes, rules = _load(getattr(args, "rules", None))
    targets = resolve_targets(target_specs or args.targets)
    sources = build_sources({"mlflow": getattr(args, "mlflow", []), "catalog": getattr(args, "catalog", [])})
    console = Console(stderr=False, highlight=False)
    progress = None if args.quiet else (lambda name: console.print(f"scanning {name} ...", style="dim", markup=False))
    opts = ScanOptions(
        window_days=getattr(args, "window_days", 365),
        rules_dir=str(args.rules) if getattr(args, "rules", None) else "built-in",
        progress=progress,
    )
    result = scan(targets, probes, rules, opts, sources)
    document = evidence_document(result)
    if getattr(args, "json", None):
        write_atomic(args.json, dumps(document))
    if not args.quiet:
        render_summary(document, console)
        if getattr(args, "json", None):
            console.print(f"evidence written to {args.json}", markup=False)
    return (EXIT_PARTIAL if result.incomplete else EXIT_OK), document


def cmd_demo(args: argparse.Namespace) -> int:
    from scanner.estate import build_estate
    from scanner.reporters.console import render_summary

    fixtures = _fixtures_dir()
    out: Path = args.out
    estate = build_estate(fixtures, out)
    args.json, args.rules, args.window_days = out / "evidence.json", None, 365
    args.mlflow, args.catalog = [str(_demo_mlflow_store(fixtures.parent / "mlflow" / "mlruns", out))], []
    code, document = cmd_scan(args, [str(estate)])
    buffer = io.StringIO()
    render_summary(document, Console(file=buffer, width=120, color_system=None))
    (out / "summary.txt").write_text(buffer.getvalue(), encoding="utf-8")
    if not args.quiet:
        print(f"summary written to {out / 'summary.txt'}")
    return code


def _demo_mlflow_store(bundled: Path, out: Path) -> Path:
    """A fresh copy of the bundled MLflow file store, so that the demo never touches the package."""
    import shutil

    store = out / "mlflow" / "mlruns"
    if store.exists():
        shutil.rmtree(store)
    shutil.copytree(bundled, store)
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
    document = load_evidence(args.evidence)
    scopes = {a["scope"]: a for a in document["assessments"]}
    scope = args.scope
    if scope is None:
        orgs = [s for s in scopes if s.startswith("org:")]
        scope = orgs[0] if len(orgs) == 1 else next(iter(scopes)) if len(scopes) == 1 else None
    if scope not in scopes:
        _err(f"choose a scope with --scope: {', '.join(sorted(scopes)) or '(none)'}")
        return EXIT_USAGE
    render_explain(document, scopes[scope], area, dim, Console(highlight=False))
    return EXIT_OK


def cmd_probes(_: argparse.Namespace) -> int:
    console = Console(highlight=False)
    for spec in load_probes():
        console.print(f"{spec.id}  [{', '.join(sorted(spec.needs))}]  ({spec.source})", style="bold", markup=False)
        console.print(f"    {spec.summary}", markup=False)
        extra = [s for s in spec.emits if s != spec.id]
        if extra or len(spec.emits) > 1:
            console.print(f"    emits: {', '.join(spec.emits)}", markup=False)
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    if args.check:
        _, rules = _load(args.check)
        count = sum(len(d.criteria) for a in rules.areas.values() for d in a.dimensions.values())
        print(f"{args.check}: ok ({len(rules.areas)} areas, {count} criteria)")
        return EXIT_OK
    _, rules = _load(None)
    for area in rules.areas.values():
        print(f"{area.id}: {area.title}")
        for dim in area.dimensions.values():
            print(f"  {dim.id}: {dim.title}")
            for crit in dim.criteria:
                print(f"    {crit.level:<10} {crit.id.split('.')[-1]}: {crit.text}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {
        "scan": lambda a: cmd_scan(a)[0],
        "demo": cmd_demo,
        "explain": cmd_explain,
        "probes": cmd_probes,
        "rules": cmd_rules,
    }
    try:
        return int(handlers[args.command](args))
    except RulesError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        _err(f"{len(exc.problems)} problem(s) in the rules")
        return EXIT_USAGE
    except (RegistryError, UsageError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    except (OSError, ValueError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
