"""Writing the rendered reports of one evidence document: HTML, Markdown, SARIF, and the baseline diff."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scanner.interrupt import deferred
from scanner.reporters.common import FORMATS
from scanner.reporters.evidence import commit, discard, dumps, load_evidence, stage, write_atomic
from scanner.termsafe import clean


def render(fmt: str, document: dict[str, Any], diff: dict[str, Any] | None, gate: dict[str, Any] | None) -> str:
    if fmt == "html":
        from scanner.reporters.html import render_html

        return render_html(document, diff, gate)
    if fmt == "markdown":
        from scanner.reporters.markdown import render_markdown

        return render_markdown(document, diff, gate)
    if fmt == "sarif":
        from scanner.reporters.sarif import render_sarif

        sarif = render_sarif(document, scanned_tree(document))
        return json.dumps(sarif, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")


def scanned_tree(document: dict[str, Any]) -> Callable[[str, dict[str, Any]], bool]:
    """Whether a location's path is in the tree a repo was scanned at: read from the repo (git ls-tree at
    the scanned commit, or the folder for a plain folder) while it is there; otherwise judged from the
    evidence (a location at the scanned commit)."""
    from scanner.collectors.gitcli import GitError, run_git
    from scanner.reporters.sarif import at_scanned_commit

    fallback = at_scanned_commit(document)
    targets = {t["id"]: t for t in document.get("targets", [])}
    trees: dict[str, set[str] | None] = {}

    def tree(scope: str) -> set[str] | None:
        target = targets.get(scope, {})
        root = Path(str(target.get("path", "")))
        if not target.get("path") or not root.is_dir():
            return None
        if target.get("git") is False:
            return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
        if not target.get("commit"):
            return None
        try:
            out = run_git(root, "ls-tree", "-r", "-z", "--name-only", str(target["commit"]), timeout=60)
        except GitError:
            return None
        return set(out.decode("utf-8", "surrogateescape").split("\0")) - {""}

    def present(scope: str, loc: dict[str, Any]) -> bool:
        if scope not in trees:
            trees[scope] = tree(scope)
        paths = trees[scope]
        return fallback(scope, loc) if paths is None else loc["path"] in paths

    return present


def write_reports(
    document: dict[str, Any],
    paths: Mapping[str, Path | None],
    diff: dict[str, Any] | None = None,
    gate: dict[str, Any] | None = None,
) -> list[Path]:
    """Write each requested format; returns the files written. Raises the first error (naming the file)."""
    written, errors = write_outputs(document, paths, diff, gate)
    if errors:
        raise OutputError(errors)
    return written


class OutputError(OSError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def write_outputs(
    document: dict[str, Any],
    paths: Mapping[str, Path | None],
    diff: dict[str, Any] | None = None,
    gate: dict[str, Any] | None = None,
) -> tuple[list[Path], list[str]]:
    """Write the evidence (`json`) and each requested report as one set: each is rendered to a temporary
    file beside its destination, then all are renamed together. The evidence is written even when a
    report fails; a report that fails is removed rather than left from an earlier run, so that the files
    of one run are never mixed with an earlier run's. Returns (files written, one-line errors)."""
    staged: list[tuple[Path, Path]] = []
    failed: list[Path] = []
    errors: list[str] = []
    try:
        for fmt in ("json", *FORMATS):
            path = paths.get(fmt)
            if path is None:
                continue
            try:
                text = dumps(document) if fmt == "json" else render(fmt, document, diff, gate)
                staged.append((stage(path, text), path))
            except OSError as exc:
                errors.append(str(exc))
                failed.append(path)
            except Exception as exc:  # a reporter bug must not cost the evidence
                errors.append(f"{path}: cannot render the {fmt} report: {type(exc).__name__}: {exc}")
                failed.append(path)
        written = []
        with deferred():
            for tmp, path in staged:
                try:
                    commit(tmp, path)
                    written.append(path)
                except OSError as exc:
                    errors.append(str(exc))
                    failed.append(path)
            for path in failed:
                with contextlib.suppress(OSError):
                    if path.is_file():
                        path.unlink()  # an earlier run's report must not pass for this run's
        return written, errors
    finally:
        for tmp, _ in staged:
            discard(tmp)


def baseline_diff(baseline: dict[str, Any] | None, document: dict[str, Any]) -> dict[str, Any] | None:
    """What changed since `baseline` (a loaded evidence document: load it before scanning)."""
    if baseline is None:
        return None
    from scanner.reporters.diff import diff_documents

    return diff_documents(baseline, document)


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_atomic(path, dumps(data))


def report_command(args: argparse.Namespace) -> int:
    """`aiops-scan report EVIDENCE`: render reports from a saved evidence file (Markdown to stdout by default)."""
    from scanner.cli_checks import check_outputs, check_writable

    paths = {"html": args.html, "markdown": args.markdown, "sarif": args.sarif}
    inputs = {"evidence": [args.evidence], "baseline": [args.baseline] if args.baseline else []}
    check_outputs({f"--{f}": p for f, p in paths.items()}, inputs)
    check_writable({f"--{f}": p for f, p in paths.items()})
    from scanner.registry import current_aliases

    renamed = current_aliases()
    document = load_evidence(args.evidence, renamed)
    diff = baseline_diff(load_evidence(args.baseline, renamed) if args.baseline else None, document)
    if not any(paths.values()):
        sys.stdout.write(clean(render("markdown", document, diff, None)))
        return 0
    written, errors = write_outputs(document, paths, diff)
    for path in written:
        print(clean(f"written: {path}"))
    for error in errors:
        print(f"aiops-scan: {clean(error, newlines=False)}", file=sys.stderr)
    return 2 if errors else 0


def diff_command(args: argparse.Namespace) -> int:
    """`aiops-scan diff OLD NEW [--json F]`."""
    from scanner.cli_checks import check_outputs, check_writable
    from scanner.reporters.diff import diff_documents, text_lines

    check_outputs({"--json": args.json}, {"evidence": [args.old, args.new]})
    check_writable({"--json": args.json})
    from scanner.registry import current_aliases

    renamed = current_aliases()  # a signal renamed between the two scans is one signal, not a loss and a gain
    diff = diff_documents(load_evidence(args.old, renamed), load_evidence(args.new, renamed))
    for line in text_lines(diff):
        print(clean(line))
    if args.json:
        write_json(args.json, diff)
    return 0
