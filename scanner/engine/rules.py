"""Loading and checking rule files (`rules/<area>.yml`).

Rules are data: a closed condition language (`signal` terms with optional `min_count` and
`min_confidence`, combined with `all`, `any` and `not`). Nothing is evaluated as code and nothing is
templated. Every problem is reported as `FILE:LINE: at KEY.PATH: message`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from scanner.aliases import resolve_condition
from scanner.engine.conditions import CompiledCondition
from scanner.ids import AREAS, LEVELS
from scanner.yamlio import YamlDoc, YamlError, load_yaml

UPPER_LEVEL_CONFIDENCE = {"innovative": "medium", "leading": "medium"}  # the least confidence a term needs


class RulesError(ValueError):
    """One or more problems in rule files; `problems` holds the formatted lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Criterion:
    id: str  # area.dimension.level.name
    level: str
    text: str
    when: dict[str, Any]
    next: str = ""
    ceiling: bool = False  # from the area's `ceilings`: it restricts only where its signals were observed
    test: CompiledCondition = field(init=False, repr=False, compare=False)  # `when`, compiled once
    signals: tuple[str, ...] = field(init=False, repr=False, compare=False)  # those `when` reads, sorted
    rank: int = field(init=False, repr=False, compare=False)  # the level's position in LEVELS
    gap: str = field(init=False, repr=False, compare=False)  # "LEVEL: what to do", when it is not met

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", CompiledCondition(self.when, UPPER_LEVEL_CONFIDENCE.get(self.level, "low")))
        object.__setattr__(self, "signals", tuple(sorted(condition_signals(self.when))))
        object.__setattr__(self, "rank", LEVELS.index(self.level))
        object.__setattr__(self, "gap", f"{self.level}: {self.next or self.text}")


@dataclass(frozen=True)
class DimensionRules:
    area: str
    id: str
    title: str
    cells: dict[str, str]
    criteria: tuple[Criterion, ...]
    applies_when: dict[str, Any] | None = None
    not_applicable_reason: str = ""
    interpretive: bool = False
    observability: str = "medium"
    applies: CompiledCondition | None = field(init=False, repr=False, compare=False)  # `applies_when`, compiled once

    def __post_init__(self) -> None:
        object.__setattr__(self, "applies", _compiled(self.applies_when))

    def at(self, level: str) -> list[Criterion]:
        return [c for c in self.criteria if c.level == level]


@dataclass(frozen=True)
class AreaRules:
    id: str
    title: str
    dimensions: dict[str, DimensionRules]
    applies_when: dict[str, Any] | None = None
    not_applicable_reason: str = ""
    source: str = ""
    applies: CompiledCondition | None = field(init=False, repr=False, compare=False)  # `applies_when`, compiled once

    def __post_init__(self) -> None:
        object.__setattr__(self, "applies", _compiled(self.applies_when))


def _compiled(cond: dict[str, Any] | None) -> CompiledCondition | None:
    return None if cond is None else CompiledCondition(cond)


@dataclass
class RuleSet:
    areas: dict[str, AreaRules] = field(default_factory=dict)
    source: str = ""

    def signals(self) -> set[str]:
        found: set[str] = set()
        for area in self.areas.values():
            conds = [area.applies_when] + [d.applies_when for d in area.dimensions.values()]
            conds += [c.when for d in area.dimensions.values() for c in d.criteria]
            for cond in conds:
                if cond:
                    found.update(condition_signals(cond))
        return found


def condition_signals(cond: dict[str, Any]) -> set[str]:
    if "signal" in cond:
        return {cond["signal"]}
    if "not" in cond:
        return condition_signals(cond["not"])
    out: set[str] = set()
    for child in cond.get("all", []) + cond.get("any", []):
        out |= condition_signals(child)
    return out


