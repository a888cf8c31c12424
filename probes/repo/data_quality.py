"""Schema/expectation checks on data (code.data_validation).

Great Expectations (a data context with suites or checkpoints, or code adding expectations), pandera
schemas, soda checks (`checks for <table>:` files, with a `configuration.yml`), TFDV
`validate_statistics` and deepchecks `data_integrity`. Only the org's own code counts (tests, examples
and docs do not); a dependency line, an empty `great_expectations init` context or the GX `taxi`
tutorial data is not practice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from probes.repo._data import code_confidence, loc, parent_dir, unavailable_all, yaml_docs
from scanner.facts.paths import CODE
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

SIGNAL = "code.data_validation"
GX_CALL = re.compile(
    r"(^|\.)(expect_\w+|Expect[A-Z]\w+|ExpectationSuite|Checkpoint|ValidationDefinition|"
    r"add_expectation|add_or_update_expectation_suite|add_or_update_checkpoint|run_checkpoint)$"
)
GX_TUTORIAL = re.compile(r"taxi|yellow_tripdata", re.IGNORECASE)
PANDERA = re.compile(
    r"^pandera(\.\w+)*\.(DataFrameSchema|SeriesSchema|DataFrameModel|SchemaModel|check_types|"
    r"check_input|check_output|check_io)$"
)
TFDV = re.compile(r"^tensorflow_data_validation\.(validate_statistics|validate_examples_in_\w+)$")
DEEPCHECKS = re.compile(r"^deepchecks(\.\w+)*\.data_integrity$")
PACKAGES = ("great-expectations", "pandera", "soda-core", "tensorflow-data-validation", "deepchecks")


@dataclass
class Checks:
    by_tool: dict[str, list[Location]] = field(default_factory=dict)
    paths: set[str] = field(default_factory=set)
    ignored: list[str] = field(default_factory=list)
    soda_config: bool = False

    def add(self, tool: str, location: Location, path: str) -> None:
        self.by_tool.setdefault(tool, []).append(location)
        self.paths.add(path)


def detect_checks(index: RepoIndex) -> Checks:
    checks = Checks()
    for path in index.python_files(kinds={CODE}):
        facts = index.python(path)
        if facts is not None and not facts.error:
            _python_checks(index, path, facts, checks)
    _gx_context(index, checks)
    _soda(index, checks)
    return checks


def _python_checks(index: RepoIndex, path: str, facts: PyFacts, checks: Checks) -> None:
    names = [(c.name, c.line) for c in facts.calls] + facts.decorators
    names += [(base, line) for _, bases, line in facts.classes for base in bases]
    if facts.imported("great_expectations"):
        gx = [line for name, line in names if GX_CALL.search(name)]
        if gx and any(GX_TUTORIAL.search(s) for _, s in facts.strings):
            checks.ignored.append(path)
        elif gx:
            checks.add("great_expectations", loc(index, path, min(gx), "expectations/checkpoints in code"), path)
    for tool, regex in (("pandera", PANDERA), ("tfdv", TFDV), ("deepchecks", DEEPCHECKS)):
        lines = sorted({line for name, line in names if regex.match(name)})
        if lines:
            checks.add(tool, loc(index, path, lines[0], f"{tool} schema/validation"), path)


def _gx_context(index: RepoIndex, checks: Checks) -> None:
    for ctx in index.by_name("great_expectations.yml"):
        root = parent_dir(ctx)
        suites = [
            p
            for p in index.paths(f"{root}/expectations/**/*.json")
            if not GX_TUTORIAL.search(p) and '"expectations": []' not in (index.text(p) or "")
        ]
        points = index.paths(f"{root}/checkpoints/**/*.yml", f"{root}/checkpoints/**/*.json")
        if suites or points:
            where = (suites + points)[0]
            what = f"{len(suites)} suite(s), {len(points)} checkpoint(s)"
            checks.add("great_expectations", loc(index, where, 1, what), where)
        else:
            checks.ignored.append(ctx)


def _soda(index: RepoIndex, checks: Checks) -> None:
    for path, doc in yaml_docs(index, index.by_suffix(".yml", ".yaml", kinds={CODE})):
        keys = [k for k in doc.data if isinstance(k, str)]
        tables = [k for k in keys if k.startswith("checks for ") and doc.data[k]]
        if tables:
            checks.add("soda", loc(index, path, doc.line((tables[0],)), tables[0]), path)
        if any(k.startswith("data_source ") for k in keys):
            checks.soda_config = True


@probe(
    "repo.data.validation",
    summary="Data validation in the repo's own code: Great Expectations, pandera, soda, TFDV, deepchecks.",
    emits=(SIGNAL,),
    remediation="Validate pipeline inputs with expectations or schemas (GX, pandera, soda) and run them in CI.",
    evidence=("file",),
)
def data_validation(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (SIGNAL,))
    checks = detect_checks(index)
    values = {"tools": sorted(checks.by_tool), "ignored_starters": len(checks.ignored)}
    if not checks.by_tool:
        declared = index.declares(*PACKAGES)
        why = "No data validation (expectations, schemas, soda checks) in the repo's own code"
        if declared:
            why += "; a validation library is declared but never used"
        return [miss(views, SIGNAL, why, values={**values, "declared": len(declared)})]
    confidence = code_confidence(checks.paths)
    if set(checks.by_tool) == {"soda"} and not checks.soda_config:
        confidence = "low"  # checks without a data source configuration cannot run from this repo
    locs = [x for items in checks.by_tool.values() for x in items]
    tools = ", ".join(sorted(checks.by_tool))
    return [
        hit(
            views,
            SIGNAL,
            locs,
            f"Data validation with {tools} in {len(checks.paths)} file(s)",
            confidence=confidence,
            values={"count": len(locs), **values},
        )
    ]
