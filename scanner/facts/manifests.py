"""Dependency manifests: requirements*.txt, pyproject.toml, setup.cfg, environment.yml, Pipfile and
package.json and Gemfile. Only declarations are read; nothing is resolved or installed."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from scanner.facts.paths import file_name
from scanner.model import Location

if TYPE_CHECKING:
    from scanner.facts.repo_index import RepoIndex

NOT_PACKAGES = frozenset({"python", "pip"})
GEM_LINE = re.compile(r"""^\s*gem\s+["']([A-Za-z0-9][A-Za-z0-9._-]*)["']""")
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _map(value: Any) -> dict[str, Any]:
    """A table/object of a manifest, or empty when the file has something else there (never a crash)."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _req_name(spec: str) -> str | None:
    spec = spec.strip()
    if not spec or spec.startswith(("#", "-", "git+", "http")):
        return None
    m = _REQ_NAME.match(spec)
    return normalise(m.group(1)) if m else None


def collect_dependencies(index: RepoIndex) -> dict[str, list[Location]]:
    deps: dict[str, list[Location]] = {}

    def add(name: str | None, path: str, line: int | None) -> None:
        if name and name not in NOT_PACKAGES:
            deps.setdefault(name, []).append(index.location(path, line))

    for path in index.paths():
        name = file_name(path)
        text = index.text(path)
        if text is None:
            continue
        if (name.startswith("requirements") and name.endswith((".txt", ".in"))) or name == "constraints.txt":
            for n, line in enumerate(text.splitlines(), 1):
                add(_req_name(line.split("#", 1)[0]), path, n)
        elif name == "pyproject.toml":
            _pyproject(index, path, text, add)
        elif name == "setup.cfg":
            _setup_cfg(path, text, add)
        elif name in ("environment.yml", "environment.yaml", "conda.yaml", "conda.yml"):
            _conda(index, path, add)
        elif name == "package.json":
            data = index.json(path)
            if isinstance(data, dict):
                for section in ("dependencies", "devDependencies", "peerDependencies"):
                    for dep in _map(data.get(section)):
                        add(normalise(dep), path, _line_of(text, f'"{dep}"'))
        elif name == "Gemfile":
            for n, line in enumerate(text.splitlines(), 1):
                m = GEM_LINE.match(line)
                if m:
                    add(normalise(m.group(1)), path, n)
        elif name == "Pipfile":
            for n, line in enumerate(text.splitlines(), 1):
                m = re.match(r'^\s*"?([A-Za-z0-9][A-Za-z0-9._-]*)"?\s*=', line)
                if m and not line.lstrip().startswith("["):
                    add(normalise(m.group(1)), path, n)
    return deps


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def _pyproject(index: RepoIndex, path: str, text: str, add: Any) -> None:
    data = index.toml(path) or {}
    project = _map(data.get("project"))
    specs: list[Any] = list(_list(project.get("dependencies")))
    for extra in _map(project.get("optional-dependencies")).values():
        specs.extend(_list(extra))
    for group in _map(data.get("dependency-groups")).values():
        specs.extend(_list(group))
    for spec in specs:
        if isinstance(spec, str):
            name = _req_name(spec)
            add(name, path, _line_of(text, spec.split(";")[0].strip()) if name else None)
    poetry = _map(_map(data.get("tool")).get("poetry"))
    sections = [_map(poetry.get("dependencies")), _map(poetry.get("dev-dependencies"))]
    sections += [_map(_map(g).get("dependencies")) for g in _map(poetry.get("group")).values()]
    for section in sections:
        for dep in section:
            if dep.lower() != "python":
                add(normalise(dep), path, _line_of(text, dep))


def _setup_cfg(path: str, text: str, add: Any) -> None:
    in_reqs = False
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if re.match(r"^(install_requires|tests_require)\s*=", stripped) or stripped.startswith(
            "[options.extras_require"
        ):
            in_reqs = True
            rest = stripped.split("=", 1)[1] if "=" in stripped and not stripped.startswith("[") else ""
            add(_req_name(rest), path, n)
            continue
        if in_reqs:
            if stripped.startswith("[") or (stripped and not line[:1].isspace() and "=" in stripped):
                in_reqs = stripped.startswith("[options.extras_require")
                continue
            add(_req_name(stripped), path, n)


def _conda(index: RepoIndex, path: str, add: Any) -> None:
    parsed = index.yaml(path)
    if not parsed.docs or not isinstance(parsed.docs[0].data, dict):
        return
    doc = parsed.docs[0]
    for i, dep in enumerate(_list(doc.data.get("dependencies"))):
        if isinstance(dep, str):
            add(_req_name(dep.split("=")[0]), path, doc.line(("dependencies", i)))
        elif isinstance(dep, dict):
            for j, spec in enumerate(_list(dep.get("pip"))):
                if isinstance(spec, str):
                    add(_req_name(spec), path, doc.line(("dependencies", i, "pip", j)))
