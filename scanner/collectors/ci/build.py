"""Build the CI model of one repository from its index: every CI system, every pipeline file.

Only files at practice paths count (the index already leaves out examples, docs, templates such as a
cookiecutter `{{...}}` folder, and vendored code); CI-looking files elsewhere are listed in
`CIModel.ignored`. A malformed file becomes a `ParseError` (path, line, message) and the rest still
parses. Entry point: `build_ci(index) -> CIModel`.
"""

from __future__ import annotations

from dataclasses import replace

from scanner.collectors.ci import azure, circleci, github, gitlab, jenkins
from scanner.collectors.ci._azure_templates import template_refs
from scanner.collectors.ci.model import CIModel, ParseError, Pipeline
from scanner.collectors.ci.scripts import expand
from scanner.collectors.repo_index import RepoIndex

ALL_GLOBS = (*github.NESTED_GLOBS, *gitlab.GLOBS, "**/.gitlab-ci.yml", *azure.GLOBS, *circleci.GLOBS, *jenkins.GLOBS)


def build_ci(index: RepoIndex) -> CIModel:
    pipelines: list[Pipeline] = []
    errors: list[ParseError] = []
    used: set[str] = set()

    def add(found: Pipeline | list[Pipeline] | None, errs: list[ParseError], path: str) -> None:
        used.add(path)
        errors.extend(errs)
        if isinstance(found, list):
            pipelines.extend(found)
        elif found is not None:
            pipelines.append(found)

    for path in index.paths(*github.GLOBS):
        add(*github.parse(index, path), path)
    for path in index.paths(*gitlab.GLOBS):
        add(*gitlab.parse(index, path), path)
    candidates = index.paths(*azure.GLOBS)
    templates = template_refs(index, candidates)
    used |= templates
    for path in candidates:
        if path not in templates:
            add(*azure.parse(index, path), path)
    for path in index.paths(*circleci.GLOBS):
        add(*circleci.parse(index, path), path)
    for path in index.paths(*jenkins.GLOBS):
        add(*jenkins.parse(index, path), path)
    resolved = [_expand_scripts(index, p) for p in github.inline_reusable(pipelines)]
    ignored = sorted(p for p in index.paths(*ALL_GLOBS, kinds=None) if p not in used)
    return CIModel(tuple(resolved), tuple(errors), tuple(ignored))


def _expand_scripts(index: RepoIndex, pipeline: Pipeline) -> Pipeline:
    jobs = tuple(replace(job, steps=tuple(expand(index, s) for s in job.steps)) for job in pipeline.jobs)
    return replace(pipeline, jobs=jobs)
