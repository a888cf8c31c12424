"""One protocol for "this section of a view could not be read".

A view (the GitHub facts of a repo, the organisation's teams, an MLflow source, a catalog) is read in
sections; one may be unreadable while the rest were read (a token without permission for rulesets, a
server that does not offer prompts). Such a section is an explicit `Unreadable` value, never None, an
empty list or a magic key: `unreadable(section)` answers it, and `scanner.probekit.need` turns it into
`not_available` (or `error`, when the read failed) findings for the signals that depend on it, with the
reason, while the other signals are evaluated. Every typed view follows `Sectioned`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

# the kinds of status a section's reader records ("kind: detail"): anything but READ leaves it unreadable
READ = ("ok", "truncated", "partial")
FAILED = ("error", "server", "request")  # the read failed: an error, not "could not look"


@dataclass(frozen=True)
class Unreadable:
    """A section that could not be read and why. `failed`: the read failed (a server error), rather than
    the scanner could not look (no permission, not offered by this source), which is not_available."""

    section: str
    reason: str
    failed: bool = False
    label: str = ""  # how messages name the section ("GitHub rulesets"); the section's key by default

    def __str__(self) -> str:
        return f"{self.label or self.section} could not be read: {self.reason}"

    @classmethod
    def from_status(cls, section: str, status: str, label: str = "") -> Unreadable | None:
        """From a `kind: detail` status (`denied: 403`, `missing: not offered`); None when it was read."""
        kind = status.split(":")[0].strip()
        if kind in READ:
            return None
        return cls(section, status, failed=kind in FAILED, label=label)


@runtime_checkable
class Sectioned(Protocol):
    """A view read in sections: `unreadable(section)` is None when the section was read."""

    def unreadable(self, section: str) -> Unreadable | None: ...


def first_unreadable(view: Sectioned, sections: Iterable[str]) -> Unreadable | None:
    """The first of `sections` that could not be read, or None when all were read."""
    return next((gap for gap in map(view.unreadable, sections) if gap is not None), None)
