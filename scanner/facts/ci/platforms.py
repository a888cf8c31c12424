"""Managed platforms that deploy from the repository themselves, declared in a manifest: Render
blueprints (`render.yaml`: each service deploys on every push to its branch unless `autoDeploy: false`
or `autoDeployTrigger: off`) and DigitalOcean App Platform specs (`.do/app.yaml`: components with
`github.deploy_on_push: true`). Each service is a job with one deploy step.

Manifests that say nothing about when a deploy runs (`fly.toml`, App Engine `app.yaml`, `azure.yaml`,
`databricks.yml`, `langgraph.json`, `dagster_cloud.yaml`) are not pipelines: the CI that runs their CLI
(`fly deploy`, `azd up`, `databricks bundle deploy`, ...) is what deploys, and it is read as such."""

from __future__ import annotations

from typing import Any

from scanner.facts.ci._simple import load
from scanner.facts.ci._util import Source, as_list, as_map, as_str
from scanner.facts.ci.model import MANUAL, PUSH, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "managed_platform"
RENDER = ("render.yaml", "render.yml")
DO = (".do/app.yaml", ".do/app.yml", ".do/deploy.template.yaml")
_DO_COMPONENTS = ("services", "workers", "jobs", "static_sites", "functions")


def parse(index: RepoIndex, path: str) -> tuple[Pipeline | None, list[ParseError]]:
    src, errors = load(index, path, "platform manifest")
    if src is None:
        return None, errors
    jobs = _render(src) if path in RENDER else _digitalocean(src)
    triggers = tuple(dict.fromkeys(t for j in jobs for t in (j.triggers or ())))
    return Pipeline(path, SYSTEM, path, triggers, tuple(jobs), line=1), errors


def _render(src: Source) -> list[Job]:
    out = []
    for i, svc in enumerate(as_list(src.data.get("services"))):
        cfg = as_map(svc)
        auto = cfg.get("autoDeploy") is not False and as_str(cfg.get("autoDeployTrigger")).lower() != "off"
        out.append(_job(src, ("services", i), cfg, "render", auto, as_str(cfg.get("branch"))))
    return out


def _digitalocean(src: Source) -> list[Job]:
    spec = as_map(src.data.get("spec")) or src.data
    out = []
    for kind in _DO_COMPONENTS:
        for i, comp in enumerate(as_list(spec.get(kind))):
            cfg = as_map(comp)
            git = as_map(cfg.get("github") or cfg.get("gitlab"))
            if git:
                keys = ("spec", kind, i) if "spec" in src.data else (kind, i)
                out.append(
                    _job(src, keys, cfg, "digitalocean", git.get("deploy_on_push") is True, as_str(git.get("branch")))
                )
    return out


def _job(src: Source, keys: tuple[str | int, ...], cfg: dict[str, Any], platform: str, auto: bool, branch: str) -> Job:
    name = as_str(cfg.get("name")) or f"service-{keys[-1]}"
    line = src.line(*keys)
    trigger = (
        Trigger(PUSH, branches=(branch,) if branch else (), event="push", line=line, path=src.path)
        if auto
        else Trigger(MANUAL, event="dashboard", line=line, path=src.path)
    )
    step = Step(name=f"{platform} deploy", path=src.path, line=line, uses=f"{platform}/deploy")
    return Job(id=name, name=name, line=line, path=src.path, steps=(step,), triggers=(trigger,))


PLUGIN = CISystem(name=SYSTEM, globs=(*RENDER, *DO), parse=parse)