def _schema() -> dict[str, Any]:
    text = resources.files("scanner.schemas").joinpath("rules.schema.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def _dotted(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _schema_problems(doc: YamlDoc, where: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(_schema())
    problems = []
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        error = _narrow(error)
        path = tuple(error.absolute_path)
        line = doc.line(path, 1)
        problems.append(f"{where}:{line}: at {_dotted(path)}: {_message(error)}")
    return problems


def _narrow(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For a condition that matches no branch, report the branch its key names."""
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        keys = [k for k in ("signal", "all", "any", "not") if k in error.instance]
        if len(keys) == 1:
            branch = [e for e in error.context or [] if keys[0] in _required(e.schema, keys[0])]
            deepest = sorted(branch, key=lambda e: -len(e.absolute_path))
            for sub in deepest:
                if sub.validator != "required":
                    return _narrow(sub)
        elif not keys:
            error.message = "a condition needs exactly one of: signal, all, any, not"
        else:
            error.message = f"a condition takes exactly one of signal/all/any/not, not {keys}"
    return error


def _required(schema: Any, default: str) -> list[str]:
    return list(schema.get("required") or [default]) if isinstance(schema, dict) else [default]


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    return error.message


def _semantic_problems(doc: YamlDoc, where: str, known_signals: set[str] | None) -> list[str]:
    data = doc.data
    problems: list[str] = []

    def report(path: tuple[Any, ...], message: str) -> None:
        problems.append(f"{where}:{doc.line(path, 1)}: at {_dotted(path)}: {message}")

    area = data["area"]
    if area not in AREAS:
        report(("area",), f"unknown area {area!r}; areas are {', '.join(AREAS)}")
        return problems
    for dim in data["dimensions"]:
        if dim not in AREAS[area]:
            report(("dimensions", dim), f"unknown dimension {dim!r} for area {area}; expected {', '.join(AREAS[area])}")
    for dim in AREAS[area]:
        if dim not in data["dimensions"]:
            report(("dimensions",), f"missing dimension {dim!r}")
    for dim, spec in data["dimensions"].items():
        seen: set[str] = set()
        for level in LEVELS:
            for i, crit in enumerate(spec["levels"][level].get("criteria") or []):
                path = ("dimensions", dim, "levels", level, "criteria", i)
                if crit["id"] in seen:
                    report((*path, "id"), f"duplicate criterion id {crit['id']!r} in dimension {dim}")
                seen.add(crit["id"])
                if known_signals is not None:
                    for signal in sorted(_unknown(condition_signals(crit["when"]), known_signals)):
                        report((*path, "when"), f"unknown signal {signal!r} (no probe emits it)")
        if known_signals is not None and spec.get("applies_when"):
            for signal in sorted(_unknown(condition_signals(spec["applies_when"]), known_signals)):
                report(("dimensions", dim, "applies_when"), f"unknown signal {signal!r} (no probe emits it)")
    for i, ceiling in enumerate(data.get("ceilings") or []):
        for dim, spec in data["dimensions"].items():
            ids = {c["id"] for level in LEVELS for c in spec["levels"][level].get("criteria") or []}
            if ceiling["id"] in ids:
                report(("ceilings", i, "id"), f"ceiling id {ceiling['id']!r} is also a criterion id in dimension {dim}")
        if known_signals is not None:
            for signal in sorted(_unknown(condition_signals(ceiling["when"]), known_signals)):
                report(("ceilings", i, "when"), f"unknown signal {signal!r} (no probe emits it)")
    if known_signals is not None and data.get("applies_when"):
        for signal in sorted(_unknown(condition_signals(data["applies_when"]), known_signals)):
            report(("applies_when",), f"unknown signal {signal!r} (no probe emits it)")
    return problems


def _unknown(used: set[str], known: set[str]) -> set[str]:
    """Signals no probe emits; a family `x.y.*` is known when some known signal starts with `x.y.`."""
    out = set()
    for signal in used:
        if signal.endswith(".*"):
            if not any(k.startswith(signal[:-1]) for k in known):
                out.add(signal)
        elif signal not in known:
            out.add(signal)
    return out


def _build_area(data: dict[str, Any], where: str, aliases: Mapping[str, str]) -> AreaRules:
    data = _resolved(data, aliases)
    dims: dict[str, DimensionRules] = {}
    for dim_id in AREAS[data["area"]]:
        spec = data["dimensions"][dim_id]
        ceilings = data.get("ceilings") or []
        criteria = tuple(
            Criterion(
                f"{data['area']}.{dim_id}.{level}.{c['id']}",
                level,
                c["text"],
                c["when"],
                c.get("next", ""),
                ceiling=c in ceilings,
            )
            for level in LEVELS
            for c in [*(spec["levels"][level].get("criteria") or []), *(x for x in ceilings if x["level"] == level)]
        )
        dims[dim_id] = DimensionRules(
            area=data["area"],
            id=dim_id,
            title=spec["title"],
            cells={level: spec["levels"][level]["cell"] for level in LEVELS},
            criteria=criteria,
            applies_when=spec.get("applies_when"),
            not_applicable_reason=spec.get("not_applicable_reason", ""),
            interpretive=bool(spec.get("interpretive", False)),
            observability=spec.get("observability", "medium"),
        )
    return AreaRules(
        data["area"], data["title"], dims, data.get("applies_when"), data.get("not_applicable_reason", ""), where
    )


def _resolved(data: dict[str, Any], aliases: Mapping[str, str]) -> dict[str, Any]:
    """The area's conditions with renamed signals (aliases) replaced by their current ids."""
    if not aliases:
        return data
    cond = lambda c: resolve_condition(c, aliases) if c else c  # noqa: E731
    dims = {}
    for dim_id, spec in data["dimensions"].items():
        levels = {
            level: {**body, "criteria": [{**c, "when": cond(c["when"])} for c in body.get("criteria") or []]}
            for level, body in spec["levels"].items()
        }
        dims[dim_id] = {**spec, "levels": levels, "applies_when": cond(spec.get("applies_when"))}
    ceilings = [{**c, "when": cond(c["when"])} for c in data.get("ceilings") or []]
    return {**data, "dimensions": dims, "ceilings": ceilings, "applies_when": cond(data.get("applies_when"))}


def load_rules(
    directory: Path, known_signals: set[str] | None = None, aliases: Mapping[str, str] | None = None
) -> RuleSet:
    """Load and check every `*.yml`/`*.yaml` file in `directory`; raise RulesError listing all problems.
    Conditions citing an alias of a renamed signal (`aliases`: old id -> current id) cite the current id."""
    problems: list[str] = []
    ruleset = RuleSet(source=str(directory))
    if not directory.is_dir():
        raise RulesError([f"{directory}: not a folder of rule files"])
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yml", ".yaml"))
    if not files:
        raise RulesError([f"{directory}: no rule files (*.yml)"])
    for path in files:
        where = str(path)
        try:
            doc = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{where}:1: at (top level): cannot read: {exc}")
            continue
        except YamlError as exc:
            problems.append(f"{where}:{exc.line or 1}: at (top level): invalid YAML: {exc}")
            continue
        if not isinstance(doc.data, dict):
            problems.append(f"{where}:1: at (top level): a rules file is a mapping with area, title, dimensions")
            continue
        found = _schema_problems(doc, where)
        if not found:
            found = _semantic_problems(doc, where, known_signals)
        if not found and doc.data["area"] in ruleset.areas:
            found = [f"{where}:{doc.line(('area',), 1)}: at area: area {doc.data['area']!r} is defined twice"]
        problems.extend(found)
        if not found:
            ruleset.areas[doc.data["area"]] = _build_area(doc.data, where, aliases or {})
    if not problems:
        for area in AREAS:
            if area not in ruleset.areas:
                problems.append(f"{directory}: missing rules for area {area!r}")
    if problems:
        raise RulesError(problems)
    return ruleset


def builtin_rules_dir() -> Path:
    """The shipped rules: `rules/` beside the package in a checkout, or the copy inside the wheel."""
    here = Path(__file__).resolve().parents[1]
    for candidate in (here.parent / "rules", here / "_data" / "rules"):
        if candidate.is_dir():
            return candidate
    raise RulesError(["built-in rules not found (neither rules/ nor scanner/_data/rules)"])
