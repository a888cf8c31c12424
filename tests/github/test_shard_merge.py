"""`scan github:ORG --shard K/N` and `aiops-scan merge`: a CI matrix of shards equals one run."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.cli import main
from scanner.collectors.github.collector import shard_of
from scanner.reporters.evidence import dumps

from ..e2e.conftest import check_with_contract_tool
from .fake_github import FakeGitHub
from .test_github_scan import SCHEMA, run

# Inherently per run, so normalised: when and how long each run took, and the API calls of the
# organisation itself (each shard lists the organisation and reads its teams once). The merged
# document also says which shards it was merged from (config.shard).
PER_RUN_API = ("rest", "graphql_points", "not_modified")


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["started_at"] = doc["finished_at"] = "-"
    doc["stats"]["duration_s"] = 0
    doc["stats"]["timings_s"] = {}
    for key in PER_RUN_API:
        doc["stats"]["api_calls"][key] = 0
    doc["config"].pop("shard", None)
    return doc


def scan_into(fake: FakeGitHub, tmp: Path, name: str, *extra: str) -> tuple[int, dict[str, Any]]:
    """Each run from a cold cache at the same place, as each CI job starts from a fresh one."""
    shutil.rmtree(tmp / "cache", ignore_errors=True)
    return run(fake, tmp, *extra, name=name)


def test_shard_of_is_stable_and_partitions_the_repos() -> None:
    names = [f"acme/repo-{i}" for i in range(300)]
    for count in (1, 2, 3, 8):
        shards = [shard_of(n, count) for n in names]
        assert set(shards) == set(range(1, count + 1))  # every shard gets repos, no other numbers
    digest = hashlib.sha256(b"acme/llm-app").digest()  # the documented hash: stable across machines
    assert shard_of("ACME/LLM-App", 7) == int.from_bytes(digest[:8], "big") % 7 + 1


@pytest.mark.parametrize("spec", ["0/3", "4/3", "1/0", "x", "1/3/2", "-1/3", ""])
def test_bad_shard_values_exit_2(spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "github:acme", f"--shard={spec}", "--quiet"]) == 2
    assert "--shard" in capsys.readouterr().err


def test_shard_needs_a_github_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(tmp_path), "--shard", "1/2", "--quiet"]) == 2
    assert "github:ORG" in capsys.readouterr().err


def test_three_shards_merge_to_the_single_run(fake: FakeGitHub, tmp_path: Path) -> None:
    code, single = scan_into(fake, tmp_path, "single.json")
    assert code == 0
    parts, repos = [], []
    for k in (1, 2, 3):
        code, doc = scan_into(fake, tmp_path, f"part{k}.json", "--shard", f"{k}/3")
        assert code == 0 and doc["config"]["shard"]["index"] == k
        repos.append(sorted(t["id"] for t in doc["targets"] if t["kind"] == "repo"))
        parts.append(tmp_path / f"part{k}.json")
        check_with_contract_tool(parts[-1])  # the empty shard too: no estate assessed from teams alone
    # disjoint, complete, and one shard empty (3 repos in 3 shards by hash): the roll-ups need every part
    assert sorted(r for ids in repos for r in ids) == ["llm-app", "pipeline-dvc-mlflow", "team-platform"]
    assert [] in repos
    merged = tmp_path / "merged.json"
    assert main(["merge", *map(str, reversed(parts)), "--json", str(merged), "--quiet"]) == 0
    check_with_contract_tool(merged)
    doc = json.loads(merged.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["config"]["shard"]["merged"] == [1, 2, 3] and doc["config"]["shard"]["missing"] == []
    assert dumps(normalise(doc)) == dumps(normalise(single))
    assert doc["stats"]["api_calls"]["graphql_points"] > single["stats"]["api_calls"]["graphql_points"]
    # against a baseline (the single run): the merge loads it and writes the report (it crashed before)
    md = tmp_path / "merged.md"
    args = ["--json", str(tmp_path / "m2.json"), "--baseline", str(tmp_path / "single.json"), "--markdown", str(md)]
    assert main(["merge", *map(str, parts), *args, "--quiet"]) == 0
    assert md.read_text(encoding="utf-8").strip()


def test_merge_refuses_parts_that_do_not_fit(
    fake: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parts = {}
    for spec in ("1/2", "2/2"):
        scan_into(fake, tmp_path, f"p{spec[0]}.json", "--shard", spec)
        parts[spec] = tmp_path / f"p{spec[0]}.json"
    out = tmp_path / "merged.json"

    def merge(*paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, str]:
        code = main(["merge", *map(str, paths), "--json", str(out), "--quiet", *extra])
        return code, capsys.readouterr().err

    def edited(path: Path, name: str, change: Any) -> Path:
        doc = json.loads(path.read_text())
        change(doc)
        new = tmp_path / name
        new.write_text(json.dumps(doc))
        return new

    code, err = merge(parts["1/2"])
    assert code == 2 and "2/2 missing" in err and not out.exists()  # a nightly never goes green without a shard
    code, err = merge(parts["1/2"], extra=("--allow-missing",))
    assert code == 3 and "missing" in err and json.loads(out.read_text())["config"]["shard"]["missing"] == [2]
    out.unlink()
    code, err = merge(parts["1/2"], parts["1/2"])
    assert code == 2 and "given twice" in err
    other_rules = edited(parts["2/2"], "rules.json", lambda d: d["config"]["shard"].update(fingerprint="0" * 16))
    code, err = merge(parts["1/2"], other_rules)
    assert code == 2 and "different rules" in err
    old = edited(parts["2/2"], "old.json", lambda d: d["tool"].update(version="0.0.1"))
    code, err = merge(parts["1/2"], old)
    assert code == 2 and "scanner version" in err
    three = edited(parts["2/2"], "three.json", lambda d: d["config"]["shard"].update(count=3))
    code, err = merge(parts["1/2"], three)
    assert code == 2 and "shard counts" in err

    dup = edited(parts["1/2"], "dup2.json", lambda d: d["config"]["shard"].update(index=2))
    code, err = merge(parts["1/2"], dup)
    assert code == 2 and "in two parts" in err
    unsharded = tmp_path / "unsharded.json"
    run(fake, tmp_path, name="unsharded.json")
    code, err = merge(parts["1/2"], unsharded)
    assert code == 2 and "not the evidence of a `scan --shard" in err
    assert not out.exists()
    code, _ = merge(parts["2/2"], parts["1/2"], extra=("--fail-below", "leading"))
    assert code == 1 and out.exists()  # merged, then gated


SHARDED = Path(__file__).resolve().parents[2] / "docs" / "examples" / "nightly-sharded.yml"


def _commands(script: str) -> list[list[str]]:
    """The `aiops-scan ...` commands of a run script, with expressions and variables made concrete."""
    import re
    import shlex

    text = re.sub(r"\$\{\{[^}]*\}\}", "1", script.replace("\\\n", " "))
    text = text.replace('"${baseline[@]}"', "").replace("$ORG", "acme").replace("$SHARDS", "4")
    out = []
    for line in text.splitlines():
        line = line.split("||")[0].strip()
        if line.startswith("aiops-scan "):
            out.append(shlex.split(line)[1:])
    return out


def test_the_sharded_workflow_scans_every_shard_and_merges_them() -> None:
    import yaml

    from scanner.cli import _parser

    workflow = yaml.safe_load(SHARDED.read_text())
    scan, merge = workflow["jobs"]["scan"], workflow["jobs"]["merge"]
    shards = scan["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(workflow["env"]["SHARDS"]) + 1))
    assert scan["strategy"]["fail-fast"] is False
    assert merge["needs"] == "scan" and merge["if"] == "always()"  # a failed shard is reported, not skipped
    scripts = {job: "\n".join(s.get("run", "") for s in workflow["jobs"][job]["steps"]) for job in ("scan", "merge")}
    commands = {job: _commands(script) for job, script in scripts.items()}
    assert [c[0] for c in commands["scan"]] == ["scan"] and "--shard" in commands["scan"][0]
    assert [c[0] for c in commands["merge"]] == ["merge", "diff"] and "--fail-below" in commands["merge"][0]
    for command in commands["scan"] + commands["merge"]:
        _parser().parse_args(command)  # every option the workflow uses exists (argparse exits 2 otherwise)
    uploads = [s for s in scan["steps"] if "upload-artifact" in s.get("uses", "")]
    downloads = [s for s in merge["steps"] if "download-artifact" in s.get("uses", "")]
    assert uploads[0]["with"]["name"].startswith("aiops-part-") and downloads[0]["with"]["pattern"] == "aiops-part-*"


def _stricter_rules(tmp: Path) -> Path:
    """A copy of the built-in rules in which Model Deployment's first criterion needs all its signals."""
    from scanner.engine.rules import builtin_rules_dir

    rules = tmp / "stricter-rules"
    shutil.copytree(builtin_rules_dir(), rules)
    path = rules / "model_deployment.yml"
    loose = "              any:\n                - {signal: repo.training_code}\n"
    assert loose in path.read_text()
    path.write_text(path.read_text().replace(loose, loose.replace("any:", "all:"), 1))
    return rules


