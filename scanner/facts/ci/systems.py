"""CI systems as plugins: each system is one module that declares a `PLUGIN = CISystem(...)`.

A plugin says where its pipeline files live (`globs`, matched at practice paths only), optionally
checks their content (`detect`, for generic names such as `cloudbuild*.yaml` or CloudFormation
templates), and parses one file into the shared pipeline model (`parse`). `build_ci` runs every
registered plugin; the path classes (`paths.py`: the OPS domain) and the role patterns (`roles.py`:
CI files are shared) are derived from the same globs, so a new system touches one new module (and a
line in `MODULES`) plus its tests.

This module must stay import-light: `paths.py` reads `ci_globs()` lazily, and the plugins themselves
are imported only when first asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.facts.ci.model import ParseError, Pipeline
    from scanner.facts.repo_index import RepoIndex

Parser = Callable[["RepoIndex", str], "tuple[Pipeline | list[Pipeline] | None, list[ParseError]]"]

# The registered systems, in the order their pipelines are listed (one module each, under this package).
MODULES = (
    "github",
    "gitlab",
    "azure",
    "circleci",
    "jenkins",
    "taskcluster",
    "codebuild",
    "buildkite",
    "travis",
    "drone",
    "bitbucket",
    "cloudbuild",
    "codepipeline",
    "gocd",
    "tekton",
    "argo",
    "pipelinelib",
    "platforms",
)


@dataclass(frozen=True)
class CISystem:
    name: str  # the `Pipeline.system` value
    globs: tuple[str, ...]  # pipeline files, at practice paths (kinds code/test)
    parse: Parser
    # A content check for files whose name alone does not say (None: the name is enough).
    detect: Callable[[RepoIndex, str], bool] | None = None
    # The same files at places the system never reads (nested .github folders, ...): listed as ignored.
    lookalikes: tuple[str, ...] = ()
    # Other files that belong to the CI system (its folder, scripts, templates): OPS domain, shared files.
    owned: tuple[str, ...] = ()
    # Files the candidates use as includes/templates: claimed (not ignored) but not pipelines of their own.
    includes: Callable[[RepoIndex, list[str]], set[str]] | None = None
    # A pass over every pipeline once all files are parsed (reusable workflows inlined, ...).
    finish: Callable[[list[Pipeline]], list[Pipeline]] | None = None
    # Whether `globs` name the system's files by themselves (False: any YAML, told by `detect`); only
    # naming globs (and `owned`) classify paths as CI files.
    named: bool = True

    def candidates(self, index: RepoIndex) -> list[str]:
        found = index.paths(*self.globs)
        return [p for p in found if self.detect is None or self.detect(index, p)]

    @property
    def all_globs(self) -> tuple[str, ...]:
        return (*self.globs, *self.lookalikes)


@lru_cache(maxsize=1)
def plugins() -> tuple[CISystem, ...]:
    out = []
    for name in MODULES:
        module = importlib.import_module(f"scanner.facts.ci.{name}")
        plugin = module.PLUGIN
        if not isinstance(plugin, CISystem):
            raise TypeError(f"scanner.facts.ci.{name}.PLUGIN is not a CISystem")
        out.append(plugin)
    return tuple(out)


def system_names() -> tuple[str, ...]:
    return tuple(p.name for p in plugins())


@lru_cache(maxsize=1)
def ci_globs() -> tuple[str, ...]:
    """Every path pattern that names a CI file or folder (pipelines and the files they own)."""
    out: list[str] = []
    for plugin in plugins():
        for glob in (*(plugin.globs if plugin.named else ()), *plugin.owned):
            if glob not in out:
                out.append(glob)
    return tuple(out)
