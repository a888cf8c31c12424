"""Argo Workflows: `Workflow`, `WorkflowTemplate`, `ClusterWorkflowTemplate` and `CronWorkflow`
resources (`argoproj.io`). Templates with a container or script are jobs; `steps`/`dag` order them
(`dependencies` are needs). A CronWorkflow runs on its schedule; other workflows are submitted from
outside the file (a person, Argo Events, another system): the trigger is `other`."""

from __future__ import annotations

from typing import Any

from scanner.facts.ci._k8s_ci import container_step, items, mentions, resources
from scanner.facts.ci._util import as_list, as_map, as_str, as_strs
from scanner.facts.ci.model import OTHER, SCHEDULE, Job, ParseError, Pipeline, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "argo_workflows"
GROUP = "argoproj.io"
KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")
GLOBS = ("**/*.yaml", "**/*.yml")


def detect(index: RepoIndex, path: str) -> bool:
    return mentions(index, path, GROUP, KINDS)


def parse(index: RepoIndex, path: str) -> tuple[list[Pipeline], list[ParseError]]:
    out = []
    for src in resources(index, path, GROUP, KINDS):
        data = src.data
        meta = as_map(data.get("metadata"))
        name = as_str(meta.get("name") or meta.get("generateName")) or path
        spec = as_map(data.get("spec"))
        prefix: tuple[str | int, ...] = ("spec",)
        line = src.line("kind") or 1
        if data.get("kind") == "CronWorkflow":
            crons = as_strs(spec.get("schedules")) or as_strs(spec.get("schedule"))
            triggers = tuple(Trigger(SCHEDULE, detail=c, event="cron", line=src.line("spec"), path=path) for c in crons)
            spec, prefix = as_map(spec.get("workflowSpec")), ("spec", "workflowSpec")
        else:
            triggers = (Trigger(OTHER, event="submit", detail="submitted from outside the file", line=line, path=path),)
        needs = _order(spec)
        jobs = []
        for i, tpl in enumerate(items(spec.get("templates"))):
            tname = as_str(tpl.get("name")) or f"template-{i + 1}"
            keys = (*prefix, "templates", i)
            for key in ("container", "script"):
                if tpl.get(key):
                    step = container_step(src, (*keys, key), as_map(tpl.get(key)), tname)
                    jobs.append(
                        Job(
                            id=tname,
                            name=tname,
                            line=src.line(*keys),
                            path=path,
                            steps=(step,) if step else (),
                            needs=needs.get(tname, ()),
                        )
                    )
        out.append(
            Pipeline(
                path, SYSTEM, name, triggers or (Trigger(OTHER, event="submit", path=path),), tuple(jobs), line=line
            )
        )
    return out, []


def _order(spec: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """template name -> templates that run before it (dag `dependencies`, or earlier `steps` groups)."""
    out: dict[str, list[str]] = {}
    for tpl in items(spec.get("templates")):
        dag = items(as_map(tpl.get("dag")).get("tasks"))
        by_task = {as_str(t.get("name")): as_str(t.get("template")) for t in dag}
        for t in dag:
            deps = [by_task.get(d, d) for d in as_strs(t.get("dependencies"))]
            out.setdefault(as_str(t.get("template")), []).extend(deps)
        before: list[str] = []
        for group in as_list(tpl.get("steps")):
            names = [as_str(as_map(s).get("template")) for s in as_list(group)]
            for n in names:
                out.setdefault(n, []).extend(before)
            before = before + names
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


PLUGIN = CISystem(name=SYSTEM, globs=GLOBS, parse=parse, detect=detect, named=False)
