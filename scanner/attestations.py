"""Attestations: a team's signed statement for a criterion no tool can observe (who, why, a link, an expiry).

The file (YAML, validated against scanner/schemas/attestations.schema.json):

    attestations:
      - criterion: people.data_scientists.procedural.ds_with_de
        by: Dana Lee, head of data science
        why: DS and DE pair on every pipeline change (weekly rota)
        link: https://wiki.example.com/ml/pairing
        expires: 2027-06-30
        scope: pipeline-dvc-mlflow   # optional: one repo; absent: every repo

Expired attestations are ignored with a warning. The engine shows an attested criterion as met with
its `attested` statement, never as observed, and only when the findings did not already meet it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from scanner.engine.rules import RuleSet
from scanner.model import Finding, Location, Outcome
from scanner.schemapath import FileProblems, problem, schema_problems
from scanner.yamlio import YamlError, load_yaml

PROBE = "attestation"  # the probe id of attestation findings: policy input, not observed facts


@dataclass(frozen=True)
class Attestation:
    criterion: str
    by: str
    why: str
    expires: str
    link: str = ""
    scope: str | None = None
    file: str = ""
    line: int = 0

    def statement(self) -> dict[str, Any]:
        out = {"by": self.by, "why": self.why, "expires": self.expires}
        return {**out, "link": self.link} if self.link else out

    def finding(self, subject: str) -> Finding:
        """The attestation as evidence: it is cited where it was written (file and line), never as observed."""
        url = self.link if self.link.startswith(("https://", "http://")) else None
        where = Location(path=self.file, line=self.line, url=url, object=f"attestation by {self.by}")
        message = f"attested by {self.by} (until {self.expires}): {self.why}"
        values = {"criterion": self.criterion, "expires": self.expires}
        return Finding(PROBE, "attested", subject, Outcome.TRUE, "low", message, (where,), values, self.criterion)


def _criteria(rules: RuleSet) -> set[str]:
    return {c.id for a in rules.areas.values() for d in a.dimensions.values() for c in d.criteria}


def _dates_as_text(data: Any) -> None:
    """`expires: 2027-06-30` unquoted is a YAML date: read it as the text it was written as."""
    items = data.get("attestations") if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and type(item.get("expires")) is date:
            item["expires"] = item["expires"].isoformat()


def load_attestations(path: Path, rules: RuleSet, today: date | None = None) -> tuple[list[Attestation], list[str]]:
    """(current attestations, warnings). Raises RulesError (file:line problems) on a bad file."""
    where = str(path)
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:  # name the file and the byte, not just the codec
        raise FileProblems([f"{where}: not UTF-8 text (byte {exc.start}: {exc.reason})"], "the attestations") from None
    except YamlError as exc:
        raise FileProblems([f"{where}:{exc.line or 1}: {exc}"], "the attestations") from None
    _dates_as_text(doc.data)
    problems = schema_problems(doc, where, "attestations.schema.json")
    if problems:
        raise FileProblems(problems, "the attestations")
    known = _criteria(rules)
    today = today or datetime.now(UTC).date()
    current, warnings = [], []
    for i, item in enumerate(doc.data["attestations"]):
        at = ("attestations", i)
        if item["criterion"] not in known:
            problems.append(problem(doc, where, (*at, "criterion"), f"unknown criterion {item['criterion']!r}"))
            continue
        try:
            expires = date.fromisoformat(item["expires"])
        except ValueError:
            problems.append(problem(doc, where, (*at, "expires"), f"not a date: {item['expires']!r}"))
            continue
        if expires < today:
            warnings.append(
                f"{where}:{doc.line(at, 1)}: attestation for {item['criterion']} expired on {expires}: ignored"
            )
            continue
        current.append(
            Attestation(
                **{k: item[k] for k in ("criterion", "by", "why", "expires")},
                link=item.get("link", ""),
                scope=item.get("scope"),
                file=where,
                line=doc.line(at, 1) or 1,
            )
        )
    if problems:
        raise FileProblems(problems, "the attestations")
    return current, warnings


def for_scope(attestations: list[Attestation], scope: str) -> tuple[list[Finding], dict[str, dict[str, Any]]]:
    """The attestation findings of one repo, and the statements by criterion id (each citing its finding)."""
    mine = [a for a in attestations if a.scope in (None, scope)]
    findings = [a.finding(scope) for a in mine]
    return findings, {a.criterion: {**a.statement(), "finding": f.id} for a, f in zip(mine, findings, strict=True)}
