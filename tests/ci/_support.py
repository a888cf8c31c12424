"""Helpers for the CI tests: the CI model of a tiny repo, and CI files and model parts to build it from
(probes run through scanner.testing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from scanner.facts.ci.model import CIModel, Job, Pipeline, Step, Trigger
from scanner.testing import repo_views


def model_of(tmp_path: Path, files: Mapping[str, str | bytes]) -> CIModel:
    views = repo_views(tmp_path, files, ("repo", "ci"))
    assert views.ci is not None
    return views.ci


def pipeline(ci: CIModel, path: str, name: str | None = None) -> Pipeline:
    found = [p for p in ci.pipelines if p.path == path and (name is None or p.name == name)]
    assert len(found) == 1, [(p.path, p.name) for p in ci.pipelines]
    return found[0]


def job(p: Pipeline, job_id: str) -> Job:
    found = p.job(job_id)
    assert found is not None, [j.id for j in p.jobs]
    return found


def kinds(triggers: Iterable[Trigger]) -> list[str]:
    return sorted(t.kind for t in triggers)


def step(run: str = "", uses: str = "", *, can_fail: bool = False, inputs: dict[str, str] | None = None) -> Step:
    return Step(
        name="s",
        path="ci.yml",
        line=10,
        run=run,
        uses=uses,
        can_fail=can_fail,
        run_line=11,
        inputs=tuple((inputs or {}).items()),
    )


def workflow(on: str, jobs: str) -> str:
    """A GitHub workflow: `on` and `jobs` are YAML blocks (indented by the caller as top-level values)."""
    return f"name: wf\non:\n{on}\njobs:\n{jobs}"


PUSH_MAIN: dict[str, object] = {"push": {"branches": ["main"]}}


def gha(on: object, jobs: dict[str, dict[str, object]], path: str = ".github/workflows/ci.yml") -> dict[str, str]:
    """A GitHub workflow file from plain data (`on` is dumped as the key text `'on'`)."""
    import yaml

    return {
        path: yaml.safe_dump({"name": path.rsplit("/", 1)[-1].split(".")[0], "on": on, "jobs": jobs}, sort_keys=False)
    }


def gjob(*steps: str | Mapping[str, object], **opts: object) -> dict[str, object]:
    """A GitHub job: strings are `run:` steps, mappings are steps as given; options use YAML key names
    with `_` for `-` (continue_on_error -> continue-on-error)."""
    out: dict[str, object] = {"runs-on": "ubuntu-latest"}
    out.update({k.replace("_", "-"): v for k, v in opts.items()})
    out["steps"] = [{"run": s} if isinstance(s, str) else dict(s) for s in steps]
    return out
