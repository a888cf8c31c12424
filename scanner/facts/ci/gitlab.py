"""GitLab CI: `.gitlab-ci.yml` at the root, plus the `include: local:` files it names.

Jobs are the top-level mappings that are not keywords or hidden (`.name`) templates; `extends` and
`!reference [.job, key]` are resolved best effort, `default:` scripts applied. `rules`/`only`/`except`
become per-job triggers, `workflow: rules` the pipeline's. Stage order gives implicit `needs`.
Remote, project and template includes are noted in `Pipeline.includes`, never fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from scanner.facts.ci._gitlab_rules import job_triggers, rule_triggers
from scanner.facts.ci._util import Source, as_list, as_map, as_str, as_strs, stamp, truthy
from scanner.facts.ci.commands import in_one_shell
from scanner.facts.ci.model import PUSH, Job, ParseError, Pipeline, Step, Trigger
from scanner.facts.ci.systems import CISystem
from scanner.facts.paths import match_glob
from scanner.facts.repo_index import RepoIndex

SYSTEM = "gitlab"
GLOBS = (".gitlab-ci.yml",)
KEYWORDS = frozenset(
    {
        "stages",
        "variables",
        "default",
        "include",
        "workflow",
        "image",
        "services",
        "before_script",
        "after_script",
        "cache",
        "spec",
    }
)
DEFAULT_STAGES = (".pre", "build", "test", "deploy", ".post")
NON_DEPLOY_ENV_ACTIONS = frozenset({"stop", "prepare", "verify", "access"})
MAX_INCLUDE_DEPTH = 3


@dataclass
class _Origin:
    src: Source
    keys: tuple[str, ...]  # where the mapping holding the value sits in its file


def parse(index: RepoIndex, path: str) -> tuple[Pipeline | None, list[ParseError]]:
    merged: dict[str, Any] = {}
    origins: dict[str, _Origin] = {}
    notes: list[str] = []
    errors: list[ParseError] = []
    if not _load(index, path, merged, origins, notes, errors, 0, set()):
        return None, errors
    main_src = origins.get("\0main")
    assert main_src is not None
    workflow_rules = as_list(as_map(merged.get("workflow")).get("rules"))
    default_triggers = (Trigger(PUSH, event="push", line=1, path=path),)
    wf_origin = origins.get("workflow", main_src)
    triggers = (
        stamp(rule_triggers(wf_origin.src, ("workflow", "rules"), workflow_rules, default_triggers), wf_origin.src.path)
        if workflow_rules
        else default_triggers
    )
    stages = as_strs(merged.get("stages")) or DEFAULT_STAGES
    found = [job for name in merged if (job := _job(name, merged, origins, triggers))]
    jobs = _stage_needs(found, stages)
    pipeline = Pipeline(
        path,
        SYSTEM,
        as_str(as_map(merged.get("workflow")).get("name")) or path,
        triggers,
        tuple(jobs),
        line=1,
        includes=tuple(notes),
    )
    return pipeline, errors


def _load(
    index: RepoIndex,
    path: str,
    merged: dict[str, Any],
    origins: dict[str, _Origin],
    notes: list[str],
    errors: list[ParseError],
    depth: int,
    seen: set[str],
) -> bool:
    seen.add(path)
    parsed = index.yaml(path)
    if parsed.error:
        errors.append(ParseError(path, parsed.error_line, f"invalid YAML: {parsed.error}"))
        return False
    data = parsed.docs[-1].data if parsed.docs else None  # a `spec:` header document comes first
    if not isinstance(data, dict):
        errors.append(ParseError(path, 1, "GitLab CI file is not a mapping"))
        return False
    src = Source(path, parsed.docs[-1], index.text(path) or "")
    if depth == 0:
        origins["\0main"] = _Origin(src, ())
    for inc_path in _includes(index, src, data.get("include"), notes):
        if inc_path not in seen and depth < MAX_INCLUDE_DEPTH:
            _load(index, inc_path, merged, origins, notes, errors, depth + 1, seen)
    for key, value in data.items():
        if key == "include":
            continue
        merged[key] = _deep_merge(merged.get(key), value)
        origins[key] = _Origin(src, (key,))
    errors.extend(src.errors)
    return True


def _includes(index: RepoIndex, src: Source, value: Any, notes: list[str]) -> list[str]:
    out = []
    for item in as_list(value):
        if isinstance(item, str):
            item = {"remote": item} if item.startswith(("http://", "https://")) else {"local": item}
        item = as_map(item)
        local = as_str(item.get("local"))
        if local:
            pattern = local.lstrip("/")
            found = (
                [p for p in index.paths(kinds=None) if match_glob(p, pattern)]
                if "*" in pattern
                else ([pattern] if index.has(pattern) else [])
            )
            if not found:
                notes.append(f"local:{pattern} (not found)")
            out.extend(found)
        else:
            kind = next((k for k in ("project", "remote", "template", "component") if k in item), "include")
            files = f" {','.join(as_strs(item.get('file')))}" if "file" in item else ""
            notes.append(f"{kind}:{as_str(item.get(kind))}{files}")
    return out


def _deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for k, v in override.items():
            out[k] = _deep_merge(base.get(k), v)
        return out
    return override


# jobs ----------------------------------------------------------------------------------------
def _resolve(
    name: str, merged: dict[str, Any], origins: dict[str, _Origin], depth: int = 0
) -> tuple[dict[str, Any], dict[str, _Origin]]:
    """A job's configuration with `extends` applied, and for each key the file it came from."""
    cfg = as_map(merged.get(name))
    own = origins.get(name)
    result: dict[str, Any] = {}
    prov: dict[str, _Origin] = {}
    if depth < 10:
        for base in as_strs(cfg.get("extends")):
            if base in merged and base != name:
                base_cfg, base_prov = _resolve(base, merged, origins, depth + 1)
                result = _deep_merge(result, base_cfg)
                prov.update(base_prov)
    result = _deep_merge(result, {k: v for k, v in cfg.items() if k != "extends"})
    if own is not None:
        prov.update({k: own for k in cfg if k != "extends"})
    return result, prov


