"""Release automation: semantic-release, release-please, changesets, goreleaser and friends, in CI or
configured in the repo, and tag-triggered jobs that publish a release. Releases are versioning, not
deploys: this says nothing about shipping (see ci.deploy_on_release)."""

from __future__ import annotations

from probes.ci._common import NEEDS, Site, absent, confidence, describe, location, sites, views_of
from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import RELEASE, TAG, CIModel
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, probe
from scanner.views import Views

CONFIG_GLOBS = (
    ".releaserc",
    ".releaserc.*",
    "release.config.*",
    "release-please-config.json",
    ".release-please-manifest.json",
    ".changeset/config.json",
    ".goreleaser.yml",
    ".goreleaser.yaml",
)
PUBLISHES = (
    "twine upload",
    "publish",
    "docker push",
    "gh release",
    "build-push-action",
    "gh-action-pypi-publish",
    "action-gh-release",
    "release-action",
    "create-release",
    "goreleaser",
    "push-artifact",
    "deploy-pypi",
)


@probe(
    "ci.release_automation",
    needs=NEEDS,
    summary="Releases are cut by automation: semantic-release, release-please, changesets, goreleaser, or "
    "tag-triggered jobs that publish a release.",
    evidence=("ci_job", "file"),
    remediation="Cut releases by automation (semantic-release, release-please, changesets, goreleaser, or a "
    "tag-triggered job that publishes the release).",
)
def release_automation(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    tools = sites(ci, cmd.RELEASE)
    tagged = [s for s in sites(ci, cmd.BUILD, cmd.RELEASE) if _tag_triggered(ci, s) and _publishes(s)]
    config = _config(repo)
    found = list(dict.fromkeys([*tools, *tagged]))
    if found:
        kinds = [k for k, seen in (("tool", tools), ("tag_triggered", tagged), ("config", config)) if seen]
        return [
            hit(
                views,
                "ci.release_automation",
                [*(location(repo, s) for s in found), *config],
                (
                    f"release tooling runs in CI: {describe(tools)}"
                    if tools
                    else f"tag-triggered CI jobs publish releases: {describe(tagged)}"
                ),
                confidence=confidence(ci, found),
                values={"count": len(found), "evidence": kinds},
            )
        ]
    if config:
        return [
            hit(
                views,
                "ci.release_automation",
                config,
                f"release tooling is configured ({', '.join(sorted({c.path or '' for c in config}))}) but no CI "
                "job runs it",
                confidence="low",
                values={"count": len(config), "evidence": ["config"]},
            )
        ]
    return [absent(views, "ci.release_automation", "no release automation in CI or repo configuration")]


def _tag_triggered(ci: CIModel, site: Site) -> bool:
    return ci.is_automatic(site.pipeline, site.job, site.step) and all(
        t.kind in (TAG, RELEASE) for t in ci.effective_triggers(site.pipeline, site.job, site.step) if t.automatic
    )


def _publishes(site: Site) -> bool:
    text = site.hit.text.lower()
    return site.hit.category == cmd.RELEASE or any(p in text for p in PUBLISHES)


def _config(repo: RepoIndex) -> list[Location]:
    locs = [repo.location(p, 1) for p in repo.paths(*CONFIG_GLOBS)]
    package = repo.json("package.json") if repo.has("package.json") else None
    if isinstance(package, dict) and "release" in package:
        locs.append(repo.location("package.json", None, '"release" configuration'))
    pyproject = repo.toml("pyproject.toml") if repo.has("pyproject.toml") else None
    if pyproject and "semantic_release" in pyproject.get("tool", {}):
        locs.append(repo.location("pyproject.toml", None, "[tool.semantic_release]"))
    return locs
