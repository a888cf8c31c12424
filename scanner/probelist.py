"""`aiops-scan probes`: the probe definitions as a table, or as JSON (`--json`), with the file defining each.

`--lifecycle` keeps the probes of one lifecycle; `--signal` keeps the probes emitting a signal (a glob such
as `gh.*` matches several; an alias of a renamed signal finds the probe that emits it now).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys

from scanner.aliases import resolve
from scanner.probedef import LIFECYCLES, ProbeSpec
from scanner.registry import aliases, load_probes
from scanner.termsafe import clean


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("probes", help="list the probe definitions: signals, lifecycle, remediation, file")
    parser.add_argument("--json", action="store_true", help="print the definitions as JSON (machine output)")
    parser.add_argument("--lifecycle", choices=LIFECYCLES, help="only probes of this lifecycle")
    parser.add_argument("--signal", metavar="ID", help="only probes emitting this signal (globs allowed: 'gh.*')")


def select(specs: list[ProbeSpec], lifecycle: str | None, signal: str | None) -> list[ProbeSpec]:
    out = [s for s in specs if lifecycle is None or s.lifecycle == lifecycle]
    if signal:
        wanted = resolve(signal, aliases(specs))
        out = [s for s in out if any(fnmatch.fnmatchcase(e, wanted) for e in s.emits)]
    return out


def probes_command(args: argparse.Namespace) -> int:
    specs = select(load_probes(), args.lifecycle, args.signal)
    if args.json:
        sys.stdout.write(clean(json.dumps([s.to_json() for s in specs], indent=2, sort_keys=True)) + "\n")
        return 0
    for line in table_lines(specs):
        print(clean(line, newlines=False))
    return 0


def table_lines(specs: list[ProbeSpec]) -> list[str]:
    """One row per probe (id, lifecycle, needs, defining file), then what it looks for, its signals when
    they are not just the probe id, and the aliases of renamed ones. Plain text: it greps and pipes."""
    rows = [("PROBE", "LIFECYCLE", "NEEDS", "DEFINED IN")]
    for spec in specs:
        state = spec.lifecycle + (f" ({spec.replaced_by})" if spec.replaced_by else "")
        rows.append((spec.id, state, ",".join(sorted(spec.needs)), spec.file))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)) + "  " + row[3])
        if n:
            lines.extend(_details(specs[n - 1]))
    lines.append(f"{len(specs)} probes, {sum(len(s.emits) for s in specs)} signals")
    return lines


def _details(spec: ProbeSpec) -> list[str]:
    out = [f"    {spec.summary}"]
    if spec.emits != (spec.id,):
        out.append(f"    signals: {', '.join(spec.emits)}")
    out.extend(f"    alias: {old} -> {new}" for old, new in sorted(spec.aliases.items()))
    return out
