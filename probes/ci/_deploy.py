"""Deploys seen in CI: which commands ship a model or an app, to which environment, and which are
documentation sites (GitHub Pages, mkdocs gh-deploy, ...: never deploys)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from probes.ci._code import bundle_serves_models, scripts_matching, serving_manifests
from probes.ci._common import Site, any_hit, env_stage, job_steps, site_env, sites
from scanner.facts.ci.commands import DATA_DEPLOY, DEPLOY, DOCS
from scanner.facts.ci.model import CIModel, Job
from scanner.facts.repo_index import RepoIndex

DOCS_ENVS = frozenset({"github-pages", "gh-pages", "docs", "documentation", "pages"})
_DOCS_JOB = re.compile(r"(?<![a-z])(docs?|documentation|pages|gh-pages|mkdocs|sphinx)(?![a-z])")


@dataclass(frozen=True)
class Deploy:
    site: Site
    model: bool
    env: str
    stage: str  # prod / staging / dev / "" (not named)

    @property
    def prod_or_unnamed(self) -> bool:
        return self.stage in ("prod", "")


def is_docs_job(job: Job) -> bool:
    if (job.environment or "").lower() in DOCS_ENVS:
        return True
    if _DOCS_JOB.search(f"{job.id} {job.name}".lower()):
        return True
    return any_hit(job_steps(job), DOCS)


def deploys(repo: RepoIndex, ci: CIModel) -> list[Deploy]:
    """Every model or app deploy in CI (documentation jobs left out)."""
    out: list[Deploy] = []
    bundle_models: bool | None = None
    for site in sites(ci, DEPLOY):
        if is_docs_job(site.job):
            continue
        model = site.hit.model or serving_manifests(repo, site)
        if not model and site.hit.target == "databricks":
            bundle_models = bundle_serves_models(repo) if bundle_models is None else bundle_models
            model = bundle_models
        out.append(_deploy(site, model))
    for site in scripts_matching(ci, repo, "deploys_model"):
        if not is_docs_job(site.job):
            hit = replace(site.hit, category=DEPLOY, target="sdk", model=True)
            out.append(_deploy(replace(site, hit=hit), True))
    return out


def data_deploys(ci: CIModel) -> list[Deploy]:
    return [_deploy(s, False) for s in sites(ci, DATA_DEPLOY)]


def _deploy(site: Site, model: bool) -> Deploy:
    env = site_env(site)
    return Deploy(site, model, env, env_stage(env))


def one_per_job(found: list[Deploy]) -> list[Deploy]:
    """The first deploy of each job (a job deploying with three commands is one deploy job)."""
    seen: dict[tuple[str, str], Deploy] = {}
    for d in found:
        key = (d.site.pipeline.path, d.site.job.id)
        if key not in seen or (d.model and not seen[key].model):
            seen[key] = d
    return list(seen.values())


def summary(found: list[Deploy]) -> dict[str, object]:
    return {
        "count": len(one_per_job(found)),
        "targets": sorted({d.site.hit.target or "script" for d in found}),
        "environments": sorted({d.env for d in found if d.env}),
        "model_deploys": sum(1 for d in one_per_job(found) if d.model),
    }
