"""AWS CodePipeline (with CodeDeploy/CodeBuild actions) declared as code: CloudFormation/SAM templates
with an `AWS::CodePipeline::Pipeline` resource, and CDK apps (TypeScript/Python) building one.

A pipeline starts when its source changes (a push to the source branch): stages are jobs in order,
`Approval` actions gate the stages after them, `Deploy` actions (CodeDeploy, ECS, CloudFormation, S3,
Elastic Beanstalk, ...) are deploy steps, `Build`/`Test` actions name their CodeBuild project. CDK code
is read by its constructs (`new codepipeline_actions.CodeDeployEcsDeployAction(...)`,
`ManualApprovalAction`, CDK Pipelines `ShellStep` commands), never executed."""

from __future__ import annotations

import re
from typing import Any

from scanner.facts.ci._util import Source, as_list, as_map, as_str
from scanner.facts.ci.model import PUSH, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "codepipeline"
TEMPLATE_GLOBS = ("**/*.yaml", "**/*.yml", "**/*.json", "**/*.template")
CDK_GLOBS = ("**/*.ts", "**/*.py")
_RESOURCE = "AWS::CodePipeline::Pipeline"
_CDK = re.compile(r"\b(?:codepipeline\.Pipeline|pipelines\.CodePipeline|CodePipeline)\s*\(")
_CDK_ACTION = re.compile(r"\b(?:codepipeline_actions|actions|cpactions)\.(\w+Action)\s*\(")
_SHELL = re.compile(r"\bShellStep\s*\(")
_COMMANDS = re.compile(r"commands\s*[:=]\s*\[([^\]]{0,2000})\]")
_STRING = re.compile(r"""['"`]([^'"`\n]{1,400})['"`]""")
_BRANCH = re.compile(r"""\bbranch(?:Name|_name)?\s*[:=]\s*['"]([\w./-]{1,100})['"]""", re.IGNORECASE)


def detect(index: RepoIndex, path: str) -> bool:
    text = index.text(path) or ""
    if "odePipeline" not in text and "odepipeline" not in text:
        return False
    if path.endswith((".ts", ".py")):
        return bool(_CDK.search(text)) and ("aws-cdk" in text or "aws_cdk" in text)
    return _RESOURCE in text


def parse(index: RepoIndex, path: str) -> tuple[list[Pipeline], list[ParseError]]:
    if path.endswith((".ts", ".py")):
        return [_cdk(index, path)], []
    data = index.json(path) if path.endswith(".json") else index.yaml_data(path)
    parsed = index.yaml(path) if not path.endswith(".json") else None
    doc = parsed.docs[0] if parsed is not None and parsed.docs else None
    if not isinstance(data, dict):
        return [], [ParseError(path, 1, "CloudFormation template is not a mapping")]
    out = []
    for name, res in as_map(data.get("Resources")).items():
        if as_str(as_map(res).get("Type")) == _RESOURCE:
            src = Source(path, doc, index.text(path) or "") if doc is not None else None
            out.append(_template_pipeline(path, str(name), as_map(as_map(res).get("Properties")), src))
    return out, []


def _line(src: Source | None, *keys: str | int) -> int | None:
    return src.line(*keys) if src is not None else 1


def _template_pipeline(path: str, name: str, props: dict[str, Any], src: Source | None) -> Pipeline:
    jobs: list[Job] = []
    branch = ""
    gated = False
    for i, stage in enumerate(as_list(props.get("Stages"))):
        stage = as_map(stage)
        steps = []
        keys: tuple[str | int, ...] = ("Resources", name, "Properties", "Stages", i)
        for j, action in enumerate(as_list(stage.get("Actions"))):
            action = as_map(action)
            kind = as_map(action.get("ActionTypeId"))
            category, provider = as_str(kind.get("Category")), as_str(kind.get("Provider"))
            config = as_map(action.get("Configuration"))
            branch = branch or as_str(config.get("BranchName") or config.get("Branch"))
            gated = gated or category == "Approval"
            if category in ("Deploy", "Build", "Test", "Invoke"):
                inputs = tuple((str(k), as_str(v)) for k, v in config.items())
                uses = f"pipeline-action/{category.lower()}:{provider}"
                steps.append(
                    Step(
                        name=as_str(action.get("Name")),
                        path=path,
                        line=_line(src, *keys, "Actions", j),
                        uses=uses,
                        inputs=inputs,
                    )
                )
        sid = as_str(stage.get("Name")) or f"stage-{i + 1}"
        jobs.append(
            Job(
                id=sid,
                name=sid,
                line=_line(src, *keys),
                path=path,
                steps=tuple(steps),
                needs=(jobs[-1].id,) if jobs else (),
                manual_gate=gated,
            )
        )
    trigger = Trigger(
        PUSH, branches=(branch,) if branch else (), event="source-change", line=_line(src, "Resources", name), path=path
    )
    return Pipeline(path, SYSTEM, name, (trigger,), tuple(jobs), line=_line(src, "Resources", name))


def _cdk(index: RepoIndex, path: str) -> Pipeline:
    text = index.text(path) or ""
    first = _CDK.search(text)
    start = first.start() if first else 0

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    steps: list[Step] = []
    gate_at: int | None = None
    for m in _CDK_ACTION.finditer(text):
        action = m.group(1)
        if "Approval" in action:
            gate_at = m.start() if gate_at is None else gate_at
            continue
        if "Deploy" in action or action.startswith(("CloudFormation", "EcsDeploy", "S3Deploy", "ElasticBeanstalk")):
            steps.append(Step(name=action, path=path, line=line_of(m.start()), uses=f"pipeline-action/deploy:{action}"))
    for m in _SHELL.finditer(text):
        body = _COMMANDS.search(text, m.end(), m.end() + 3000)
        if body:
            run = "\n".join(s.group(1) for s in _STRING.finditer(body.group(1)))
            steps.append(
                Step(name="ShellStep", path=path, line=line_of(m.start()), run=run, run_line=line_of(body.start()))
            )
    gated = gate_at is not None and any((s.line or 0) > line_of(gate_at) for s in steps if s.uses)
    branch = _BRANCH.search(text)
    trigger = Trigger(
        PUSH, branches=(branch.group(1),) if branch else (), event="source-change", line=line_of(start), path=path
    )
    ungated = tuple(s for s in steps if not gated or not s.uses or (s.line or 0) < line_of(gate_at or 0))
    late = tuple(s for s in steps if s not in ungated)
    jobs = [Job(id="pipeline", name="pipeline", line=line_of(start), path=path, steps=ungated)]
    if late:
        jobs.append(
            Job(
                id="after-approval",
                name="after approval",
                line=line_of(gate_at or 0),
                path=path,
                steps=late,
                needs=("pipeline",),
                manual_gate=True,
            )
        )
    return Pipeline(path, SYSTEM, path, (trigger,), tuple(jobs), line=line_of(start))


PLUGIN = CISystem(name=SYSTEM, globs=(*TEMPLATE_GLOBS, *CDK_GLOBS), parse=parse, detect=detect, named=False)
