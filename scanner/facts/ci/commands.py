"""What a CI step does: runs tests, trains, evaluates, deploys (and where), builds, releases, ...

`classify(step)` splits the step's shell text into commands (joining `\\` continuations, dropping
comment lines, echo/printf lines and package installs), matches each against the tables in `_rules`,
and adds what its action/orb/task does. Every hit records whether it can fail silently: the step or a
command masked by `|| true`, `|| exit 0`, `; exit 0`, a preceding `set +e`, or `continue-on-error`.
Probes that look for gates must skip hits with `can_fail` (and jobs with `can_fail`).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from scanner.facts.ci._rules import (
    BUILD,
    COMMAND_RULES,
    COST,
    COVERAGE,
    COVERAGE_GATE,
    DATA_DEPLOY,
    DATA_QUALITY,
    DEPLOY,
    DISPATCH,
    DOCS,
    EVALUATE,
    IAC_APPLY,
    IAC_PLAN,
    INTEGRATION,
    LLM_EVAL,
    MODEL_FETCH,
    MONITOR,
    POST_RESULTS,
    PR_CREATE,
    REGISTER,
    RELEASE,
    SECURITY,
    SLIM_CI,
    TEST,
    TRAIN,
)
from scanner.facts.ci._tasks import task_texts, uses_name
from scanner.facts.ci._uses import USES_RULES, uses_matches
from scanner.facts.ci.model import Step
from scanner.textcap import clip_line

__all__ = [
    "BUILD",
    "COST",
    "COVERAGE",
    "COVERAGE_GATE",
    "DATA_DEPLOY",
    "DATA_QUALITY",
    "DEPLOY",
    "DISPATCH",
    "DOCS",
    "EVALUATE",
    "IAC_APPLY",
    "IAC_PLAN",
    "INTEGRATION",
    "LLM_EVAL",
    "MODEL_FETCH",
    "MONITOR",
    "POST_RESULTS",
    "PR_CREATE",
    "REGISTER",
    "RELEASE",
    "SECURITY",
    "SLIM_CI",
    "TEST",
    "TRAIN",
    "Command",
    "Hit",
    "classify",
    "commands",
    "gate_hits",
    "hits",
    "in_one_shell",
    "python_targets",
    "uses_name",
]


@dataclass(frozen=True)
class Command:
    text: str
    line: int | None
    can_fail: bool
    workdir: str = ""  # the step's working directory after the `cd`/`pushd` run before the command


@dataclass(frozen=True)
class Hit:
    category: str
    target: str  # where a deploy/scan goes: azureml, kubernetes, terraform, ... ("" when not applicable)
    path: str
    line: int | None
    text: str  # the command or the `uses` reference, for evidence snippets
    can_fail: bool
    model: bool = False  # a model-serving deploy (az ml online-deployment, SageMaker endpoint, ...)
    env: str = ""  # environment named by the command (dbt --target, bundle -t, values-prod.yaml, ...)


_CONTINUED = re.compile(r"[\\`]\s*$")
_MASK = re.compile(r"\|\|\s*(?:true|:|exit\s+0|echo\b|/bin/true)|;\s*(?:exit\s+0|true)\s*$")
_ERREXIT_OFF = re.compile(r"^\s*set\s+(?:-\w+\s+)*\+e\b|^\s*set\s+\+o\s+errexit\b")
_ERREXIT_ON = re.compile(r"^\s*set\s+-[a-z]*e")
_COMMENT = re.compile(r"^\s*(?:#|//|rem\s|::\s)", re.IGNORECASE)
_SPLIT = re.compile(r"&&|;|\|\|")  # parts are stripped: no `\s*` around (quadratic on long blanks)
_PREFIX = re.compile(r"^(?:(?:sudo|time|exec|env|nohup|xvfb-run)\s+(?:-\S+\s+)*|[A-Za-z_]\w*=(?![\"']?\$\()\S*\s+)+")
_SKIP = re.compile(
    r"^(?:echo|printf|export|true|exit|::)\b|^(?:pip3?|conda|mamba|micromamba|apt(?:-get)?|yum|dnf|apk|brew|choco"
    r"|gem)\s|^python[\d.]*\s+-m\s+pip\b|^(?:uv\s+(?:pip|add|sync|venv)|poetry\s+(?:add|install|lock)|(?:npm|pnpm)"
    r"\s+(?:i|install|ci|add)|yarn\s+(?:add|install)|go\s+install|cargo\s+install|pipx\s+install)\b"
)
_CD = re.compile(r"^(cd|pushd|popd)(?:\s+['\"]?([^\s'\"]+)['\"]?)?$")
_TRAILING_COMMENT = re.compile(r"\s+#[^'\"]*$")
_PY_TARGET = re.compile(
    r"\b(?:python[\d.]*|py|torchrun|deepspeed|accelerate\s+launch|uv\s+run|poetry\s+run)\s+"
    r"(?:--?[\w-]+(?:[= ]\d+)?\s+)*(?:-m\s+([\w.]+)|([\w./-]+\.py)\b)"
)
_SH_TARGET = re.compile(r"(?:^|[\s/])((?:\./)?[\w/.-]*\.sh)\b")
_TRAIN_ARG = re.compile(r"\.py\s+(?:[\w-]+\s+)?(?:--?(?:mode|stage|task|step|action)[= ])?(?:re)?train\b")
_ENV_FLAG = re.compile(r"(?:--target|--environment|--env|\s-t|\s-e)[= ]+['\"]?([\w-]+)")
_ENV_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(prod|production|prd|live|staging|stage|stg|uat|qa|preprod|pre-prod|dev"
    r"|development|sandbox|ci)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_SQLMESH_ENV = re.compile(r"\bsqlmesh\s+plan\s+([\w-]+)")
_CI_SUBCOMMAND = re.compile(r"\bdagster-cloud\s+ci\b")  # `dagster-cloud ci deploy`: "ci" names no environment
_DOCS_WORDS = re.compile(
    r"(?<![A-Za-z0-9])(?:docs?|documentation|gh-pages|mkdocs|sphinx|storybook)(?![A-Za-z0-9])", re.IGNORECASE
)
ENV_CATEGORIES = frozenset({DEPLOY, DATA_DEPLOY, IAC_APPLY, IAC_PLAN})


def commands(step: Step) -> list[Command]:
    """The shell commands a step runs, with the line of each and whether it can fail silently."""
    out: list[Command] = []
    base = step.run_line or step.line
    errexit_off = False
    dirs = [step.working_directory]  # a stack: `cd`/`pushd` push, `popd`/`cd -` pop
    lines = [clip_line(line) for line in step.run.splitlines()]
    i = 0
    while i < len(lines):
        start, text = i, lines[i]
        while _CONTINUED.search(text) and i + 1 < len(lines):
            i += 1
            text = clip_line(_CONTINUED.sub("", text).rstrip() + " " + lines[i].strip())
        i += 1
        if not text.strip() or _COMMENT.match(text):
            continue
        if _ERREXIT_OFF.match(text):
            errexit_off = True
        elif _ERREXIT_ON.match(text):
            errexit_off = False
        line = base + start if base is not None else None
        masked = step.can_fail or errexit_off or bool(_MASK.search(text))
        if step.shell_per_line:
            dirs = [step.working_directory]
        for part in _SPLIT.split(_TRAILING_COMMENT.sub("", text.strip())):
            part = _PREFIX.sub("", part.strip())
            if cd := _CD.match(part):
                _change_dir(dirs, cd.group(1), cd.group(2) or "")
            if part and not _SKIP.match(part):
                out.append(Command(part, line, masked, dirs[-1]))
    for text in task_texts(step):
        out.append(Command(clip_line(text), step.line, step.can_fail, step.working_directory))
    return out


def in_one_shell(steps: list[Step]) -> list[Step]:
    """Script items that run one after another in one shell (GitLab `script`, Travis or Drone commands):
    each starts in the directory the previous one's `cd` left."""
    out: list[Step] = []
    for step in steps:
        if out and step.run:
            last = commands(out[-1])
            step = replace(step, working_directory=last[-1].workdir if last else out[-1].working_directory)
        out.append(step)
    return out


