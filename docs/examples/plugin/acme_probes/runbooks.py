"""One probe, one module: its definition (the @probe arguments) sits next to its code."""

from __future__ import annotations

from scanner.facts.paths import CODE, DOCS, TEST
from scanner.model import Finding
from scanner.probekit import probe, verdict
from scanner.views import Views

SIGNAL = "acme.oncall.runbook"
RUNBOOK_NAMES = ("RUNBOOK.md", "runbook.md", "ONCALL.md")
OWN_FILES = (CODE, TEST, DOCS)  # the team's own files, documentation included; not examples, templates or vendored


@probe(
    SIGNAL,
    summary="An on-call runbook is kept with the code (RUNBOOK.md, ONCALL.md or docs/runbooks/)",
    remediation="Write down how to diagnose and roll back the service in RUNBOOK.md, next to the code it runs.",
    evidence=("file",),
)
def oncall_runbook(views: Views) -> list[Finding]:
    repo = views.repo
    assert repo is not None  # the runner reports `not_available` itself when the repo view is missing
    found = repo.by_name(*RUNBOOK_NAMES, kinds=OWN_FILES) + repo.paths("docs/runbooks/*.md", kinds=OWN_FILES)
    return [
        verdict(
            views,
            SIGNAL,
            [repo.location(path) for path in found],
            f"{len(found)} runbook file(s)",
            "no runbook file (RUNBOOK.md, ONCALL.md or docs/runbooks/*.md)",
        )
    ]
