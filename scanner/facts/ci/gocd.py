"""GoCD pipelines as code (YAML config plugin): `*.gocd.yaml` / `*.gocd.yml`. Each pipeline's stages
run in order; a stage with `approval: manual` (or `approval: {type: manual}`) gates itself and every
stage after it; `exec`/`script` tasks are the steps. Pipelines start when a material changes (a push
to its branch) unless `timer:` schedules them or the material is `auto_update: false`."""

from __future__ import annotations

from typing import Any

from scanner.facts.ci._simple import load
from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs
from scanner.facts.ci.model import MANUAL, PUSH, SCHEDULE, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "gocd"
GLOBS = ("**/*.gocd.yaml", "**/*.gocd.yml")


def parse(index: RepoIndex, path: str) -> tuple[list[Pipeline], list[ParseError]]:
    src, errors = load(index, path, "GoCD config")
    if src is None:
        return [], errors
    out = []
    for name, cfg in as_map(src.data.get("pipelines")).items():
        out.append(_pipeline(src, str(name), as_map(cfg)))
    return out, errors


def _pipeline(src: Source, name: str, cfg: dict[str, Any]) -> Pipeline:
    line = src.line("pipelines", name)
    triggers: list[Trigger] = []
    for material in as_map(cfg.get("materials")).values():
        mat = as_map(material)
        if mat.get("auto_update") is False or "pipeline" in mat:
            continue
        branch = as_str(mat.get("branch"))
        triggers.append(Trigger(PUSH, branches=(branch,) if branch else (), event="material", line=line, path=src.path))
        break
    timer = as_map(cfg.get("timer"))
    if timer:
        triggers.append(Trigger(SCHEDULE, detail=as_str(timer.get("spec")), event="timer", line=line, path=src.path))
    if not triggers:
        triggers.append(Trigger(MANUAL, event="trigger", line=line, path=src.path))
    jobs: list[Job] = []
    gated = False
    for i, stage in enumerate(as_list(cfg.get("stages"))):
        sname, scfg = next(iter(as_map(stage).items()), (f"stage-{i + 1}", {}))
        scfg = as_map(scfg)
        approval = scfg.get("approval")
        gated = gated or as_str(approval) == "manual" or as_str(as_map(approval).get("type")) == "manual"
        keys = ("pipelines", name, "stages", i, sname)
        previous = tuple(j.id for j in jobs if j.stage == jobs[-1].stage) if jobs else ()
        for jname, jcfg in as_map(scfg.get("jobs")).items():
            steps = _tasks(src, (*keys, "jobs", jname, "tasks"), as_map(jcfg).get("tasks"))
            jid = f"{sname}/{jname}"
            jobs.append(
                Job(
                    id=jid,
                    name=jid,
                    line=src.line(*keys, "jobs", jname),
                    path=src.path,
                    steps=tuple(steps),
                    needs=previous,
                    manual_gate=gated,
                    stage=str(sname),
                )
            )
    return Pipeline(src.path, SYSTEM, name, tuple(triggers), tuple(jobs), line=line)


def _tasks(src: Source, keys: tuple[str | int, ...], value: Any) -> list[Step]:
    out = []
    for i, task in enumerate(as_list(value)):
        task = as_map(task)
        if "script" in task:
            text = as_str(task["script"])
            run_keys = (*keys, i, "script")
        elif "exec" in task:
            ex = as_map(task["exec"])
            text = " ".join([as_str(ex.get("command")), *as_strs(ex.get("arguments"))])
            if as_str(ex.get("command")) in ("bash", "sh") and "-c" in as_strs(ex.get("arguments")):
                args = list(as_strs(ex.get("arguments")))
                text = "\n".join(args[args.index("-c") + 1 :])
            run_keys = (*keys, i, "exec")
        else:
            continue
        if text.strip():
            out.append(
                Step(
                    name="task",
                    path=src.path,
                    line=src.line(*keys, i),
                    run=text,
                    run_line=src.value_line(*run_keys),
                    can_fail=as_str(task.get("run_if")) == "any",
                )
            )
    return out


PLUGIN = CISystem(name=SYSTEM, globs=GLOBS, parse=parse)