def _change_dir(dirs: list[str], verb: str, target: str) -> None:
    """Follow `cd DIR`, `pushd DIR`, `popd` and `cd -` on a stack of directories, relative to the repo
    root. A target with a variable or home is kept as a `$` path: scripts then resolve from the root."""
    if verb == "popd" or target == "-":
        if len(dirs) > 1:
            dirs.pop()
        return
    if not target or target.startswith("~"):
        target = "$HOME"
    current = dirs[-1]
    if "$" in target or target.startswith("/") or "$" in current:
        new = target
    else:
        new = posixpath.normpath(posixpath.join(current, target))
    dirs.append("$OUTSIDE" if new.startswith("..") else new)


def python_targets(text: str) -> list[str]:
    """Python scripts (`path.py`) and modules (`pkg.mod`) a command runs."""
    return [m.group(1) or m.group(2) for m in _PY_TARGET.finditer(text)]


def _script_category(command: str) -> list[tuple[str, str]]:
    """Categories told by the names of the scripts a command runs (train.py, evaluate.py, deploy.sh...)."""
    out: list[tuple[str, str]] = []
    names = [*python_targets(command), *(m.group(1) for m in _SH_TARGET.finditer(command))]
    for target in names:
        parts = [p for p in re.split(r"[/.]", target.lower()) if p not in ("", "py", "sh", "src")]
        last = parts[-1] if parts else ""
        if last.startswith("test") or "test_" in last:
            continue
        if re.search(r"eval|compare|champion|validate_model|model_validation|check_metric|assess", last):
            out.append((EVALUATE, ""))
        elif re.match(r"register|promote", last):
            out.append((REGISTER, ""))
        elif last.startswith("deploy"):
            out.append((DEPLOY, "script"))
        elif re.search(r"monitor|drift", last):
            out.append((MONITOR, ""))
        elif any(re.search(r"(?:^|_)(?:re)?train|^training$|finetun|fine_tun", p) for p in parts):
            out.append((TRAIN, ""))
    if _TRAIN_ARG.search(command):
        out.append((TRAIN, ""))
    return out


