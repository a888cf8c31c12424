"""Console scripts the repo's own packages declare: pyproject `[project.scripts]` and Poetry `scripts`,
setup.py `entry_points={"console_scripts": [...]}` and setup.cfg `[options.entry_points]`. A CI task
running `bugbug-train regressor` runs the module behind that name. Read from text, never executed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.facts.repo_index import RepoIndex

# `name = package.module:function` as written in setup.py strings and setup.cfg lines
_ENTRY = re.compile(r"^\s*['\"]?([\w.-]+)\s*=\s*([\w.]+)(?::[\w.]+)?\s*(?:\[[^\]]*\])?\s*['\"]?,?\s*$")
_SETUP_PY_BLOCK = re.compile(r"['\"]console_scripts['\"]\s*[:=]\s*[\[(]([^\])]*)[\])]", re.DOTALL)
_SETUP_PY_ITEM = re.compile(r"['\"]([^'\"]+)['\"]")


@dataclass(frozen=True)
class ConsoleScript:
    name: str
    module: str  # dotted module name (`scripts.trainer` for `scripts.trainer:main`)
    path: str  # the file declaring it


def console_scripts(index: RepoIndex) -> dict[str, ConsoleScript]:
    """Console script name -> where it leads, for every packaging file of the repo's own code."""
    return index.derived("console_scripts", lambda: _read(index))


def _read(index: RepoIndex) -> dict[str, ConsoleScript]:
    out: dict[str, ConsoleScript] = {}
    for path in index.paths("pyproject.toml", "**/pyproject.toml", kinds=("code",)):
        doc = index.toml(path) or {}
        tables = [_dig(doc, "project", "scripts"), _dig(doc, "tool", "poetry", "scripts")]
        for table in tables:
            for name, target in table.items():
                if isinstance(target, str) and (m := _ENTRY.match(f"{name} = {target}")):
                    out.setdefault(str(name), ConsoleScript(str(name), m.group(2), path))
    for path in index.paths("setup.py", "**/setup.py", "setup.cfg", "**/setup.cfg", kinds=("code",)):
        for entry in _setup_entries(index.text(path) or "", path.endswith(".cfg")):
            if m := _ENTRY.match(entry):
                out.setdefault(m.group(1), ConsoleScript(m.group(1), m.group(2), path))
    return out


def _setup_entries(text: str, cfg: bool) -> list[str]:
    if not cfg:
        return [item for block in _SETUP_PY_BLOCK.findall(text) for item in _SETUP_PY_ITEM.findall(block)]
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        if re.match(r"^console_scripts\s*=", line.strip()) and not line[:1].isspace():
            inside = True
            rest = line.split("=", 1)[1]
            out += [rest] if rest.strip() else []
        elif inside and line[:1].isspace() and line.strip():
            out.append(line)
        elif inside:
            inside = False
    return out


def _dig(doc: dict[str, object], *keys: str) -> dict[str, object]:
    node: object = doc
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}
