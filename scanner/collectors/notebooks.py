"""Code cells of Jupyter notebooks, joined into one Python source with a line map back to cells.
Outputs and markdown cells are ignored; shell and magic lines (`!`, `%`) become comments so the code
still parses. Notebooks are never executed."""

from __future__ import annotations

import json
from dataclasses import dataclass


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


def notebook_code(text: str) -> NotebookCode | None:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        return None
    lines: list[str] = []
    cells: list[tuple[int, int]] = []
    magics: list[str] = []
    code_cell = 0
    for cell in doc["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        code_cell += 1
        src = cell.get("source", "")
        text_src = "".join(src) if isinstance(src, list) else str(src)
        for n, line in enumerate(text_src.splitlines(), 1):
            stripped = line.lstrip()
            if stripped.startswith(("!", "%")):
                magics.append(stripped)
                line = "# " + line
            lines.append(line)
            cells.append((code_cell, n))
        lines.append("")
        cells.append((code_cell, 0))
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else None
    return NotebookCode("\n".join(lines), tuple(cells), tuple(magics), meta)
