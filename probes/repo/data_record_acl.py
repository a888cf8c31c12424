"""Record-level access control in application code: records carry access lists mirrored from their
sources, and queries filter them per user or group.

code.record_acl: the repo's own code (not tests, examples or docs) keeps an access-list field on stored
records (`access_control_list`, `allowed_groups`, `external_user_emails`...) in at least two files, and
either syncs permissions from the sources (`doc_sync`, `group_sync`, `sync_permissions`, an
`external_permissions` package) or filters queries on that field. A model with an `acl` column and no
filtering does not count.
"""

from __future__ import annotations

import re

from probes.repo._data import grep_code, hit_locs, unavailable_all
from scanner.facts.paths import CODE
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

RECORD_ACL = "code.record_acl"
ACL_FIELD = re.compile(
    r"(?i)\b(?:access_control_list|allowed_(?:groups|users|principals)|permitted_(?:groups|users)|"
    r"external_user_emails|external_user_group_ids|user_group_ids|document_acl|doc_acl|acl_(?:groups|principals))\b"
)
ACL_WORDS = (
    "access_control_list",
    "allowed_",
    "permitted_",
    "external_user",
    "user_group_ids",
    "document_acl",
    "doc_acl",
    "acl_",
)
SYNC_NAME = re.compile(
    r"(?i)(?:^|[/_])(?:doc|group|perm(?:ission)?s?)_sync(?:$|[/_.])|sync_(?:doc_|document_)?permissions|"
    r"external_permissions|permission_sync"
)
FILTER_LINE = re.compile(r"(?i)\b(?:filter|where|must|terms|should|in_)\b|\.in_\(|\$in\b")


def record_acl(index: RepoIndex) -> tuple[list[Location], bool]:
    paths = index.python_files(notebooks=False, kinds={CODE})
    hits = grep_code(index, ACL_FIELD, paths, words=ACL_WORDS)
    files = {h.path for h in hits}
    if len(files) < 2:
        return [], False
    synced = any(SYNC_NAME.search(p) for p in paths) or any(
        SYNC_NAME.search(name) for p in paths if (facts := index.python(p)) for name in facts.functions
    )
    filtered = [h for h in hits if FILTER_LINE.search(h.text)]
    if not (synced or filtered):
        return [], False
    shown = filtered or hits
    return hit_locs(index, shown[:10]), synced


@probe(
    "repo.data.record_acl",
    summary="Record-level access control in application code: access lists on stored records, synced from the "
    "sources and applied as query filters.",
    emits=(RECORD_ACL,),
    remediation="Carry each record's access list from its source and filter every query by the caller's groups.",
    evidence=("file",),
)
def record_acls(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (RECORD_ACL,))
    locs, synced = record_acl(index)
    if locs:
        how = "synced from the sources and filtered at query time" if synced else "filtered at query time"
        return [hit(views, RECORD_ACL, locs, f"Records carry access lists, {how}", values={"synced": synced})]
    return [miss(views, RECORD_ACL, "No per-record access lists filtered at query time in the repo's own code")]
