"""CODEOWNERS rules that show who owns what: DS and DE together on pipelines and services, SE on
release paths, anyone on prompts, a platform team on infrastructure. A catch-all `*` rule alone says
nothing about collaboration, and a rule overridden by a later one owns nothing (last match wins)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import CIModel
from scanner.facts.codeowners import OwnerRule, load_codeowners
from scanner.facts.paths import match_any
from scanner.facts.repo_index import RepoIndex
from scanner.facts.roles import file_domain
from scanner.model import Finding
from scanner.probekit import hit, miss, not_applicable, probe, unavailable
from scanner.views import Views

from ._files import is_code, orchestrator_files, prompt_files, scoring_files
from ._owners import is_team, owning_rules, roles_of, rule_location

RELEASE_GLOBS = (
    ".github/workflows/deploy*",
    ".github/workflows/release*",
    ".github/workflows/cd*",
    "deploy/**",
    "**/deploy/**",
    "deployment/**",
    "**/deployment/**",
    "serving/**",
    "**/serving/**",
    "charts/**",
    "**/charts/**",
    "helm/**",
    "**/helm/**",
)
INFRA_GLOBS = (
    "*.tf",
    "**/*.tf",
    "*.bicep",
    "**/*.bicep",
    "infra/**",
    "**/infra/**",
    "terraform/**",
    "**/terraform/**",
    "k8s/**",
    "**/k8s/**",
    "helm/**",
    "**/helm/**",
    "charts/**",
    "**/charts/**",
)
Accept = Callable[[dict[str, str | None]], bool]


def _check(views: Views, signal: str, what: str, wanted: Callable[[str], bool], accept: Accept, need: str) -> Finding:
    """A finding on CODEOWNERS rules owning files of one class whose owners' roles `accept` approves."""
    index = views.repo
    if index is None:
        return unavailable(views, signal, "repo index unavailable")
    files = [p for p in index.paths(kinds=None) if wanted(p)]
    if not files:
        return not_applicable(views, signal, f"no {what} in the repository")
    owners = load_codeowners(index)
    if owners is None:
        return miss(views, signal, f"no CODEOWNERS file; {len(files)} {what} have no declared owner")
    rules = owning_rules(index, owners, wanted)
    good = {rule: paths for rule, paths in rules.items() if accept(roles_of(rule, views.history))}
    values = {"files": len(files), "rules": len(rules), "catch_all": owners.has_catch_all}
    if good:
        covered = sum(len(p) for p in good.values())
        locs = [rule_location(index, owners, rule) for rule in good]
        msg = f"{len(good)} CODEOWNERS rule(s) {need} for {covered} of {len(files)} {what}"
        return hit(views, signal, locs, msg, values={**values, "count": len(good), "covered_files": covered})
    if not rules:
        only = " (only a catch-all rule, which says nothing about ownership)" if owners.has_catch_all else ""
        msg = f"no specific CODEOWNERS rule covers the {len(files)} {what}{only}"
    else:
        msg = f"{len(rules)} CODEOWNERS rule(s) cover {what}, none {need}"
    return miss(views, signal, msg, values=values, locations=[index.location(owners.path)])


@probe(
    "repo.codeowners.shared_ds_de",
    summary="A CODEOWNERS rule on pipeline or service code names both DS and DE owners",
    needs=("repo", "history"),
    evidence=("commit", "file"),
    remediation="Name both data science and data engineering owners in CODEOWNERS for pipeline and service code.",
)
def shared_ds_de(views: Views) -> list[Finding]:
    if views.repo is None:
        return [unavailable(views, "repo.codeowners.shared_ds_de", "repo index unavailable")]
    wanted = _pipeline_or_service(views.repo)
    return [
        _check(
            views,
            "repo.codeowners.shared_ds_de",
            "pipeline/service files",
            wanted,
            _ds_and_de,
            "name both DS and DE owners",
        )
    ]


@probe(
    "repo.codeowners.release_paths",
    summary="CODEOWNERS rules on deploy/serving paths or CI/CD pipeline files name software-engineering or ops owners",
    needs=("repo", "history", "ci"),
    evidence=("commit", "file"),
    remediation="Name software-engineering or ops owners for deploy and serving paths and CI/CD pipelines in "
    "CODEOWNERS.",
)
def release_paths(views: Views) -> list[Finding]:
    """Release paths are deploy and serving code, and the CI/CD pipeline files that build and ship it."""
    if views.repo is None:
        return [unavailable(views, "repo.codeowners.release_paths", "repo index unavailable")]
    scoring = scoring_files(views.repo)
    pipelines = shipping_pipelines(views.ci) if views.ci is not None else set()

    def wanted(path: str) -> bool:
        return scoring(path) or (is_code(path) and (path in pipelines or match_any(path, RELEASE_GLOBS)))

    return [
        _check(
            views,
            "repo.codeowners.release_paths",
            "deploy/serving or CI/CD pipeline files",
            wanted,
            _se_or_ops,
            "name SE or ops owners",
        )
    ]


