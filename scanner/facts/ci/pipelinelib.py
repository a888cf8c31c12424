"""Wikimedia PipelineLib: `.pipeline/config.yaml`, run by Jenkins for Gerrit changes (Zuul).

Each entry of `pipelines:` is a pipeline and each of its `stages` a job (id `pipeline/stage`). A stage
builds a variant of the pipeline's Blubber file (`blubberfile`, relative to `directory`, default
`.pipeline/blubber.yaml`); with `run` it runs the variant's `entrypoint` (plus `run.arguments`): a step
whose script is that command, with a file the variant copies from the repo (`copies: [{from: local,
source, destination}]`) named by its repo path, so `./entrypoint.sh` copied from `ci_entrypoint.sh` is
followed into that script. `publish.image` pushes the built image (a `docker push` step). `deploy` stages
install the chart in a CI namespace for helm tests; they are not read as deploys.

When a pipeline runs is configured outside the repo (integration/config), so it is assumed, as for a
Jenkinsfile: pipelines that publish run after a change merges (push to the default branch), the others on
every proposed change (a Gerrit patchset, read as a pull request).
"""

from __future__ import annotations

import posixpath
import shlex
from typing import Any

from scanner.facts.ci._simple import load
from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs, truthy
from scanner.facts.ci.model import PULL_REQUEST, PUSH, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "pipelinelib"
CONFIG = ".pipeline/config.yaml"
DEFAULT_DIR = ".pipeline"
DEFAULT_BLUBBER = "blubber.yaml"
_POSTMERGE = "assumed: publishing pipelines run after a change merges (Zuul, integration/config)"
_PATCHSET = "assumed: run on every proposed change (Gerrit patchset, Zuul, integration/config)"


def parse(index: RepoIndex, path: str) -> tuple[list[Pipeline], list[ParseError]]:
    src, errors = load(index, path, "PipelineLib config")
    if src is None:
        return [], errors
    out = []
    for name, raw in as_map(src.data.get("pipelines")).items():
        cfg = as_map(raw)
        directory = as_str(cfg.get("directory")) or DEFAULT_DIR
        blubber = _blubber(index, posixpath.join(directory, as_str(cfg.get("blubberfile")) or DEFAULT_BLUBBER))
        jobs: list[Job] = []
        for i, stage in enumerate(as_list(cfg.get("stages"))):
            scfg = as_map(stage)
            sid = as_str(scfg.get("name")) or f"stage-{i + 1}"
            keys = ("pipelines", name, "stages", i)
            steps = _run_steps(src, keys, scfg, blubber, sid) + _publish_steps(src, keys, scfg, sid)
            needs = (jobs[-1].id,) if jobs else ()
            jid = f"{name}/{sid}"  # one file holds many pipelines: job ids stay unique in it
            jobs.append(Job(id=jid, name=sid, line=src.line(*keys), path=path, steps=tuple(steps), needs=needs))
        publishes = any("publish" in as_map(s) for s in as_list(cfg.get("stages")))
        line = src.line("pipelines", name)
        trigger = (
            Trigger(PUSH, event="change-merged", detail=_POSTMERGE, line=line, path=path)
            if publishes
            else Trigger(PULL_REQUEST, event="patchset-created", detail=_PATCHSET, line=line, path=path)
        )
        out.append(Pipeline(path, SYSTEM, str(name), (trigger,), tuple(jobs), line=line or 1))
    return out, errors


def _blubber(index: RepoIndex, path: str) -> Source | None:
    if not index.has(path):
        return None
    src, _ = load(index, path, "Blubber file")
    return src


def _run_steps(
    src: Source, keys: tuple[str | int, ...], stage: dict[str, Any], blubber: Source | None, sid: str
) -> list[Step]:
    run = stage.get("run")
    if not (truthy(run) or isinstance(run, dict)) or blubber is None:
        return []
    variant = as_str(stage.get("build"))
    entry, ekeys = _entrypoint(blubber, variant)
    if not entry:
        return []
    args = as_strs(as_map(run).get("arguments"))
    first = _local_source(blubber, variant, entry[0]) or entry[0]
    command = shlex.join([first, *entry[1:], *args])
    line = blubber.line(*ekeys)
    return [Step(name=sid, path=blubber.path, line=line, run=command, run_line=line)]


def _entrypoint(blubber: Source, variant: str, seen: frozenset[str] = frozenset()) -> tuple[list[str], tuple[str, ...]]:
    """The variant's entrypoint (its own, an included variant's, or the file's), with its key path."""
    cfg = as_map(as_map(blubber.data.get("variants")).get(variant))
    if cfg.get("entrypoint"):
        return list(as_strs(cfg["entrypoint"])), ("variants", variant, "entrypoint")
    for parent in as_strs(cfg.get("includes")):
        if parent not in seen:
            found = _entrypoint(blubber, parent, seen | {variant})
            if found[0]:
                return found
    if not seen and blubber.data.get("entrypoint"):
        return list(as_strs(blubber.data["entrypoint"])), ("entrypoint",)
    return [], ()


def _local_source(blubber: Source, variant: str, program: str) -> str | None:
    """The repo path a variant copied `program` from (`copies` from `local`), if it copied it."""
    lives = as_str(as_map(blubber.data.get("lives")).get("in"))
    wanted = posixpath.normpath(program if program.startswith("/") else posixpath.join(lives or "/", program))
    for copy in as_list(as_map(as_map(blubber.data.get("variants")).get(variant)).get("copies")):
        c = as_map(copy)
        if as_str(c.get("from")) != "local" or not c.get("source"):
            continue
        dest = as_str(c.get("destination")) or as_str(c.get("source"))
        if posixpath.normpath(dest if dest.startswith("/") else posixpath.join(lives or "/", dest)) == wanted:
            return as_str(c["source"])
    return None


def _publish_steps(src: Source, keys: tuple[str | int, ...], stage: dict[str, Any], sid: str) -> list[Step]:
    image = as_map(stage.get("publish")).get("image")
    if not (truthy(image) or isinstance(image, dict)):
        return []
    name = as_str(as_map(image).get("name")) or "image"
    line = src.line(*keys, "publish", "image")
    return [Step(name=sid, path=src.path, line=line, run=f"docker push {name}", run_line=line)]


PLUGIN = CISystem(name=SYSTEM, globs=(CONFIG,), parse=parse, owned=(".pipeline/**",))
