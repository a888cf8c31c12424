"""`aiops-scan merge PART...`: the evidence of `scan --shard K/N` runs combined into one document.

Repo targets, their findings and their assessments are copied from the part that scanned them. The
organisation-wide sources (the `github:ORG` target and its findings) are in every part and kept once,
from the lowest shard. The organisation roll-ups are recomputed from every repo with the rules the parts
were scanned with. Parts that do not fit together are refused (exit 2): another scanner version, rules
fingerprint or configuration, another shard count, a shard given twice, a repo in two parts, or a
missing shard (unless --allow-missing: the merge is then written and exits 3, never 0).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.engine.assess import AreaResult, Assessment, CriterionResult, DimensionResult
from scanner.engine.rollup import rollup
from scanner.engine.rules import RuleSet
from scanner.reporters.evidence import dumps, load_evidence, write_atomic
from scanner.targets import UsageError

EXIT_OK, EXIT_GATE, EXIT_PARTIAL = 0, 1, 3
PER_RUN_TARGET_KEYS = ("rate_limit_remaining", "rate_limit_waits")  # of the organisation-wide targets


class MergeError(UsageError):
    """Parts that cannot be merged into one honest document."""


Part = tuple[Path, dict[str, Any]]


def _shard(path: Path, doc: dict[str, Any]) -> dict[str, Any]:
    shard = doc.get("config", {}).get("shard")
    if not isinstance(shard, dict) or not {"index", "count", "fingerprint"} <= set(shard):
        raise MergeError(f"{path}: not the evidence of a `scan --shard K/N` run (no config.shard)")
    return shard


def check_parts(parts: list[Part], fingerprint: str) -> list[int]:
    """Refuse parts that do not belong together; returns the missing shard numbers."""
    versions = {doc["tool"]["version"] for _, doc in parts}
    if versions != {__version__}:
        found = ", ".join(f"{p.name}: {d['tool']['version']}" for p, d in parts)
        raise MergeError(f"parts from another scanner version than this one ({__version__}): {found}")
    shards = [(path, _shard(path, doc)) for path, doc in parts]
    fingerprints = {s["fingerprint"] for _, s in shards}
    if len(fingerprints) > 1:
        found = ", ".join(f"{p.name}: {s['fingerprint']}" for p, s in shards)
        raise MergeError(f"parts scanned with different rules or options (rules fingerprints {found})")
    if fingerprints != {fingerprint}:
        raise MergeError(
            f"the parts were scanned with other rules or options (fingerprint {fingerprints.pop()}) than these "
            f"({fingerprint}): give the same --rules DIR and scanner version"
        )
    counts = {s["count"] for _, s in shards}
    if len(counts) > 1:
        found = ", ".join(f"{p.name}: /{s['count']}" for p, s in shards)
        raise MergeError(f"parts of different shard counts: {found}")
    seen: dict[int, Path] = {}
    for path, shard in shards:
        if shard["index"] in seen:
            raise MergeError(f"shard {shard['index']}/{shard['count']} given twice: {seen[shard['index']]} and {path}")
        seen[shard["index"]] = path
    configs = {_json_key(_config_core(doc)) for _, doc in parts}
    if len(configs) > 1:
        raise MergeError("parts scanned with different configurations (config differs apart from targets and shard)")
    repos: dict[str, Path] = {}
    for path, doc in parts:
        for target in doc["targets"]:
            if target["kind"] == "repo":
                if target["id"] in repos:
                    raise MergeError(f"repo {target['id']!r} is in two parts: {repos[target['id']]} and {path}")
                repos[target["id"]] = path
    return sorted(set(range(1, counts.pop() + 1)) - set(seen))


def _config_core(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc["config"].items() if k not in ("targets", "shard")}


def _json_key(data: Any) -> str:
    return dumps(data)


def merge_documents(parts: list[Part], rules: RuleSet, missing: list[int]) -> dict[str, Any]:
    """One evidence document from checked parts (see check_parts)."""
    docs = [doc for _, doc in sorted(parts, key=lambda p: p[1]["config"]["shard"]["index"])]
    first = docs[0]
    targets: dict[str, dict[str, Any]] = {}
    findings: dict[str, dict[str, Any]] = {}
    assessments: dict[str, dict[str, Any]] = {}
    for doc in docs:
        for target in doc["targets"]:
            _merge_target(targets, target)
        for finding in doc["findings"]:
            findings.setdefault(finding["id"], finding)
        for assessment in doc["assessments"]:
            assessments.setdefault(assessment["scope"], assessment)
    repos = [t for t in targets.values() if t["kind"] == "repo"]
    repo_ids = {t["id"] for t in repos}
    # a scope that is not a repo's: an estate roll-up (recomputed from all its repos), or a source assessed
    # on its own because no repo of the part links to it (or the part had no repo at all): kept only if
    # every part with repos has it, as a single run over all the repos would
    with_repos = [{a["scope"] for a in d["assessments"]} for d in docs]
    with_repos = [scopes for scopes in with_repos if scopes & repo_ids]
    for scope in [s for s in assessments if s not in repo_ids]:
        members = [assessments[t["id"]] for t in repos if t.get("estate") == scope and t["id"] in assessments]
        if scope.startswith("org:") and members:
            assessments[scope] = rollup(scope, rules, [assessment_from_json(a) for a in members]).to_json()
        elif not all(scope in scopes for scopes in with_repos):
            del assessments[scope]
    config = dict(first["config"])
    config["targets"] = _config_targets(docs, repos)
    shard = first["config"]["shard"]
    config["shard"] = {
        "count": shard["count"],
        "merged": sorted(d["config"]["shard"]["index"] for d in docs),
        "missing": missing,
        "fingerprint": shard["fingerprint"],
    }
    return {
        **{k: v for k, v in first.items() if k not in ("config", "targets", "findings", "assessments", "stats")},
        "started_at": min(d["started_at"] for d in docs),
        "finished_at": max(d["finished_at"] for d in docs),
        "config": config,
        "targets": [targets[k] for k in sorted(targets)],
        "findings": [findings[k] for k in sorted(findings)],
        "assessments": sorted(assessments.values(), key=lambda a: (a["scope"].startswith("org:"), a["scope"])),
        "stats": _stats(docs, len(findings)),
    }


def _merge_target(targets: dict[str, dict[str, Any]], target: dict[str, Any]) -> None:
    """A repo is in one part; an organisation-wide target is in every part: an error in any part is kept,
    and its per-run rate-limit notes are combined."""
    have = targets.get(target["id"])
    if have is None:
        targets[target["id"]] = dict(target)
        return
    if target["status"] == "error" and have["status"] != "error":
        have["status"], have["error"] = "error", target.get("error", "")
    if "rate_limit_remaining" in target:
        have["rate_limit_remaining"] = min(
            have.get("rate_limit_remaining", target["rate_limit_remaining"]), target["rate_limit_remaining"]
        )
    if target.get("rate_limit_waits"):
        have["rate_limit_waits"] = (have.get("rate_limit_waits", []) + target["rate_limit_waits"])[-20:]


def _config_targets(docs: list[dict[str, Any]], repos: list[dict[str, Any]]) -> list[str]:
    """The scanned targets of every part, in the order a single run lists them (by GitHub full name)."""
    names = {str(t["path"]): str(t.get("github", t["id"])).lower() for t in repos if "path" in t}
    entries = {entry for doc in docs for entry in doc["config"].get("targets", [])}
    return sorted(entries, key=lambda e: (names.get(e, e.lower()), e))


def _stats(docs: list[dict[str, Any]], findings: int) -> dict[str, Any]:
    stats = dict(docs[0]["stats"])
    stats["duration_s"] = max(d["stats"].get("duration_s", 0) for d in docs)  # the shards run side by side
    stats["findings"] = findings
    for key in ("repos", "cache_hits"):
        stats[key] = sum(d["stats"].get(key, 0) for d in docs)
    for key in ("api_calls", "timings_s"):
        total: dict[str, Any] = {}
        for doc in docs:
            for name, value in (doc["stats"].get(key) or {}).items():
                total[name] = round(total.get(name, 0) + value, 3)
        stats[key] = dict(sorted(total.items()))
    return stats


# assessments back from JSON (the roll-up reads them as objects) ----------------------------------------
def _criterion(d: dict[str, Any]) -> CriterionResult:
    return CriterionResult(
        d["level"],
        d["id"],
        d["text"],
        d["result"],
        tuple(d.get("findings", [])),
        tuple(d.get("reasons", [])),
        d.get("next", ""),
        d.get("attested"),
    )


DIMENSION_KEYS = ("title", "level", "status", "confidence", "criteria", "next", "cell", "reason")


def _dimension(area: str, dim: str, d: dict[str, Any]) -> DimensionResult:
    return DimensionResult(
        area,
        dim,
        d["title"],
        d["status"],
        d["level"],
        d["confidence"],
        tuple(_criterion(c) for c in d.get("criteria", [])),
        list(d.get("next", [])),
        cell=d.get("cell", ""),
        reason=d.get("reason", ""),
        extra={k: v for k, v in d.items() if k not in DIMENSION_KEYS},
    )


def assessment_from_json(d: dict[str, Any]) -> Assessment:
    areas = {
        area_id: AreaResult(
            area_id,
            a["title"],
            a["status"],
            a["level"],
            a["lowest"],
            {dim_id: _dimension(area_id, dim_id, x) for dim_id, x in a["dimensions"].items()},
            a.get("reason", ""),
        )
        for area_id, a in d["areas"].items()
    }
    return Assessment(
        d["scope"], d["status"], areas, {k: v for k, v in d.items() if k not in ("scope", "status", "areas")}
    )


# the command -----------------------------------------------------------------------------------------
def merge_command(args: argparse.Namespace) -> int:
    from scanner.cli import _load
    from scanner.fingerprint import evidence_fingerprint
    from scanner.gates import evaluate_gate
    from scanner.outputs import baseline_diff, write_reports
    from scanner.registry import aliases

    probes, rules = _load(args.rules)
    renamed = aliases(probes)
    parts = [(path, load_evidence(path, renamed)) for path in args.parts]
    # parts scanned with other options than the first have another fingerprint: check_parts refuses them
    missing = check_parts(parts, evidence_fingerprint(args.rules, parts[0][1]))
    if missing and not args.allow_missing:
        count = _shard(*parts[0])["count"]
        raise MergeError(
            f"shard(s) {', '.join(f'{k}/{count}' for k in missing)} missing: a merge without them would "
            "leave their repos out of the roll-ups (--allow-missing merges anyway and exits 3)"
        )
    document = merge_documents(parts, rules, missing)
    write_atomic(args.json, dumps(document))
    gate = evaluate_gate(document, args.fail_below, {}) if args.fail_below else None
    diff = baseline_diff(load_evidence(args.baseline, renamed) if args.baseline else None, document)
    paths = {"html": args.html, "markdown": args.markdown, "sarif": args.sarif}
    written = write_reports(document, paths, diff, gate)
    if not args.quiet:
        for path in [args.json, *written]:
            print(f"written: {path}")
    if missing:
        print(f"aiops-scan: warning: shards {missing} missing: their repos are not in the roll-ups", file=sys.stderr)
    if gate is not None:
        stream = sys.stdout if gate["passed"] else sys.stderr
        if not gate["passed"] or not args.quiet:
            for line in gate["messages"]:
                print(f"gate: {line}", file=stream)
        if not gate["passed"]:
            return EXIT_GATE
    incomplete = any(t["status"] == "error" for t in document["targets"])
    return EXIT_PARTIAL if missing or incomplete else EXIT_OK
