"""AWS CodeBuild: `buildspec*.yml` (a mapping with `phases:`). One job whose steps are the commands
of the install, pre_build, build and post_build phases, in order; `on-failure: CONTINUE` lets a phase
fail. What starts a build (a webhook, CodePipeline, another CI) is configured outside the file: an
external trigger."""

from __future__ import annotations

from scanner.facts.ci._simple import command_steps, load, yaml_has_key
from scanner.facts.ci._util import as_map, as_str
from scanner.facts.ci.model import EXTERNAL, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "codebuild"
GLOBS = ("**/buildspec*.yml", "**/buildspec*.yaml")
PHASES = ("install", "pre_build", "build", "post_build")


def parse(index: RepoIndex, path: str) -> tuple[Pipeline | None, list[ParseError]]:
    src, errors = load(index, path, "buildspec")
    if src is None:
        return None, errors
    phases = as_map(src.data.get("phases"))
    steps: list[Step] = []
    for phase in PHASES:
        cfg = as_map(phases.get(phase))
        can_fail = as_str(cfg.get("on-failure")).upper() == "CONTINUE"
        steps += command_steps(src, ("phases", phase, "commands"), cfg.get("commands"), phase, can_fail=can_fail)
    trigger = Trigger(
        EXTERNAL, event="codebuild", detail="started by a webhook, CodePipeline or another CI", line=1, path=path
    )
    job = Job(id="build", name="build", line=src.line("phases"), path=path, steps=tuple(steps))
    return Pipeline(path, SYSTEM, path, (trigger,), (job,), line=1), errors


PLUGIN = CISystem(
    name=SYSTEM,
    globs=GLOBS,
    parse=parse,
    detect=lambda index, path: yaml_has_key(index, path, "phases"),
)