def _job(
    name: str, merged: dict[str, Any], origins: dict[str, _Origin], triggers: tuple[Trigger, ...]
) -> tuple[Job, bool] | None:
    """The job and whether it declares `needs:` (else it waits for the previous stage)."""
    if name in KEYWORDS or name.startswith((".", "\0")) or not isinstance(merged.get(name), dict):
        return None
    cfg, prov = _resolve(name, merged, origins)
    if not any(k in cfg for k in ("script", "trigger", "run")):
        return None
    own = origins[name]
    if as_str(cfg.get("when")) == "never":
        return None
    env = cfg.get("environment")
    env_name = as_str(as_map(env).get("name")) if isinstance(env, dict) else as_str(env)
    if isinstance(env, dict) and as_str(env.get("action")) in NON_DEPLOY_ENV_ACTIONS:
        env_name = ""
    allow = cfg.get("allow_failure")
    rules_at = prov.get("rules") or prov.get("only") or prov.get("except") or own
    job = Job(
        id=name,
        name=name,
        line=own.src.line(name),
        path=own.src.path,
        steps=tuple(_steps(name, cfg, prov, merged, origins)),
        needs=tuple(n for n in (_need(x) for x in as_list(cfg.get("needs"))) if n),
        environment=env_name or None,
        manual_gate=as_str(cfg.get("when")) == "manual",
        can_fail=truthy(allow),
        services=tuple(_service(s) for s in as_list(cfg.get("services", merged.get("services")))),
        condition=as_str(cfg.get("rules")) if "rules" in cfg else "",
        triggers=job_triggers(rules_at.src, rules_at.keys, cfg, triggers),
        stage=as_str(cfg.get("stage")) or "test",
        uses=_trigger_target(cfg.get("trigger")),
    )
    return job, "needs" in cfg


def _steps(
    name: str, cfg: dict[str, Any], prov: dict[str, _Origin], merged: dict[str, Any], origins: dict[str, _Origin]
) -> list[Step]:
    default = as_map(merged.get("default"))
    out: list[Step] = []
    for key in ("before_script", "script", "after_script"):
        if key in cfg:
            value, origin = cfg[key], prov.get(key, origins[name])
        elif key != "script" and key in default:
            value, origin = default[key], origins.get("default", origins[name])
        elif key != "script" and key in merged:
            value, origin = merged[key], _Origin(origins[key].src, ())
        else:
            continue
        base = (*origin.keys, key) if origin.keys else (key,)
        for i, item in enumerate(as_list(value)):
            for text in _expand(item, merged):
                line = origin.src.value_line(*base, i)
                out.append(
                    Step(
                        name=key,
                        path=origin.src.path,
                        line=line,
                        run=text,
                        can_fail=key == "after_script",
                        run_line=line,
                    )
                )
    # before_script and script share one shell; after_script starts a new one in the project directory
    shell = [s for s in out if s.name != "after_script"]
    return in_one_shell(shell) + [s for s in out if s.name == "after_script"]


def _expand(item: Any, merged: dict[str, Any]) -> list[str]:
    """A script item: a string, a nested list (anchors), or an unresolved `!reference [.job, key]`."""
    if isinstance(item, list):
        if len(item) in (2, 3) and all(isinstance(x, str) for x in item) and str(item[0]) in merged:
            ref: Any = merged
            for key in item:
                ref = as_map(ref).get(key) if isinstance(ref, dict) else None
            return [as_str(x) for x in as_list(ref)] if ref is not None else []
        return [t for x in item for t in _expand(x, merged)]
    return [as_str(item)] if item is not None else []


def _need(value: Any) -> str:
    if isinstance(value, dict):
        return as_str(value.get("job"))
    return as_str(value)


def _service(value: Any) -> str:
    return as_str(as_map(value).get("name")) if isinstance(value, dict) else as_str(value)


def _trigger_target(value: Any) -> str:
    if isinstance(value, dict):
        inc = value.get("include")
        if inc is not None:
            first = as_list(inc)[0] if as_list(inc) else ""
            return as_str(as_map(first).get("local") or first) if not isinstance(first, str) else first
        return as_str(value.get("project"))
    return as_str(value)


def _stage_needs(jobs: list[tuple[Job, bool]], stages: tuple[str, ...]) -> list[Job]:
    """Jobs without `needs:` wait for every job of the previous non-empty stage."""
    order = {s: i for i, s in enumerate(stages)}
    by_stage: dict[int, list[str]] = {}
    for job, _ in jobs:
        by_stage.setdefault(order.get(job.stage, len(stages)), []).append(job.id)
    out = []
    for job, declared in jobs:
        if not declared:
            here = order.get(job.stage, len(stages))
            earlier = [i for i in by_stage if i < here]
            if earlier:
                job = replace(job, needs=tuple(by_stage[max(earlier)]))
        out.append(job)
    return out


PLUGIN = CISystem(name=SYSTEM, globs=GLOBS, parse=parse, lookalikes=("**/.gitlab-ci.yml",), owned=(".gitlab/**",))
