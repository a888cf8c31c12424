"""Writing the rendered reports of one evidence document: HTML, Markdown, SARIF, and the baseline diff."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scanner.reporters.common import FORMATS
from scanner.reporters.evidence import dumps, load_evidence, write_atomic


def render(fmt: str, document: dict[str, Any], diff: dict[str, Any] | None, gate: dict[str, Any] | None) -> str:
    if fmt == "html":
        from scanner.reporters.html import render_html

        return render_html(document, diff, gate)
    if fmt == "markdown":
        from scanner.reporters.markdown import render_markdown

        return render_markdown(document, diff, gate)
    if fmt == "sarif":
        from scanner.reporters.sarif import render_sarif

        return json.dumps(render_sarif(document), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")


def write_reports(
    document: dict[str, Any],
    paths: dict[str, Path | None],
    diff: dict[str, Any] | None = None,
    gate: dict[str, Any] | None = None,
) -> list[Path]:
    """Write each requested format; returns the files written."""
    written = []
    for fmt in FORMATS:
        path = paths.get(fmt)
        if path is not None:
            write_atomic(path, render(fmt, document, diff, gate))
            written.append(path)
    return written


def baseline_diff(baseline: Path | None, document: dict[str, Any]) -> dict[str, Any] | None:
    if baseline is None:
        return None
    from scanner.reporters.diff import diff_documents

    return diff_documents(load_evidence(baseline), document)


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_atomic(path, dumps(data))


def report_command(args: argparse.Namespace) -> int:
    """`aiops-scan report EVIDENCE`: render reports from a saved evidence file (Markdown to stdout by default)."""
    document = load_evidence(args.evidence)
    diff = baseline_diff(args.baseline, document)
    paths = {"html": args.html, "markdown": args.markdown, "sarif": args.sarif}
    if not any(paths.values()):
        sys.stdout.write(render("markdown", document, diff, None))
        return 0
    for path in write_reports(document, paths, diff):
        print(f"written: {path}")
    return 0


def diff_command(args: argparse.Namespace) -> int:
    """`aiops-scan diff OLD NEW [--json F]`."""
    from scanner.reporters.diff import diff_documents, text_lines

    diff = diff_documents(load_evidence(args.old), load_evidence(args.new))
    for line in text_lines(diff):
        print(line)
    if args.json:
        write_json(args.json, diff)
    return 0
