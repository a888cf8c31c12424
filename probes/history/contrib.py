"""Who changes what: DS-role authors on pipeline and monitoring definitions, domain experts on model
configs, and the bus factor of model and serving code."""

from __future__ import annotations

from collections import Counter

from scanner.model import Finding
from scanner.probekit import hit, miss, not_applicable, probe
from scanner.views import Views

from ._common import commit_locations, missing_history, names, window_words
from ._files import (
    FileClass,
    model_code_files,
    model_config_files,
    monitoring_files,
    orchestrator_files,
    transformation_files,
)

BUS_SHARE = 0.8


def _by_roles(views: Views, signal: str, files: FileClass, roles: set[str], who: str) -> Finding:
    """A finding on commits to `files` in which an author of one of `roles` took part."""
    history, index = views.history, views.repo
    if history is None or index is None:
        return missing_history(views, [signal])[0]
    present = files.present(index)
    touched = history.touching(files)
    if not present and not touched:
        return not_applicable(views, signal, f"no {files.name} in the repository or its recent history")
    hits = [(c, paths) for c, paths in touched if roles & history.roles_in(c)]
    keys = {k for c, _ in hits for k in c.identities if history.role_of(k) in roles}
    values = {
        "commits": len(hits),
        "authors": len(keys),
        "files_at_head": len(present),
        "commits_on_files": len(touched),
    }
    if hits:
        locs = commit_locations(history, ((c, paths[0]) for c, paths in hits))
        msg = f"{len(keys)} {who} ({names(history, keys)}) made {len(hits)} commit(s) on {files.name}"
        return hit(views, signal, locs, msg, confidence="low", values={**values, "count": len(hits)})
    msg = f"{len(touched)} commit(s) on {files.name} in {window_words(history)}, none by {who}"
    return miss(views, signal, msg, values=values, confidence="low")


@probe(
    "people.ds_in_orchestrator",
    summary="DS-role authors commit to orchestrator/pipeline definitions (Airflow, DVC, Kubeflow, Azure ML, ...)",
    needs=("repo", "history"),
    evidence=("commit", "file"),
    remediation="Have data scientists commit to the pipeline definitions (Airflow, DVC, Kubeflow, Azure ML) "
    "that run their models.",
)
def ds_in_orchestrator(views: Views) -> list[Finding]:
    if views.repo is None:
        return missing_history(views, ["people.ds_in_orchestrator"])
    files = orchestrator_files(views.repo)
    return [_by_roles(views, "people.ds_in_orchestrator", files, {"DS"}, "DS-role author(s)")]


@probe(
    "people.ds_in_monitoring",
    summary="DS-role authors change monitoring code (drift monitors, metric emitters, alert rules)",
    needs=("repo", "history"),
    evidence=("commit", "file"),
    remediation="Have data scientists own or co-own the monitoring code (drift monitors, metric emitters, alert "
    "rules) of their models.",
)
def ds_in_monitoring(views: Views) -> list[Finding]:
    if views.repo is None:
        return missing_history(views, ["people.ds_in_monitoring"])
    files = monitoring_files(views.repo)
    return [_by_roles(views, "people.ds_in_monitoring", files, {"DS"}, "DS-role author(s)")]


@probe(
    "people.sme_contrib.model_config",
    summary="Authors who are neither DS nor SE change model configs, label/rule files or prompts",
    needs=("repo", "history"),
    evidence=("commit", "file"),
    remediation="Let subject-matter experts change model configurations, labels, rules and prompts directly, "
    "through files they can edit and review.",
)
def sme_contrib(views: Views) -> list[Finding]:
    signal = "people.sme_contrib.model_config"
    if views.repo is None:
        return missing_history(views, [signal])
    files = model_config_files(views.repo)
    return [_by_roles(views, signal, files, {"DE", "OPS", "PROMPT", "OTHER"}, "author(s) neither DS nor SE")]


@probe(
    "git.bus_factor.model_paths",
    summary="How many authors cover 80% of the commits on model, training and serving code, or on the data "
    "transformation code of a data platform without models (true: 2 or more)",
    needs=("repo", "history"),
    evidence=("commit", "file"),
    remediation="Spread work on the model, training and serving code over at least two people (pairing, reviews "
    "that become contributions, rotating ownership).",
)
def bus_factor(views: Views) -> list[Finding]:
    return [_bus_finding(views, "git.bus_factor.model_paths")]


def _bus_finding(views: Views, signal: str) -> Finding:
    history, index = views.history, views.repo
    if history is None or index is None:
        return missing_history(views, [signal])[0]
    files = model_code_files(index)
    touched = history.touching(files)
    # a data platform: its transformations, the larger body of work, are what is integrated and released
    transformations = transformation_files(index)
    transformed = history.touching(transformations)
    if len(transformed) > len(touched) or not (touched or files.present(index)):
        files, touched = transformations, transformed
    if not touched and not files.present(index):
        return not_applicable(views, signal, "no model, training, serving or data transformation code")
    credit: Counter[str] = Counter(k for c, _ in touched for k in c.identities)
    factor = _bus_factor(credit)
    values = {
        "bus_factor": factor,
        "code": files.name,
        "commits": len(touched),
        "authors": len(credit),
        "roles": dict(sorted(Counter(history.role_of(k) for k in credit).items())),
    }
    locs = commit_locations(history, ((c, paths[0]) for c, paths in touched))
    if factor >= 2:
        msg = f"{factor} authors cover {BUS_SHARE:.0%} of {len(touched)} commits on {files.name}"
        return hit(views, signal, locs, msg, values={**values, "count": factor})
    if not touched:
        msg = f"no commit on {files.name} in {window_words(history)}"
    else:
        top = credit.most_common(1)[0][0]
        msg = f"one author ({names(history, [top])}) covers {BUS_SHARE:.0%} of {len(touched)} commits on {files.name}"
    return miss(views, signal, msg, values=values, locations=locs or None)


def _bus_factor(credit: Counter[str]) -> int:
    total = sum(credit.values())
    covered = 0
    for n, (_, count) in enumerate(credit.most_common(), start=1):
        covered += count
        if covered >= BUS_SHARE * total:
            return n
    return 0
