"""Who data access is granted to: individual users or groups/roles (iac.grants.*).

Grants are read from SQL (`GRANT ... TO USER|ROLE|GROUP x`), Terraform (role assignments, IAM
members/bindings, Databricks grants/permissions, Snowflake role grants, AWS IAM attachments, Lake
Formation principals), Bicep/ARM role assignments, dbt `grants` and Kubernetes role bindings. A
principal that is an email or `user:` is a user; `group:`, roles and groups are groups; service
principals and accounts are neither. Switched-off resources and placeholder principals do not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from probes.repo._data import grep_code, is_placeholder, unavailable_all
from probes.repo.data_dbt import grant_sites
from probes.repo.data_dbt_files import collect_dbt
from probes.repo.infra_iac import Block, azure_resources, k8s_objects, tf_blocks
from scanner.facts.paths import CODE
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import hit, miss, probe
from scanner.views import Views

USERS, GROUPS = "iac.grants.user_principals", "iac.grants.group_principals"
USER, GROUP = "user", "group"
KEYWORD = r"(user|role|group|database\s+role|application\s+role)"
GRANTEE = r"([\"`']?[\w@.:/-]+[\"`']?)"
# GRANT <privileges> ON <object> TO [kind] x, or GRANT [ROLE] r TO <kind> x (prose "grant access to" is neither)
SQL_GRANT = re.compile(
    rf"(?is)\bgrant\s+(?:[\w ,()]{{1,200}}?\s+on\s+[^;]{{1,300}}?\s+to\s+(?:{KEYWORD}\s+)?{GRANTEE}|"
    rf"(?:role\s+)?[\w\"`.-]+\s+to\s+{KEYWORD}\s+{GRANTEE})"
)
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+\.[\w.-]+$")
IAM_MEMBER = re.compile(r"\"(user|group|serviceAccount|domain):([^\"]+)\"")
PRINCIPAL_TYPE = re.compile(r"(?i)principal_?type\W+(User|Group)\b")
TF_USER_RESOURCES = ("aws_iam_user_policy", "aws_iam_user_policy_attachment")
TF_GROUP_RESOURCES = (
    "aws_iam_group_policy",
    "aws_iam_group_policy_attachment",
    "snowflake_grant_privileges_to_account_role",
    "snowflake_grant_privileges_to_role",
    "snowflake_grant_privileges_to_database_role",
)
NOT_PRINCIPALS = frozenset({"public", "all_users", "account users", "everyone"})


@dataclass(frozen=True)
class Grant:
    kind: str  # user | group
    principal: str
    path: str
    line: int


def classify(principal: str, keyword: str | None = None) -> str | None:
    """user, group, or None (service principal, public, placeholder)."""
    name = principal.strip("\"`' ").lower()
    if not name or name in NOT_PRINCIPALS or is_placeholder(name):
        return None
    if keyword:
        return USER if keyword.lower() == "user" else GROUP
    if name.startswith("user:") or EMAIL.match(name):
        return USER
    if name.startswith(("serviceaccount:", "domain:")) or re.fullmatch(r"[0-9a-f-]{36}", name):
        return None
    return GROUP


def sql_grants(index: RepoIndex) -> Iterator[Grant]:
    paths = index.by_suffix(".sql", ".py", ".ipynb", ".sh", ".yml", ".yaml", kinds={CODE})  # yml: dbt hooks
    for h in grep_code(index, SQL_GRANT, paths, words=("grant",)):
        m = SQL_GRANT.match(h.match)
        keyword, grantee = (m.group(1), m.group(2)) if m and m.group(2) else (m.group(3), m.group(4)) if m else ("", "")
        kind = classify(grantee, keyword) if grantee else None
        if kind and not grantee.lower().startswith("option"):
            yield Grant(kind, grantee.strip("\"`'"), h.path, h.line)


def _tf_grants(block: Block) -> Iterator[tuple[str, str, int]]:
    """(kind, principal, offset in body) for one Terraform resource. Each principal form is read only in
    the resource family that uses it (`user:` in a cost filter is a tag key, not an IAM member)."""
    kind_of = block.type
    if kind_of in TF_USER_RESOURCES:
        yield USER, block.attr("user") or block.name, 0
    elif kind_of in TF_GROUP_RESOURCES:
        yield GROUP, block.attr("group") or block.attr("role") or block.attr("account_role_name") or block.name, 0
    if "_iam_" in kind_of:  # google_*_iam_member / _binding / _policy
        for m in IAM_MEMBER.finditer(block.body):
            if kind := classify(f"{m.group(1)}:{m.group(2)}"):
                yield kind, m.group(2), m.start()
    if kind_of.endswith("role_assignment"):
        typed = list(PRINCIPAL_TYPE.finditer(block.body))
        for m in typed:
            yield m.group(1).lower(), block.attr("principal_id") or block.name, m.start()
        pid = block.attr("principal_id") or ""
        kind = USER if "azuread_user." in pid else GROUP if "azuread_group." in pid else None
        if kind and not typed:
            yield kind, pid, 0
    if kind_of.startswith(("databricks_", "snowflake_")):
        for key, kind in (("user_name", USER), ("group_name", GROUP)):
            for m in re.finditer(rf'(?m)^[ \t]*{key}\s*=\s*"([^"]+)"', block.body):
                if classify(m.group(1)):
                    yield kind, m.group(1), m.start()
    if kind_of.startswith(("databricks_", "aws_lakeformation_")):
        for m in re.finditer(r'(?m)^[ \t]*principal\s*=\s*"([^"]+)"', block.body):
            p = m.group(1)
            kind = USER if ":user/" in p else GROUP if ":role/" in p or ":group/" in p else classify(p)
            if kind:
                yield kind, p, m.start()


def iac_grants(index: RepoIndex) -> Iterator[Grant]:
    for block in tf_blocks(index):
        if block.kind != "resource" or not block.enabled:
            continue
        for kind, principal, offset in _tf_grants(block):
            yield Grant(kind, principal, block.path, block.line_at(offset))
    for res in azure_resources(index):
        m = PRINCIPAL_TYPE.search(res.body)
        if res.type.lower() == "microsoft.authorization/roleassignments" and m:
            yield Grant(m.group(1).lower(), "principalId", res.path, res.line)
    for obj in k8s_objects(index, "RoleBinding", "ClusterRoleBinding"):
        for subject in obj.data.get("subjects") or []:
            role = str(subject.get("kind")) if isinstance(subject, dict) else ""
            if role in ("User", "Group") and classify(str(subject.get("name", ""))):
                yield Grant(role.lower(), str(subject.get("name")), obj.path, obj.line)


def dbt_grants(index: RepoIndex) -> Iterator[Grant]:
    for location, pairs in grant_sites(index, collect_dbt(index)):
        for _, grantee in sorted(pairs):
            kind = classify(grantee)
            if kind:
                yield Grant(kind, grantee, location.path or "", location.line or 1)


@probe(
    "repo.data.grants",
    summary="Data grants and role assignments by principal type: individual users versus groups/roles.",
    emits=(USERS, GROUPS),
    remediation="Grant data access to groups or roles, not to named people.",
    evidence=("file",),
)
def grants(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (USERS, GROUPS))
    found = list(dict.fromkeys([*sql_grants(index), *iac_grants(index), *dbt_grants(index)]))
    users = [g for g in found if g.kind == USER]
    groups = [g for g in found if g.kind == GROUP]
    share = round(len(groups) / len(found), 2) if found else 0.0
    values = {"users": len(users), "groups": len(groups), "group_share": share}
    out = []
    for signal, items, what in ((USERS, users, "individual users"), (GROUPS, groups, "groups/roles")):
        if items:
            locs = [index.location(g.path, g.line, f"{g.kind}: {g.principal}") for g in items]
            out.append(
                hit(
                    views,
                    signal,
                    locs,
                    f"{len(items)} grant(s) to {what} ({len(found)} grants in all)",
                    values={"count": len(items), **values},
                )
            )
        else:
            out.append(
                miss(
                    views,
                    signal,
                    f"No grants to {what}" + (f" ({len(found)} grants in all)" if found else ""),
                    values=values,
                )
            )
    return out