def shipping_pipelines(ci: CIModel) -> set[str]:
    """Files of the pipelines the CI model counts (workflows, `.taskcluster.yml` and its kinds,
    Jenkinsfiles, ...) whose jobs build, release or deploy something. Pipelines that only test are not
    release paths, and templates, examples and nested lookalikes, which the CI model ignores, are none."""
    out: set[str] = set()
    for pipeline, job, step in ci.steps():
        if cmd.hits(step, cmd.BUILD, cmd.RELEASE, cmd.DEPLOY, cmd.DATA_DEPLOY):
            out |= {pipeline.path, job.path}
    return out


@probe(
    "repo.codeowners.prompts",
    summary="CODEOWNERS rules cover prompt files",
    needs=("repo",),
    evidence=("commit", "file"),
    remediation="Add CODEOWNERS rules for the prompt files, naming who reviews prompt changes.",
)
def prompts(views: Views) -> list[Finding]:
    if views.repo is None:
        return [unavailable(views, "repo.codeowners.prompts", "repo index unavailable")]
    return [_check(views, "repo.codeowners.prompts", "prompt files", prompt_files(views.repo), bool, "name owners")]


@probe(
    "repo.codeowners.platform_infra",
    summary="CODEOWNERS rules give infrastructure paths (*.tf, infra/, k8s/, helm/) to a platform/ops team",
    needs=("repo",),
    evidence=("commit", "file"),
    remediation="Give infrastructure paths (*.tf, infra/, k8s/, helm/) to a platform or ops team in CODEOWNERS.",
)
def platform_infra(views: Views) -> list[Finding]:
    def wanted(path: str) -> bool:
        return is_code(path) and match_any(path, INFRA_GLOBS)

    return [
        _check(
            views,
            "repo.codeowners.platform_infra",
            "infrastructure files",
            wanted,
            _ops_team,
            "name a platform/ops team",
        )
    ]


@probe(
    "repo.codeowners.cross_team",
    summary="A CODEOWNERS rule on the organisation's code names two or more teams of different (or unstated) "
    "roles: changes there need reviews across teams",
    needs=("repo", "history"),
    evidence=("commit", "file"),
    remediation="Add CODEOWNERS rules that name teams of different roles for shared code, so that changes there "
    "are reviewed across teams.",
)
def cross_team(views: Views) -> list[Finding]:
    return [
        _check(
            views,
            "repo.codeowners.cross_team",
            "code files",
            is_code,
            _teams_across_roles,
            "name two or more teams of different roles",
        )
    ]


def _teams_across_roles(roles: dict[str, str | None]) -> bool:
    """Two or more teams, not all of one known role (a role unstated by a team's name may differ)."""
    teams = {owner: role for owner, role in roles.items() if is_team(owner)}
    if len(teams) < 2:
        return False
    known = [role for role in teams.values() if role is not None]
    return len(known) < len(teams) or len(set(known)) > 1


def _ds_and_de(roles: dict[str, str | None]) -> bool:
    return {"DS", "DE"} <= set(roles.values())


def _se_or_ops(roles: dict[str, str | None]) -> bool:
    return bool({"SE", "OPS"} & set(roles.values()))


def _ops_team(roles: dict[str, str | None]) -> bool:
    """Teams only: one person owning infrastructure is not a platform team."""
    return any(role == "OPS" and is_team(owner) for owner, role in roles.items())


def _pipeline_or_service(index: RepoIndex) -> Callable[[str], bool]:
    orchestrators, scoring = orchestrator_files(index), scoring_files(index)

    def wanted(path: str) -> bool:
        if orchestrators(path) or scoring(path):
            return True
        return is_code(path) and not path.endswith(".ipynb") and file_domain(path, index) in ("DS", "DE", "SE")

    return wanted


@probe(
    "repo.codeowners.team_split",
    summary="CODEOWNERS gives parts of the repository to two or more teams (@org/team): who owns what is declared",
    needs=("repo",),
    evidence=("file",),
    remediation="Declare in CODEOWNERS which team (@org/team) owns which part of the repository.",
)
def team_split(views: Views) -> list[Finding]:
    """Teams owning files at HEAD under the rules GitHub applies (last match wins; a catch-all counts, since
    a team owning the rest beside another team owning a part is a declared boundary). Users are not teams."""
    signal = "repo.codeowners.team_split"
    index = views.repo
    if index is None:
        return [unavailable(views, signal, "repo index unavailable")]
    owners = load_codeowners(index)
    if owners is None:
        return [miss(views, signal, "no CODEOWNERS file: no team is declared as owning a part of the repository")]
    files_of: Counter[str] = Counter()
    team_rules: dict[OwnerRule, None] = {}
    for path in index.paths(kinds=None):
        rule = owners.rule_for(path)
        if rule is None:
            continue
        teams = [owner for owner in rule.owners if is_team(owner)]
        if teams:
            files_of.update(teams)
            team_rules[rule] = None
    listed = ", ".join(f"{team} ({n} files)" for team, n in files_of.most_common(5))
    values = {"teams": len(files_of)}
    if len(files_of) >= 2:
        locs = [rule_location(index, owners, rule) for rule in team_rules]
        msg = f"CODEOWNERS gives files to {len(files_of)} teams: {listed}"
        return [hit(views, signal, locs, msg, values={**values, "count": len(files_of)})]
    msg = f"CODEOWNERS gives files to {len(files_of)} team(s){': ' + listed if listed else ''}, not two or more"
    return [miss(views, signal, msg, values=values, locations=[index.location(owners.path)])]
