"""From findings to maturity levels: cumulative levels, three-valued criteria, applicability,
confidence and next-level gaps (docs/model.md, "How a level is read")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from scanner.engine.conditions import MET, UNKNOWN, UNMET, Evidence
from scanner.engine.rules import UPPER_LEVEL_CONFIDENCE, AreaRules, Criterion, DimensionRules, RuleSet
from scanner.ids import CONFIDENCE_WEIGHT, LEVELS, level_index
from scanner.model import Finding, Outcome

ABSENCE_WEIGHT = 0.5  # a criterion met by the absence of something is weaker evidence
UNKNOWN_ABOVE_PENALTY = 0.8
INTERPRETIVE_PENALTY = 0.8


class CriterionResult(NamedTuple):
    level: str
    id: str
    text: str
    result: str
    findings: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    next: str = ""
    attested: Mapping[str, Any] | None = None  # a team's statement standing in for evidence no tool sees

    def to_json(self) -> dict[str, Any]:
        return criterion_json(self)


# A criterion's result as a plain tuple, in CriterionResult's field order: what a dimension keeps. The
# garbage collector stops tracking a plain tuple of strings (not an instance of a class), and an estate's
# assessments hold hundreds of thousands of criteria: tracked, they cost a full collection per run.
CriterionRow = tuple[str, str, str, str, tuple[str, ...], tuple[str, ...], str, Mapping[str, Any] | None]
_RESULT: Final = 3  # positions in a CriterionRow
_FINDINGS: Final = 4


def criterion_json(row: CriterionRow) -> dict[str, Any]:
    level, criterion_id, text, result, findings, reasons, next_step, attested = row
    out: dict[str, Any] = {
        "level": level,
        "id": criterion_id,
        "text": text,
        "result": result,
        "findings": list(findings),
    }
    if reasons:
        out["reasons"] = list(reasons)
    if next_step and result != MET:
        out["next"] = next_step
    if attested is not None:
        out["attested"] = dict(attested)
    return out


@dataclass
class DimensionResult:
    area: str
    id: str
    title: str
    status: str  # assessed | unknown | not_applicable
    level: str | None
    confidence: float
    rows: tuple[CriterionRow, ...] = ()  # the criteria's results (`criteria` gives them as CriterionResult)
    next: list[str] = field(default_factory=list)
    cell: str = ""
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def criteria(self) -> list[CriterionResult]:
        return [CriterionResult._make(row) for row in self.rows]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "title": self.title,
            "level": self.level,
            "status": self.status,
            "confidence": self.confidence,
            "criteria": [criterion_json(row) for row in self.rows],
            "next": self.next,
        }
        if self.cell:
            out["cell"] = self.cell
        if self.reason:
            out["reason"] = self.reason
        out.update(self.extra)
        return out


@dataclass
class AreaResult:
    id: str
    title: str
    status: str
    level: str | None
    lowest: str | None
    dimensions: dict[str, DimensionResult]
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "title": self.title,
            "level": self.level,
            "lowest": self.lowest,
            "status": self.status,
            "dimensions": {k: v.to_json() for k, v in self.dimensions.items()},
        }
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class Assessment:
    scope: str
    status: str
    areas: dict[str, AreaResult]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scope": self.scope,
            "status": self.status,
            "areas": {k: v.to_json() for k, v in self.areas.items()},
        }
        out.update(self.extra)
        return out


def lower_median(levels: list[str]) -> str | None:
    if not levels:
        return None
    ordered = sorted(levels, key=level_index)
    return ordered[(len(ordered) - 1) // 2]


def upper_median(levels: list[str]) -> str | None:
    """The median with ties rounded up: an area's level (README, "Areas"). Of four dimensions it is the
    second highest, so one dimension a repository can hardly show (sensitivity, access) does not sink it."""
    if not levels:
        return None
    ordered = sorted(levels, key=level_index)
    return ordered[len(ordered) // 2]


Attested = Mapping[str, Mapping[str, Any]]  # criterion id -> {by, why, link, expires, finding (its id)}


def _criterion(crit: Criterion, evidence: Evidence, attested: Attested) -> CriterionRow:
    if crit.ceiling and not evidence.observed_any(crit.signals):
        # A ceiling is about a subject this scope lacks (a repository's nature, for an MLflow server).
        reason = "not applicable here: " + "; ".join(evidence.why_missing(s) for s in crit.signals)
        return (crit.level, crit.id, crit.text, MET, (), (reason,), crit.next, None)
    value, findings, reasons = crit.test.run(evidence)
    if value != MET and crit.id in attested:  # observed evidence wins; an attestation only fills a gap
        statement = dict(attested[crit.id])
        cites = (*findings, str(statement.pop("finding"))) if "finding" in statement else findings
        return (crit.level, crit.id, crit.text, MET, cites, (), crit.next, statement)
    return (crit.level, crit.id, crit.text, value, findings, reasons, crit.next, None)


_TRUE = Outcome.TRUE


def _weight(cited: tuple[str, ...], findings: dict[str, Finding]) -> float:
    """The confidence a met criterion lends: that of its strongest true finding, or less for an absence."""
    best = None
    for finding_id in cited:
        finding = findings.get(finding_id)
        if finding is not None and finding.outcome is _TRUE:
            weight = CONFIDENCE_WEIGHT[finding.confidence]
            if best is None or weight > best:
                best = weight
    return ABSENCE_WEIGHT if best is None else best


def _confidence(reached: int, weights: list[float], unknown_above: bool, dim: DimensionRules) -> float:
    score = sum(weights) / len(weights) if weights else ABSENCE_WEIGHT
    if unknown_above:
        score *= UNKNOWN_ABOVE_PENALTY
    if dim.interpretive and reached >= LEVELS.index("innovative"):
        score *= INTERPRETIVE_PENALTY  # one-word cells (Speculative, Generative) are read, not observed
    return round(min(max(score, 0.0), 1.0), 2)


def assess_dimension(
    dim: DimensionRules, evidence: Evidence, findings: dict[str, Finding], attested: Attested | None = None
) -> DimensionResult:
    if dim.applies is not None and dim.applies(evidence).value == UNMET:
        return DimensionResult(
            dim.area,
            dim.id,
            dim.title,
            "not_applicable",
            None,
            1.0,
            reason=dim.not_applicable_reason or "its subject is absent",
        )
    statements = attested or {}
    # Levels are cumulative: the level reached is the one below the lowest level with a criterion not met
    # (the gap). Its criteria not met are what is missing for the next level.
    gap = len(LEVELS)
    found: list[CriterionRow] = []
    for crit in dim.criteria:
        row = _criterion(crit, evidence, statements)
        found.append(row)
        if row[_RESULT] != MET and crit.rank < gap:
            gap = crit.rank
    rows = tuple(found)
    steps: list[str] = []
    unknown_above = False
    weights: list[float] = []  # of the criteria met up to the level reached
    for crit, row in zip(dim.criteria, rows, strict=True):
        if crit.rank < gap:
            weights.append(_weight(row[_FINDINGS], findings))
        elif crit.rank == gap and row[_RESULT] != MET:
            unknown = row[_RESULT] == UNKNOWN
            unknown_above = unknown_above or unknown
            steps.append(crit.gap + " (unknown: could not be observed)" if unknown else crit.gap)
    if gap == 0:
        return DimensionResult(
            dim.area,
            dim.id,
            dim.title,
            "unknown",
            None,
            0.0,
            rows,
            steps,
            reason="the evidence needed to place it at Initial was not found or not observable",
        )
    reached = LEVELS[gap - 1]
    return DimensionResult(
        dim.area,
        dim.id,
        dim.title,
        "assessed",
        reached,
        _confidence(gap - 1, weights, unknown_above, dim),
        rows,
        steps,
        cell=dim.cells[reached],
    )


def summarise_area(area: AreaRules, dims: dict[str, DimensionResult], reason: str = "") -> AreaResult:
    assessed = [d.level for d in dims.values() if d.status == "assessed" and d.level]
    if assessed:
        status = "assessed"
    elif all(d.status == "not_applicable" for d in dims.values()):
        status = "not_applicable"
    else:
        status = "unknown"
    lowest = min(assessed, key=level_index) if assessed else None
    return AreaResult(area.id, area.title, status, upper_median(assessed), lowest, dims, reason)


def assess_scope(
    scope: str,
    rules: RuleSet,
    findings: list[Finding],
    missing_reason: dict[str, str],
    attested: Attested | None = None,
) -> Assessment:
    evidence = Evidence(findings, missing_reason)
    by_id = {f.id: f for f in findings}
    areas: dict[str, AreaResult] = {}
    for area in rules.areas.values():
        if area.applies is not None and area.applies(evidence).value == UNMET:
            reason = area.not_applicable_reason or "its subject is absent"
            dims = {
                d.id: DimensionResult(area.id, d.id, d.title, "not_applicable", None, 1.0, reason=reason)
                for d in area.dimensions.values()
            }
            areas[area.id] = summarise_area(area, dims, reason)
            continue
        dims = {d.id: assess_dimension(d, evidence, by_id, attested) for d in area.dimensions.values()}
        areas[area.id] = summarise_area(area, dims)
    statuses = {a.status for a in areas.values()}
    status = "assessed" if "assessed" in statuses else "unknown" if "unknown" in statuses else "not_applicable"
    return Assessment(scope, status, areas)


__all__ = ["UNMET", "UPPER_LEVEL_CONFIDENCE", "Assessment", "assess_scope", "lower_median", "upper_median"]