def _env(category: str, text: str) -> str:
    if category not in ENV_CATEGORIES:
        return ""
    text = _CI_SUBCOMMAND.sub("dagster-cloud", text)
    m = _SQLMESH_ENV.search(text) or _ENV_FLAG.search(" " + text)
    if m:
        return m.group(1).lower()
    if category == DATA_DEPLOY and re.search(r"\bdbt\b", text):
        return ""  # dbt without --target runs the profile's default target
    m = _ENV_TOKEN.search(text)
    return m.group(1).lower() if m else ""


@lru_cache(maxsize=16384)
def classify(step: Step) -> tuple[Hit, ...]:
    """Everything the step does, one hit per (command, category)."""
    out: list[Hit] = []
    for cmd in commands(step):
        if _NOT_RUN.search(cmd.text):
            continue
        found = [(r.category, r.target, r.model) for r in COMMAND_RULES if r.pattern.search(cmd.text)]
        found += [(cat, target, False) for cat, target in _script_category(cmd.text)]
        seen: set[str] = set()
        for category, target, model in found:
            if category == DEPLOY and target in ("script", "paas", "kubernetes") and _DOCS_WORDS.search(cmd.text):
                category, target = DOCS, ""
            if category in seen:
                continue
            seen.add(category)
            out.append(
                Hit(category, target, step.path, cmd.line, cmd.text, cmd.can_fail, model, _env(category, cmd.text))
            )
        if TEST in seen and INTEGRATION not in seen and _integration(cmd.text):
            out.append(Hit(INTEGRATION, "", step.path, cmd.line, cmd.text, cmd.can_fail))
    name = uses_name(step.uses)
    if name:
        known = [r for r in USES_RULES if uses_matches(name, r[0])]
        for prefix, category, target, model in known or _by_inputs(step, name, out):
            if uses_matches(name, prefix):
                out.append(
                    Hit(
                        category,
                        target,
                        step.path,
                        step.line,
                        step.uses,
                        step.can_fail,
                        model,
                        _env(category, " ".join(v for _, v in step.inputs)),
                    )
                )
    return tuple(out)


