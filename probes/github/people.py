"""People: cross-role pull request reviews (roles from team membership) and teams (People in docs/model.md)."""

from __future__ import annotations

from scanner.facts.github import OrgFacts
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, need, not_applicable, probe, unavailable
from scanner.views import Views

REVIEW_SIGNALS = ["people.cross_role_reviews", "people.ds_se.reviews", "people.de_se.reviews"]
PAIRS = {"people.ds_se.reviews": {"DS", "SE"}, "people.de_se.reviews": {"DE", "SE"}}
SHARE = 0.10


@probe(
    "people.reviews",
    summary="Merged pull requests reviewed by someone of another role (roles from GitHub team membership)",
    emits=REVIEW_SIGNALS,
    needs=("github", "repo"),
    evidence=("api_object", "file"),
    remediation="Have merged pull requests reviewed across roles (data scientists, data engineers and software "
    "engineers reviewing each other's changes).",
)
def reviews(views: Views) -> list[Finding]:
    f = views.github
    if f is None:
        return need(views, REVIEW_SIGNALS, views, "github")
    if gaps := need(views, REVIEW_SIGNALS, f, "pullRequests") or _teams_gap(views, REVIEW_SIGNALS, f.org):
        return gaps
    roles = f.org.login_roles() if f.org is not None else {}
    if not roles:
        why = "no team with a recognisable role: people cannot be mapped to roles"
        return [unavailable(views, s, why) for s in REVIEW_SIGNALS]
    prs = [p for p in f.pulls if not p.author_is_bot and p.author.lower() in roles]
    if not prs:
        return [not_applicable(views, s, "no merged PR by an author with a team role") for s in REVIEW_SIGNALS]
    pairs: dict[int, set[frozenset[str]]] = {}
    for p in prs:
        mine = roles[p.author.lower()]
        others = {roles[r.author.lower()] for r in p.reviews if r.author.lower() in roles and r.author != p.author}
        pairs[p.number] = {frozenset({mine, o}) for o in others if o != mine}
    crossed = [p for p in prs if pairs[p.number]]
    share = len(crossed) / len(prs)
    basis = "roles from GitHub team membership; reviews from the pull request reviews API"
    values = {"merged_prs": len(prs), "cross_role": len(crossed), "share": round(share, 2), "basis": basis}
    locs = [_loc(f.full_name, p.number, p.url) for p in crossed]
    out = []
    if share >= SHARE:
        out.append(
            hit(
                views,
                REVIEW_SIGNALS[0],
                locs,
                f"{len(crossed)}/{len(prs)} merged PRs had a cross-role review ({basis})",
                confidence="low",
                values=values,
            )
        )
    else:
        out.append(
            miss(
                views,
                REVIEW_SIGNALS[0],
                f"{len(crossed)}/{len(prs)} merged PRs had a cross-role review ({basis})",
                values=values,
                confidence="low",
            )
        )
    for signal, pair in PAIRS.items():
        found = [p for p in prs if frozenset(pair) in pairs[p.number]]
        if found:
            ls = [_loc(f.full_name, p.number, p.url) for p in found]
            out.append(
                hit(
                    views,
                    signal,
                    ls,
                    f"{len(found)} PR(s) reviewed across {'/'.join(sorted(pair))} ({basis})",
                    confidence="low",
                )
            )
        else:
            out.append(
                miss(views, signal, f"no PR reviewed across {'/'.join(sorted(pair))} ({basis})", confidence="low")
            )
    return out


def _teams_gap(views: Views, signals: list[str], org: OrgFacts | None) -> list[Finding]:
    """not_available when the organisation's teams (the people's roles) could not be read."""
    return need(views, signals, org, "teams") if org is not None else []


def _loc(repo: str, number: int, url: str) -> Location:
    return Location(object=f"{repo} pull request #{number}", url=url or None)


@probe(
    "gh.teams",
    summary="Organisation teams: is there a data engineering team?",
    emits=["gh.teams.no_de"],
    needs=("github_org",),
    evidence=("api_object",),
    remediation="Create a data engineering team in the GitHub organisation and map it to its role (--team-role "
    "SLUG=DE if its name does not say so).",
)
def teams(views: Views) -> list[Finding]:
    org = views.github_org
    if org is None:
        return need(views, ["gh.teams.no_de"], views, "github_org")
    if gaps := need(views, ["gh.teams.no_de"], org, "teams"):
        return gaps
    de = [t for t in org.teams if t.role == "DE"]
    values = {
        "teams": len(org.teams),
        "roles": {t.slug: t.role for t in org.teams if t.role},
        "configured": sorted(t.slug for t in org.teams if t.configured),
    }
    if not de:
        return [
            hit(
                views,
                "gh.teams.no_de",
                [_org_loc(org)],
                f"{len(org.teams)} team(s), none for data engineering",
                values=values,
            )
        ]
    return [
        miss(
            views,
            "gh.teams.no_de",
            f"data engineering team(s): {', '.join(t.slug for t in de)}",
            values=values,
            locations=[_org_loc(org)],
        )
    ]


def _org_loc(org: OrgFacts) -> Location:
    return Location(object=f"organisation {org.org} teams", url=f"{org.url}")


@probe(
    "gh.releases.by_role",
    summary="Releases and deployments created by software engineers (roles from GitHub team membership)",
    needs=("github", "repo"),
    evidence=("api_object", "file"),
    remediation="Have software engineers (or their automation) cut releases and deployments, as members of the "
    "teams that own release.",
)
def releases_by_role(views: Views) -> list[Finding]:
    signal = "gh.releases.by_role"
    f = views.github
    if f is None:
        return need(views, [signal], views, "github")
    if gaps := need(views, [signal], f, "releases", "deployments") or _teams_gap(views, [signal], f.org):
        return gaps
    roles = f.org.login_roles() if f.org is not None else {}
    creators = [(r.author, f"release {r.tag}", r.url) for r in f.releases]
    creators += [(d.creator, f"deployment to {d.environment}", "") for d in f.deployments if not d.creator_is_bot]
    humans = [(who, what, url) for who, what, url in creators if not who.endswith("[bot]")]
    if not humans:
        return [not_applicable(views, signal, "no release or deployment created by a person")]
    mapped = {who: roles[who.lower()] for who, _, _ in humans if who.lower() in roles}
    if not mapped:
        return [unavailable(views, signal, "the people creating releases are in no team with a recognisable role")]
    by_role: dict[str, int] = {}
    for who, _, _ in humans:
        if who in mapped:
            by_role[mapped[who]] = by_role.get(mapped[who], 0) + 1
    values = {"by_role": by_role, "basis": "roles from GitHub team membership"}
    se = [_obj(f.full_name, what, url) for who, what, url in humans if mapped.get(who) == "SE"]
    if se:
        return [hit(views, signal, se, f"{len(se)} release(s)/deployment(s) created by SE-role people", values=values)]
    roles_seen = ", ".join(sorted(by_role))
    return [miss(views, signal, f"releases and deployments created by {roles_seen}-role people", values=values)]


def _obj(repo: str, what: str, url: str) -> Location:
    return Location(object=f"{repo} {what}", url=url or None)