def test_shards_reassessed_with_new_rules_merge_as_the_single_run_reassessed(
    fake: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _stricter_rules(tmp_path)

    def assess(path: Path, name: str, *extra: str) -> Path:
        out = tmp_path / name
        assert main(["assess", str(path), *extra, "--json", str(out), "--quiet"]) == 0
        return out

    def merge(*paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, str]:
        code = main(["merge", *map(str, paths), "--json", str(tmp_path / "merged.json"), "--quiet", *extra])
        return code, capsys.readouterr().err

    scan_into(fake, tmp_path, "single.json")
    expected = json.loads(assess(tmp_path / "single.json", "single-new.json", "--rules", str(rules)).read_text())
    assert expected["assessments"] != json.loads((tmp_path / "single.json").read_text())["assessments"]
    parts = []
    for k in (1, 2, 3):
        scan_into(fake, tmp_path, f"part{k}.json", "--shard", f"{k}/3")
        parts.append(assess(tmp_path / f"part{k}.json", f"part{k}-new.json", "--rules", str(rules)))
    code, err = merge(*parts)  # the built-in rules are not the rules the parts were assessed with
    assert code == 2 and "other rules or options" in err
    assert merge(*parts, extra=("--rules", str(rules))) == (0, "")
    merged = json.loads((tmp_path / "merged.json").read_text())
    assert dumps(normalise(merged)) == dumps(normalise(expected))
    # a part assessed with other rules (the built-in ones again) is still refused, and is the scan's part again
    back = assess(parts[0], "part1-back.json")
    assert back.read_bytes() == (tmp_path / "part1.json").read_bytes()
    code, err = merge(back, *parts[1:], extra=("--rules", str(rules)))
    assert code == 2 and "different rules" in err
