"""Model intake: researchers propose or request models through a structured issue form, and the maintainers
turn them into packaged, repeatable models. A bug report or feature request that merely mentions a model
is not an intake process."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import probe, verdict
from scanner.views import Views

from ._ml import repo_of

SIGNAL = "repo.model_intake.structured"
TEMPLATE_GLOBS = (".github/ISSUE_TEMPLATE/*.yml", ".github/ISSUE_TEMPLATE/*.yaml", ".github/ISSUE_TEMPLATE/*.md")
# "Model request", "New model proposal", "Submit a model", "model_contribution" (name, title or file name).
INTAKE = re.compile(
    r"\bmodels?\b[\s_-]{0,3}(?:\w{1,20}[\s_-]{1,3}){0,2}(?:request|proposal|submission|suggestion|contribution|incorporation)"
    r"|\b(?:request|propose|submit|suggest|contribute|add|new)[\s_-]{1,3}(?:\w{1,20}[\s_-]{1,3}){0,2}models?\b",
    re.IGNORECASE,
)
NOT_INTAKE = re.compile(r"\b(?:bug|issue|error|problem|fix)\b", re.IGNORECASE)
MIN_FIELDS = 2
_FRONT = re.compile(r"\A---\s*\n(.{0,2000}?)\n---", re.DOTALL)
_FRONT_FIELD = re.compile(r"^(?:name|title):[ \t]*(.{0,200})$", re.MULTILINE)
_MD_FIELD = re.compile(r"^(?:#{1,4}[ \t]+\S|\*\*[^*\n]{1,80}\*\*)", re.MULTILINE)


def _form_fields(data: Any) -> int:
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, list):
        return 0
    return sum(1 for item in body if isinstance(item, dict) and item.get("type") != "markdown")


def _labels(index: RepoIndex, path: str) -> tuple[str, int]:
    """The template's name/title words and how many fields it asks the reporter to fill in."""
    stem = PurePosixPath(path).stem.replace("_", " ").replace("-", " ")
    if path.endswith(".md"):
        text = index.text(path) or ""
        front = _FRONT.match(text)
        words = " ".join(_FRONT_FIELD.findall(front.group(1))) if front else ""
        return f"{stem} {words}", len(_MD_FIELD.findall(text))
    data = index.yaml_data(path)
    words = " ".join(str(data.get(k, "")) for k in ("name", "title")) if isinstance(data, dict) else ""
    return f"{stem} {words}", _form_fields(data)


def intake_templates(index: RepoIndex) -> list[Location]:
    out = []
    for path in index.paths(*TEMPLATE_GLOBS, kinds=None):
        words, fields = _labels(index, path)
        if INTAKE.search(words) and not NOT_INTAKE.search(words) and fields >= MIN_FIELDS:
            out.append(index.location(path, 1, words.strip()[:120]))
    return out


@probe(
    SIGNAL,
    summary="An issue form through which contributors propose or request models, with fields to fill in",
    evidence=("file",),
    remediation="Add an issue form (.github/ISSUE_TEMPLATE/*.yml) through which people propose or request "
    "models, with required fields for the use case, data and success measure.",
)
def model_intake(views: Views) -> list[Finding]:
    index = repo_of(views)
    locs = intake_templates(index)
    return [
        verdict(
            views,
            SIGNAL,
            locs,
            f"{len(locs)} structured issue template(s) to propose or request a model",
            "no issue template to propose or request a model",
        )
    ]
