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

from scanner.engine.rules import RulesError, RuleSet
from scanner.schemapath import problem, schema_problems
from scanner.yamlio import YamlError, load_yaml


@dataclass(frozen=True)
class Attestation:
    criterion: str
    by: str
    why: str
    expires: str
    link: str = ""
    scope: str | None = None

    def statement(self) -> dict[str, Any]:
        out = {"by": self.by, "why": self.why, "expires": self.expires}
        return {**out, "link": self.link} if self.link else out


def _criteria(rules: RuleSet) -> set[str]:
    return {c.id for a in rules.areas.values() for d in a.dimensions.values() for c in d.criteria}


def load_attestations(path: Path, rules: RuleSet, today: date | None = None) -> tuple[list[Attestation], list[str]]:
    """(current attestations, warnings). Raises RulesError (file:line problems) on a bad file."""
    where = str(path)
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except YamlError as exc:
        raise RulesError([f"{where}:{exc.line or 1}: {exc}"]) from None
    problems = schema_problems(doc, where, "attestations.schema.json")
    if problems:
        raise RulesError(problems)
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
            )
        )
    if problems:
        raise RulesError(problems)
    return current, warnings


def for_scope(attestations: list[Attestation], scope: str) -> dict[str, dict[str, Any]]:
    """The statements that apply to one scope, by criterion id."""
    return {a.criterion: a.statement() for a in attestations if a.scope in (None, scope)}
