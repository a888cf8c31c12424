"""Build the CI model of one repository from its index: every CI system, every pipeline file.

Every system registered in `systems.MODULES` is asked for its files. Only files at practice paths
count (the index already leaves out examples, docs, templates such as a cookiecutter `{{...}}` folder,
and vendored code); CI-looking files elsewhere are listed in `CIModel.ignored`. A malformed file
becomes a `ParseError` (path, line, message) and the rest still parses. Entry point:
`build_ci(index) -> CIModel`.
"""

from __future__ import annotations

from dataclasses import replace

from scanner.facts.ci.model import CIModel, ParseError, Pipeline
from scanner.facts.ci.scripts import expand
from scanner.facts.ci.systems import plugins
from scanner.facts.repo_index import RepoIndex


def build_ci(index: RepoIndex) -> CIModel:
    pipelines: list[Pipeline] = []
    errors: list[ParseError] = []
    used: set[str] = set()
    for plugin in plugins():
        candidates = [p for p in plugin.candidates(index) if p not in used]
        includes = plugin.includes(index, candidates) if plugin.includes else set()
        used |= includes
        for path in candidates:
            if path in includes:
                continue
            used.add(path)
            found, errs = plugin.parse(index, path)
            errors.extend(errs)
            if isinstance(found, list):
                pipelines.extend(found)
            elif found is not None:
                pipelines.append(found)
    for plugin in plugins():
        if plugin.finish is not None:
            pipelines = plugin.finish(pipelines)
    resolved = [_expand_scripts(index, p) for p in pipelines]
    ignored = sorted(
        {
            path
            for plugin in plugins()
            for path in index.paths(*plugin.all_globs, kinds=None)
            if path not in used and (plugin.detect is None or plugin.detect(index, path))
        }
    )
    return CIModel(tuple(resolved), tuple(errors), tuple(ignored))


def _expand_scripts(index: RepoIndex, pipeline: Pipeline) -> Pipeline:
    jobs = tuple(replace(job, steps=tuple(expand(index, s) for s in job.steps)) for job in pipeline.jobs)
    return replace(pipeline, jobs=jobs)
