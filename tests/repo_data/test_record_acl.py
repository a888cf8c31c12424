"""Record-level access control in application code."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.data_record_acl import RECORD_ACL, record_acls
from scanner.testing import run_on_repo, truth

MODEL = "class Doc:\n    access_control_list: list[str]\n"
SEARCH = "def search(q, user):\n    return index.query(q, filter={'terms': {'access_control_list': user.groups}})\n"
SYNC = "def doc_sync(source):\n    for d in source.docs():\n        store.update(d.id, access_control_list=d.acl)\n"

CASES = [
    ("acl field filtered at query time", {"app/models.py": MODEL, "app/search.py": SEARCH}, True),
    ("acl field synced from sources", {"app/models.py": MODEL, "app/perm/sync.py": SYNC}, True),
    ("acl field declared only", {"app/models.py": MODEL}, False),
    ("acl field in two files, never filtered or synced", {"app/a.py": MODEL, "app/b.py": MODEL}, False),
    ("search and model in tests only", {"tests/models.py": MODEL, "tests/search.py": SEARCH}, False),
    ("examples", {"examples/models.py": MODEL, "examples/search.py": SEARCH}, False),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_record_acl(tmp_path: Path, files: dict[str, str], expected: bool) -> None:
    assert truth(run_on_repo(record_acls, tmp_path, files)[RECORD_ACL]) is expected
