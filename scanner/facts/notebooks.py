"""Code cells of Jupyter notebooks, joined into one Python source with a line map back to cells.
Outputs and markdown cells are ignored; shell and magic lines (`!`, `%`, `x = !cmd`) become comments
so the code still parses, and a cell that does not parse is dropped alone, not the whole notebook.
Notebooks are never executed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from scanner.facts.pyparse import parse_module


@dataclass(frozen=True)
class NotebookCode:
    source: str
    cells: tuple[tuple[int, int], ...]  # per joined line (0-based): (cell number from 1, line in cell)
    magics: tuple[str, ...] = ()  # shell/magic lines, e.g. "!nvidia-smi"
    metadata: dict | None = None

    def describe(self, line: int) -> str:
        if 1 <= line <= len(self.cells):
            cell, in_cell = self.cells[line - 1]
            return f"cell {cell}, line {in_cell}"
        return f"line {line}"


# `x = !ls`, `files = %sx ls`: IPython assignment magics (a line magic after `=`).
ASSIGN_MAGIC = re.compile(r"^[\w.,\s()\[\]]{1,200}=\s*[!%]")
# Cell magics whose body is still Python run by the kernel; any other `%%` cell (writefile, bash, sql,
# html ...) is not code of this notebook.
PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%prun", "%%memit", "%%debug", "%%px")


def _cell_lines(text_src: str, magics: list[str]) -> list[str]:
    """A cell's lines with magics commented out; a non-Python cell magic comments out the whole cell; a cell
    that still does not parse (IPython-only syntax) is dropped, alone, as comments."""
    raw = text_src.splitlines()
    first = raw[0].lstrip() if raw else ""
    if first.startswith("%%") and not first.startswith(PYTHON_CELL_MAGICS):
        magics.append(first)
        return ["# " + line for line in raw]
    out = []
    for line in raw:
        stripped = line.lstrip()
        if stripped.startswith(("!", "%")) or ASSIGN_MAGIC.match(line):
            magics.append(stripped)
            line = "# " + line
        out.append(line)
    try:
        parse_module("\n".join(out))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ["# " + line for line in raw]
    return out


class NotebookError(ValueError):
    """A notebook that is not nbformat 4 JSON; the message says why."""


def notebook_code(text: str) -> NotebookCode | None:
    """The code cells of a notebook, or None when it is malformed (see `read_notebook` for why)."""
    try:
        return read_notebook(text)
    except NotebookError:
        return None


def read_notebook(text: str) -> NotebookCode:
    """The code cells of an nbformat 4 notebook. Raises NotebookError naming what is malformed; outputs
    are never read, so malformed outputs do not matter."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise NotebookError("invalid JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise NotebookError(f"not a notebook: the JSON is a {type(doc).__name__}, not an object")
    if "cells" not in doc and "worksheets" in doc:
        raise NotebookError("nbformat 3 notebook (worksheets): not read")
    if not isinstance(doc.get("cells"), list):
        raise NotebookError("not a notebook: no list of cells")
    lines: list[str] = []
    cells: list[tuple[int, int]] = []
    magics: list[str] = []
    code_cell = 0
    for number, cell in enumerate(doc["cells"], 1):
        if not isinstance(cell, dict):
            raise NotebookError(f"cell {number} is a {type(cell).__name__}, not an object")
        if cell.get("cell_type") != "code":
            continue
        code_cell += 1
        for n, line in enumerate(_cell_lines(_source(cell.get("source", ""), number), magics), 1):
            lines.append(line)
            cells.append((code_cell, n))
        lines.append("")
        cells.append((code_cell, 0))
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else None
    return NotebookCode("\n".join(lines), tuple(cells), tuple(magics), meta)


def _source(src: object, number: int) -> str:
    """A cell's source: a string or a list of strings (nbformat 4); anything else is malformed."""
    if isinstance(src, str):
        return src
    if isinstance(src, list):
        bad = next((item for item in src if not isinstance(item, str)), None)
        if bad is None:
            return "".join(src)
        raise NotebookError(f"cell {number}: source holds a {type(bad).__name__}, not text")
    raise NotebookError(f"cell {number}: source is a {type(src).__name__}, not text")
