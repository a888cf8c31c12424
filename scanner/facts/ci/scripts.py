"""Following a step into the repo files it runs: local shell scripts, Makefile targets, go-task tasks and
the repo's own console scripts become the step's children, so `run: ./scripts/deploy.sh` or `make train`
is classified by what it really does, and evidence points at the script line. Commands are resolved in
the directory a `cd`/`pushd` earlier in the step left. Also resolves Python scripts/modules to repo paths.
The files are read from the index, never executed."""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from scanner.facts.ci.commands import Command, commands, python_targets
from scanner.facts.ci.model import Step
from scanner.facts.console_scripts import console_scripts
from scanner.facts.repo_index import RepoIndex

MAX_DEPTH = 2
MAX_CHILDREN = 8
_SH = re.compile(r"^(?:(?:bash|sh|zsh|source|\.)\s+(?:-\w+\s+)*)?((?:\./|/)?[\w/.-]+\.sh)\b")
_MAKE = re.compile(r"^(?:\$\(MAKE\)|make)\s+((?:-[Cf]\s*\S+\s+|-\S+\s+)*)([\w./-]+(?:\s+[\w./-]+)*)")
_TASK = re.compile(r"^(?:go-)?task\s+((?:-\S+\s+)*)([\w:.-]+)(?:\s|$)")
TASKFILES = ("Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml", "Taskfile.dist.yml")
_RULE = re.compile(r"^([\w./%-]+(?:\s+[\w./%-]+)*)\s*:(?!=)\s*([^;#=]*)")


def candidates(workdir: str, rel: str) -> list[str]:
    rel = rel.strip("'\"")
    if rel.startswith("/"):
        return [rel.lstrip("/")]
    out = [posixpath.normpath(posixpath.join(workdir, rel))] if workdir and "$" not in workdir else []
    out.append(posixpath.normpath(rel))
    return [p for p in out if not p.startswith("..")]


def resolve_python(index: RepoIndex, workdir: str, target: str) -> str | None:
    """The repo path of `python path.py` or `python -m pkg.mod` run in `workdir`, if it is in the repo."""
    if target.endswith(".py"):
        options = candidates(workdir, target)
    else:
        mod = target.replace(".", "/")
        options = [
            p
            for base in ("", "src/")
            for p in candidates(workdir, f"{base}{mod}.py") + candidates(workdir, f"{base}{mod}/__main__.py")
        ]
    return next((p for p in options if index.has(p)), None)


def python_scripts(index: RepoIndex, step: Step) -> list[tuple[str, int | None, bool]]:
    """(repo path, CI line, can fail silently) of each Python script or module the step's commands run."""
    out = []
    for cmd in commands(step):
        for target in python_targets(cmd.text):
            path = resolve_python(index, cmd.workdir, target)
            if path and (path, cmd.line, cmd.can_fail) not in out:
                out.append((path, cmd.line, cmd.can_fail))
    return out


def expand(index: RepoIndex, step: Step, depth: int = 0) -> Step:
    """The step with the shell scripts and Makefile targets it runs attached as children."""
    if depth >= MAX_DEPTH or not step.run:
        return replace(step, children=tuple(expand(index, c, depth) for c in step.children)) if step.children else step
    children = list(step.children)
    for cmd in commands(step):
        if len(children) >= MAX_CHILDREN:
            break
        children += _script_children(index, step, cmd)
        children += _make_children(index, step, cmd)
        children += _task_children(index, step, cmd)
        children += _console_children(index, step, cmd)
    children = [expand(index, c, depth + 1) for c in children[:MAX_CHILDREN]]
    return replace(step, children=tuple(children)) if children != list(step.children) else step


def _script_children(index: RepoIndex, step: Step, cmd: Command) -> list[Step]:
    m = _SH.match(cmd.text)
    if not m:
        return []
    path = next((p for p in candidates(cmd.workdir, m.group(1)) if index.has(p)), None)
    body = index.text(path) if path else None
    if path is None or body is None:
        return []
    return [
        Step(
            name=path,
            path=path,
            line=1,
            run=body,
            can_fail=cmd.can_fail or step.can_fail,
            run_line=1,
            triggers=step.triggers,
            working_directory=posixpath.dirname(path),
        )
    ]


