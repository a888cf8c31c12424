"""From findings to maturity levels: cumulative levels, three-valued criteria, applicability,
confidence and next-level gaps (docs/model.md, "How a level is read")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from scanner.engine.conditions import MET, UNKNOWN, UNMET, Evidence
from scanner.engine.rules import UPPER_LEVEL_CONFIDENCE, AreaRules, Criterion, DimensionRules, RuleSet
from scanner.ids import CONFIDENCE_WEIGHT, LEVELS, level_index
from scanner.model import Finding, Outcome

ABSENCE_WEIGHT = 0.5  # a criterion met by the absence of something is weaker evidence
UNKNOWN_ABOVE_PENALTY = 0.8
INTERPRETIVE_PENALTY = 0.8


@dataclass
class CriterionResult:
    level: str
    id: str
    text: str
    result: str
    findings: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    next: str = ""
    attested: Mapping[str, Any] | None = None  # a team's statement standing in for evidence no tool sees

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "level": self.level,
            "id": self.id,
            "text": self.text,
            "result": self.result,
            "findings": list(self.findings),
        }
        if self.reasons:
            out["reasons"] = list(self.reasons)
        if self.next and self.result != MET:
            out["next"] = self.next
        if self.attested is not None:
            out["attested"] = dict(self.attested)
        return out


@dataclass
class DimensionResult:
    area: str
    id: str
    title: str
    status: str  # assessed | unknown | not_applicable
    level: str | None
    confidence: float
    criteria: list[CriterionResult] = field(default_factory=list)
    next: list[str] = field(default_factory=list)
    cell: str = ""
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "title": self.title,
            "level": self.level,
            "status": self.status,
            "confidence": self.confidence,
            "criteria": [c.to_json() for c in self.criteria],
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


def _criterion(crit: Criterion, evidence: Evidence, attested: Attested) -> CriterionResult:
    if crit.ceiling and not any(evidence.get(s) for s in crit.signals):
        # A ceiling is about a subject this scope lacks (a repository's nature, for an MLflow server).
        reason = "not applicable here: " + "; ".join(evidence.why_missing(s) for s in crit.signals)
        return CriterionResult(crit.level, crit.id, crit.text, MET, (), (reason,), crit.next)
    result = crit.test(evidence)
    out = CriterionResult(crit.level, crit.id, crit.text, result.value, result.findings, result.reasons, crit.next)
    if out.result != MET and crit.id in attested:  # observed evidence wins; an attestation only fills a gap
        statement = dict(attested[crit.id])
        cites = (*out.findings, str(statement.pop("finding"))) if "finding" in statement else out.findings
        out = replace(out, result=MET, findings=cites, reasons=(), attested=statement)
    return out


def _confidence(
    reached: str, results: list[CriterionResult], findings: dict[str, Finding], dim: DimensionRules
) -> float:
    upto = level_index(reached)
    weights = []
    for res in results:
        if res.result != MET or level_index(res.level) > upto:
            continue
        trues = [findings[f] for f in res.findings if f in findings and findings[f].outcome is Outcome.TRUE]
        weights.append(max((CONFIDENCE_WEIGHT[f.confidence] for f in trues), default=ABSENCE_WEIGHT))
    score = sum(weights) / len(weights) if weights else ABSENCE_WEIGHT
    above = LEVELS[upto + 1] if upto + 1 < len(LEVELS) else None
    if above and any(r.result == UNKNOWN and r.level == above for r in results):
        score *= UNKNOWN_ABOVE_PENALTY
    if dim.interpretive and upto >= LEVELS.index("innovative"):
        score *= INTERPRETIVE_PENALTY  # one-word cells (Speculative, Generative) are read, not observed
    return round(min(max(score, 0.0), 1.0), 2)


def _next_steps(reached: str | None, results: list[CriterionResult]) -> list[str]:
    start = 0 if reached is None else level_index(reached) + 1
    for level in LEVELS[start:]:
        gaps = [r for r in results if r.level == level and r.result != MET]
        if gaps:
            return [
                f"{level}: {r.next or r.text}" + (" (unknown: could not be observed)" if r.result == UNKNOWN else "")
                for r in gaps
            ]
    return []


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
    results = [_criterion(c, evidence, attested or {}) for c in dim.criteria]
    reached: str | None = None
    for level in LEVELS:
        if all(r.result == MET for r in results if r.level == level):
            reached = level
        else:
            break
    if reached is None:
        return DimensionResult(
            dim.area,
            dim.id,
            dim.title,
            "unknown",
            None,
            0.0,
            results,
            _next_steps(None, results),
            reason="the evidence needed to place it at Initial was not found or not observable",
        )
    return DimensionResult(
        dim.area,
        dim.id,
        dim.title,
        "assessed",
        reached,
        _confidence(reached, results, findings, dim),
        results,
        _next_steps(reached, results),
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