_WORKFLOW_EXT = re.compile(r"\.ya?ml$")
_REUSABLE = re.compile(r"/\.github/workflows/")
# A reusable workflow that cuts the release (tags, changelog, GitHub release), by its file name.
_RELEASE_NAME = re.compile(r"^(?:(?:create|cut|publish|tag)[-_])?releases?(?:[-_](?:tag|please|create))?$")
_DEPLOY_NAME = re.compile(r"(?:^|[/_-])(?:deploy|codepipeline|codedeploy)(?:$|[/_:-])")
_TERRAFORM_APPLY = re.compile(r"terraform[-_]apply|apply[-_]terraform|(?:^|[/_-])(?:tf|iac)[-_]apply")
_BUILD_NAME = re.compile(
    r"(?:^|[/_-])(?:build[-_](?:and[-_])?(?:push[-_])?(?:docker|image|container)s?|docker[-_]build)"
)
# Helpers around a deploy that do not deploy: setting parameters up, notifying, checking status.
_NOT_DEPLOY_NAME = re.compile(
    r"setup|set[-_]up|prepare|param|config|notif|slack|status|check|validate|verify|lint|approv|cleanup|destroy"
)
_DEPLOY_INPUT = re.compile(r"(?:^|[-_])(?:codepipeline|codedeploy|ecs[-_]service)(?:$|[-_])")
_SSH_DEPLOY = re.compile(
    r"\b(?:docker[- ]compose\b[^|;\n]*\s(?:up|pull)|systemctl\s+(?:restart|reload)|pm2\s+(?:restart|reload|start)"
    r"|supervisorctl\s+restart|git\s+pull)\b"
)


def _by_inputs(step: Step, name: str, found: list[Hit]) -> list[tuple[str, str, str, bool]]:
    """An action, orb or task not in the table, read by its name and inputs: a deploy when it is named as
    one or is given a CodePipeline/CodeDeploy/ECS service to update, or when it runs a script over SSH
    that restarts or pulls the service. Returns (prefix, category, target, model) rows."""
    if any(h.category in (DEPLOY, DOCS) for h in found):
        return []
    name = _WORKFLOW_EXT.sub("", name)
    if _REUSABLE.search(name) and _RELEASE_NAME.search(name.rsplit("/", 1)[-1]):
        return [(name, RELEASE, "", False)]
    if "ssh" in name and any(_SSH_DEPLOY.search(v) for _, v in step.inputs):
        return [(name, DEPLOY, "ssh", False)]
    if _DOCS_WORDS.search(name):
        return []
    if _TERRAFORM_APPLY.search(name):
        return [(name, DEPLOY, "terraform", False), (name, IAC_APPLY, "terraform", False)]
    if _BUILD_NAME.search(name):
        return [(name, BUILD, "", False)]
    keys = " ".join(k.lower() for k, _ in step.inputs)
    named = bool(_DEPLOY_NAME.search(name)) and not _NOT_DEPLOY_NAME.search(name)
    if any(_DEPLOY_INPUT.search(k.lower()) for k, _ in step.inputs) or named:
        aws = re.search(r"codepipeline|codedeploy|ecs|lambda", f"{name} {keys}")
        return [(name, DEPLOY, "aws" if aws else "script", False)]
    return []


def _integration(text: str) -> bool:
    """An integration suite: a pytest marker expression selecting `integration` (not `not integration`),
    an integration test folder or task, or testcontainers."""
    for m in _MARKER.finditer(" " + text):
        expr = next(g for g in m.groups() if g is not None)
        if "integration" in expr and not re.search(r"\bnot\s+integration", expr):
            return True
    return bool(_INTEGRATION.search(text))


_NOT_RUN = re.compile(r"--collect-only|\s--co\b|\s--version\b|\s--help\b")
_MARKER = re.compile(r"""\s-m\s+(?:"([^"]*)"|'([^']*)'|(\S+))""")
_INTEGRATION = re.compile(
    r"tests?/integration|integration[_-]?tests?"
    r"|integrationtest|test:(?:integration|e2e)|\be2e\b|testcontainers|-k\s+['\"]?integration"
    r"|--integration",
    re.IGNORECASE,
)


def hits(step: Step, *categories: str) -> list[Hit]:
    return [h for h in classify(step) if h.category in categories]


def gate_hits(step: Step, *categories: str) -> list[Hit]:
    """Hits that fail the step when the command fails (not masked by `|| true`, continue-on-error, ...)."""
    return [h for h in hits(step, *categories) if not h.can_fail]