def _console_children(index: RepoIndex, step: Step, cmd: Command) -> list[Step]:
    """A console script of the repo's own package (`bugbug-train regressor`): the module it runs, as
    `python -m module ARGS` at the command's line, so the module's name and code tell what it does."""
    name, _, args = cmd.text.partition(" ")
    script = console_scripts(index).get(name)
    if script is None:
        return []
    return [
        Step(
            name=f"{name} ({script.module}, {script.path})",
            path=step.path,
            line=cmd.line,
            run=f"python -m {script.module} {args}".rstrip(),
            can_fail=cmd.can_fail or step.can_fail,
            run_line=cmd.line,
            triggers=step.triggers,
            working_directory=posixpath.dirname(script.path),
        )
    ]


def _make_children(index: RepoIndex, step: Step, cmd: Command) -> list[Step]:
    m = _MAKE.match(cmd.text)
    if not m:
        return []
    opts = m.group(1)
    folder = re.search(r"-C\s*(\S+)", opts)
    file = re.search(r"-f\s*(\S+)", opts)
    workdir = posixpath.join(cmd.workdir, folder.group(1)) if folder else cmd.workdir
    makefile = next((p for p in candidates(workdir, file.group(1) if file else "Makefile") if index.has(p)), None)
    body = index.text(makefile) if makefile else None
    if makefile is None or body is None:
        return []
    rules = _make_rules(body)
    out = []
    for target in m.group(2).split()[:3]:
        for name in [*rules.get(target, ((), 0, []))[0], target]:
            if name in rules and (recipe := rules[name])[2]:
                first = recipe[2][0][0]
                run = "\n".join(cmd for _, cmd in recipe[2])
                out.append(
                    Step(
                        name=f"make {name}",
                        path=makefile,
                        line=recipe[1],
                        run=run,
                        can_fail=cmd.can_fail or step.can_fail,
                        run_line=first,
                        triggers=step.triggers,
                        working_directory=workdir,
                        shell_per_line=True,
                    )
                )
    return out


def _make_rules(text: str) -> dict[str, tuple[tuple[str, ...], int, list[tuple[int, str]]]]:
    """target -> (prerequisites, line, [(line, command)]); `-cmd` recipes become `cmd || true`."""
    rules: dict[str, tuple[tuple[str, ...], int, list[tuple[int, str]]]] = {}
    current: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.startswith("\t") and current:
            cmd = line.strip().lstrip("@+")
            if cmd.startswith("-"):
                cmd = cmd[1:].strip() + " || true"
            for target in current:
                rules[target][2].append((n, cmd))
            continue
        m = _RULE.match(line)
        if m and not line.startswith((" ", "\t")):
            current = [t for t in m.group(1).split() if not t.startswith(".")]
            for target in current:
                rules[target] = (tuple(m.group(2).split()), n, [])
        elif line.strip() and not line.startswith("#"):
            current = []
    return rules


def _task_children(index: RepoIndex, step: Step, cmd: Command) -> list[Step]:
    """`task NAME` (go-task): the `cmds` of that task in the Taskfile, and the tasks it calls."""
    m = _TASK.match(cmd.text)
    if not m:
        return []
    opts = m.group(1)
    folder = re.search(r"(?:-d|--dir)[= ]?(\S+)", opts)
    workdir = posixpath.join(cmd.workdir, folder.group(1)) if folder else cmd.workdir
    path = next((p for name in TASKFILES for p in candidates(workdir, name) if index.has(p)), None)
    parsed = index.yaml(path) if path else None
    if path is None or parsed is None or not parsed.docs or not isinstance(parsed.docs[0].data, dict):
        return []
    tasks = parsed.docs[0].data.get("tasks")
    if not isinstance(tasks, dict):
        return []
    out: list[Step] = []
    todo: list[str] = [m.group(2)]
    seen: set[str] = set()
    while todo and len(seen) < 4:
        name = todo.pop(0)
        task = tasks.get(name)
        if name in seen or not isinstance(task, dict):
            continue
        seen.add(name)
        lines = []
        for item in task.get("cmds") or []:
            if isinstance(item, str):
                lines.append(item)
            elif isinstance(item, dict) and isinstance(item.get("cmd"), str):
                lines.append(item["cmd"])
            elif isinstance(item, dict) and isinstance(item.get("task"), str):
                todo.append(item["task"])
        for dep in task.get("deps") or []:
            if isinstance(dep, str):
                todo.append(dep)
        if lines:
            line = parsed.docs[0].line(("tasks", name))
            out.append(
                Step(
                    name=f"task {name}",
                    path=path,
                    line=line,
                    run="\n".join(lines),
                    can_fail=cmd.can_fail or step.can_fail,
                    run_line=parsed.docs[0].line(("tasks", name, "cmds", 0)) or line,
                    triggers=step.triggers,
                    working_directory=workdir,
                )
            )
    return out
