"""Google Cloud Build: any YAML/JSON config whose top-level `steps:` run builder images (`name:` an
image such as `gcr.io/cloud-builders/docker`, or a user substitution naming one: `$_CICD_IMAGE`, with
`args`/`entrypoint`/`script`), not only `cloudbuild.yaml`. Each step is a job (they run in order unless
`waitFor` says otherwise); a step's command is its `script`, its `entrypoint` with `args` (`bash -c '...'`),
or the builder's tool with its args (`docker build ...`, `gcloud run deploy ...`). Triggers live in Cloud
Build (or Terraform): an external trigger."""

from __future__ import annotations

import re
from typing import Any

from scanner.facts.ci._simple import load
from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs
from scanner.facts.ci.model import EXTERNAL, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.repo_index import RepoIndex

SYSTEM = "cloud_build"
GLOBS = ("**/*.yaml", "**/*.yml", "**/cloudbuild*.json")
# A builder image, or a user-defined substitution naming one (`$_CICD_IMAGE`, `${_IMAGE_URI}`).
_BUILDER = re.compile(
    r"^(?:[\w.-]+\.)?(?:gcr\.io|pkg\.dev)/|^(?:docker\.io/)?[\w.-]+(?:/[\w.-]+)?(?::[\w.-]+)?$|^\$\{?_[A-Z0-9_]+\}?$"
)
_STEP_KEYS = frozenset(
    {"args", "entrypoint", "script", "waitFor", "id", "dir", "env", "secretEnv", "volumes", "timeout"}
)
_OTHER_CI = frozenset({"jobs", "on", "stages", "pipelines", "workflows", "phases", "kind", "apiVersion", "spec"})


def detect(index: RepoIndex, path: str) -> bool:
    text = index.text(path) or ""
    if "steps" not in text[:20000] or not re.search(r"^steps\s*:|\"steps\"\s*:", text, re.MULTILINE):
        return False
    data = index.json(path) if path.endswith(".json") else index.yaml_data(path)
    if not isinstance(data, dict) or _OTHER_CI.intersection(data):
        return False
    steps = [s for s in as_list(data.get("steps")) if isinstance(s, dict)]
    if not steps:
        return False
    named = "cloudbuild" in path.rsplit("/", 1)[-1].lower()
    builders = all(isinstance(s.get("name"), str) and _BUILDER.match(s["name"]) for s in steps)
    shaped = all(_STEP_KEYS.intersection(s) for s in steps)
    google = any("gcr.io/" in as_str(s.get("name")) or "pkg.dev/" in as_str(s.get("name")) for s in steps)
    return builders and shaped and (named or google or "substitutions" in data or "images" in data)


def parse(index: RepoIndex, path: str) -> tuple[Pipeline | None, list[ParseError]]:
    src, errors = load(index, path, "Cloud Build config")
    if src is None:
        return None, errors
    trigger = Trigger(EXTERNAL, event="cloudbuild-trigger", detail="Cloud Build trigger", line=1, path=path)
    jobs: list[Job] = []
    for i, raw in enumerate(as_list(src.data.get("steps"))):
        cfg = as_map(raw)
        jid = as_str(cfg.get("id")) or f"step-{i + 1}"
        wait = as_strs(cfg.get("waitFor"))
        needs = tuple(w for w in wait if w != "-") if wait else ((jobs[-1].id,) if jobs else ())
        step = _step(src, i, cfg)
        jobs.append(
            Job(
                id=jid,
                name=jid,
                line=src.line("steps", i),
                path=path,
                steps=(step,) if step else (),
                needs=needs,
                can_fail=bool(cfg.get("allowFailure")),
            )
        )
    return Pipeline(path, SYSTEM, path, (trigger,), tuple(jobs), line=1), errors


def _step(src: Source, i: int, cfg: dict[str, Any]) -> Step | None:
    image = as_str(cfg.get("name"))
    tool = image.split("@")[0].split(":")[0].rsplit("/", 1)[-1]
    args = [as_str(a) for a in as_list(cfg.get("args"))]
    entry = as_str(cfg.get("entrypoint"))
    keys: tuple[str | int, ...] = ("steps", i, "args")
    if cfg.get("script"):
        run, keys = as_str(cfg.get("script")), ("steps", i, "script")
    elif entry in ("bash", "sh", "/bin/bash", "/bin/sh") and "-c" in args:
        run = "\n".join(args[args.index("-c") + 1 :])
        keys = ("steps", i, "args", args.index("-c") + 1)
    elif entry:
        run = " ".join([entry, *args])
    elif tool in ("cloudsdktool", "google-cloud-cli", "cloud-sdk"):
        run = " ".join(["gcloud", *args])
    else:
        run = " ".join([tool, *args])
    if not run.strip():
        return None
    return Step(
        name=as_str(cfg.get("id")) or image,
        path=src.path,
        line=src.line("steps", i),
        run=run,
        run_line=src.value_line(*keys) or src.line("steps", i),
        uses=image,
        working_directory=as_str(cfg.get("dir")),
        can_fail=bool(cfg.get("allowFailure")),
    )


PLUGIN = CISystem(
    name=SYSTEM,
    globs=GLOBS,
    parse=parse,
    detect=detect,
    named=False,
    owned=("**/cloudbuild*.yaml", "**/cloudbuild*.yml", "**/cloudbuild*.json"),
)
