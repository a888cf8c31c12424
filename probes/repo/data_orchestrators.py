"""Which workflow orchestrators define pipelines in the repo's own code (repo.orchestrator.*).

A pipeline definition counts (an Airflow DAG, a Dagster asset/job, a Prefect flow, ...); a dependency
line, a config file or a tool starter (Astro's `example_astronauts`, a Dagster scaffold with no
assets, `prefect init` deployments with null names, SQLMesh `sqlmesh_example` models) does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from probes.repo._data import code_confidence, loc, parent_dir, unavailable_all, under, yaml_docs
from probes.repo.infra_iac import azure_resources
from scanner.facts.paths import CODE
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views
from scanner.yamlio import YamlDoc

TOOLS = ("airflow", "dagster", "prefect", "zenml", "metaflow", "kubeflow", "adf", "dab", "sqlmesh")
SIGNALS = tuple(f"repo.orchestrator.{t}" for t in TOOLS)
LABELS = {
    "airflow": "Airflow DAGs",
    "dagster": "Dagster assets/jobs",
    "prefect": "Prefect flows",
    "zenml": "ZenML pipelines",
    "metaflow": "Metaflow flows",
    "kubeflow": "Kubeflow pipelines",
    "adf": "Azure Data Factory pipelines",
    "dab": "Databricks Asset Bundle jobs/pipelines",
    "sqlmesh": "SQLMesh models",
}
PACKAGES = {
    "airflow": ("apache-airflow",),
    "dagster": ("dagster",),
    "prefect": ("prefect",),
    "zenml": ("zenml",),
    "metaflow": ("metaflow",),
    "kubeflow": ("kfp",),
    "sqlmesh": ("sqlmesh",),
    "adf": (),
    "dab": (),
}
DEFINITIONS = {
    "airflow": re.compile(r"^airflow(\.\w+)*\.(DAG|dag)$"),
    "dagster": re.compile(
        r"^dagster(_\w+)?(\.\w+)*\.(asset|multi_asset|graph_asset|op|job|graph|schedule|sensor|"
        r"asset_check|define_asset_job|ScheduleDefinition|dbt_assets|asset_sensor)$"
    ),
    "prefect": re.compile(r"^prefect(\.\w+)*\.flow$"),
    "zenml": re.compile(r"^zenml(\.\w+)*\.pipeline$"),
    "kubeflow": re.compile(r"^kfp(\.\w+)*\.pipeline$"),
}
AIRFLOW_STARTERS = frozenset({"exampledag.py", "example_dag_basic.py", "example_dag_advanced.py"})
SQLMESH_MODEL = re.compile(r"(?im)^\s*MODEL\s*\(\s*name\s+([\w.]+)")


@dataclass
class Found:
    locations: list[Location] = field(default_factory=list)
    paths: set[str] = field(default_factory=set)
    ignored: list[str] = field(default_factory=list)  # starters and scaffolds, set aside

    def add(self, index: RepoIndex, path: str, line: int | None, snippet: str) -> None:
        self.locations.append(loc(index, path, line, snippet))
        self.paths.add(path)


def detect_orchestrators(index: RepoIndex) -> dict[str, Found]:
    found = {tool: Found() for tool in TOOLS}
    _python(index, found)
    _prefect_yaml(index, found["prefect"])
    _kfp_ir(index, found["kubeflow"])
    _adf(index, found["adf"])
    _dab(index, found["dab"])
    _sqlmesh(index, found["sqlmesh"])
    return found


def _python(index: RepoIndex, found: dict[str, Found]) -> None:
    for path in index.python_files(kinds={CODE}):  # a DAG built inside a test is a fixture
        facts = index.python(path)
        if facts is None or facts.error:
            continue
        named = [(c.name, c.line) for c in facts.calls] + facts.decorators
        for tool, regex in DEFINITIONS.items():
            lines = sorted({line for name, line in named if regex.match(name)})
            if not lines:
                continue
            if tool == "airflow" and (
                PurePosixPath(path).name in AIRFLOW_STARTERS or "example_astronauts" in facts.functions
            ):
                found[tool].ignored.append(path)
                continue
            for line in lines[:3]:
                found[tool].add(index, path, line, f"{LABELS[tool]} definition")
        for name, bases, line in facts.classes:
            if any(b in ("metaflow.FlowSpec", "metaflow.flowspec.FlowSpec") for b in bases):
                found["metaflow"].add(index, path, line, f"class {name}(FlowSpec)")


def _prefect_yaml(index: RepoIndex, found: Found) -> None:
    for path, doc in yaml_docs(index, index.by_name("prefect.yaml", "prefect.yml")):
        deployments = doc.data.get("deployments")
        for i, dep in enumerate(deployments if isinstance(deployments, list) else []):
            if isinstance(dep, dict) and dep.get("name") and dep.get("entrypoint"):
                found.add(index, path, doc.line(("deployments", i, "name")), f"deployment {dep['name']}")
            elif isinstance(dep, dict):
                found.ignored.append(path)  # `prefect init` leaves name/entrypoint null


def _kfp_ir(index: RepoIndex, found: Found) -> None:
    keys = {"pipelineInfo", "deploymentSpec", "root", "schemaVersion"}
    for path, doc in yaml_docs(index, index.by_suffix(".yaml", ".yml")):
        if keys <= doc.data.keys():
            found.add(index, path, doc.line(("pipelineInfo",)), "compiled KFP pipeline spec")


def _adf(index: RepoIndex, found: Found) -> None:
    for path in index.paths("pipeline/*.json", "**/pipeline/*.json"):
        data = index.json(path)
        props = data.get("properties") if isinstance(data, dict) else None
        activities = props.get("activities") if isinstance(props, dict) else None
        if isinstance(activities, list) and activities:
            text = index.text(path) or ""
            found.add(index, path, text[: text.find('"activities"')].count("\n") + 1, f"pipeline {data.get('name')}")
        elif isinstance(activities, list):
            found.ignored.append(path)
    for res in azure_resources(index):
        if res.type.lower() == "microsoft.datafactory/factories/pipelines":
            found.add(index, res.path, res.line, res.type)


def _dab(index: RepoIndex, found: Found) -> None:
    for path, doc in yaml_docs(index, index.by_name("databricks.yml", "databricks.yaml")):
        if "bundle" not in doc.data:
            continue
        root = parent_dir(path)
        includes = doc.data.get("include") if isinstance(doc.data.get("include"), list) else []
        files = [path] + [p for g in includes if isinstance(g, str) for p in index.paths(f"{root}/{g}" if root else g)]
        for fpath, fdoc in [(path, doc), *yaml_docs(index, files[1:])]:
            for kind, name, line in _bundle_resources(fdoc.data, fdoc):
                found.add(index, fpath, line, f"bundle {kind[:-1]} {name}")


def _bundle_resources(data: dict[str, Any], doc: YamlDoc) -> Iterator[tuple[str, str, int | None]]:
    res = data.get("resources")
    for kind in ("jobs", "pipelines"):
        items = res.get(kind) if isinstance(res, dict) else None
        for name in items if isinstance(items, dict) else {}:
            yield kind, name, doc.line(("resources", kind, name))


def _sqlmesh(index: RepoIndex, found: Found) -> None:
    roots = [
        parent_dir(p)
        for p, d in yaml_docs(index, index.by_name("config.yaml", "config.yml"))
        if "gateways" in d.data or "model_defaults" in d.data
    ]
    roots += [parent_dir(p) for p in index.by_name("config.py") if "sqlmesh" in (index.text(p) or "")]
    for root in dict.fromkeys(roots):
        for path in index.paths(f"{root}/models/**/*.sql" if root else "models/**/*.sql"):
            text = index.text(path) or ""
            m = SQLMESH_MODEL.search(text)
            if not m or not under(path, root):
                continue
            if m.group(1).startswith("sqlmesh_example."):
                found.ignored.append(path)
            else:
                found.add(index, path, text.count("\n", 0, m.start()) + 1, f"MODEL {m.group(1)}")


@probe(
    "repo.data.orchestrators",
    summary="Pipelines defined for a workflow orchestrator (Airflow, Dagster, Prefect, ZenML, Metaflow, Kubeflow, "
    "ADF, Databricks bundles, SQLMesh) in the repo's own code.",
    emits=SIGNALS,
    remediation="Move scheduled scripts into an orchestrator (DAGs, assets or bundle jobs) kept in git.",
    evidence=("file",),
)
def orchestrators(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, SIGNALS)
    out = []
    for tool, f in detect_orchestrators(index).items():
        signal = f"repo.orchestrator.{tool}"
        values = {"files": len(f.paths), "ignored_starters": len(set(f.ignored))}
        if f.locations:
            out.append(
                hit(
                    views,
                    signal,
                    f.locations,
                    f"{LABELS[tool]} defined in {len(f.paths)} file(s)",
                    confidence=code_confidence(f.paths),
                    values={"count": len(f.locations), **values},
                )
            )
            continue
        declared = index.declares(*PACKAGES[tool])
        why = f"No {LABELS[tool]} defined"
        if f.ignored:
            why += f" (only tool starters/scaffolds: {', '.join(sorted(set(f.ignored))[:3])})"
        elif declared:
            why += f" ({PACKAGES[tool][0]} is declared as a dependency, but nothing uses it)"
        out.append(miss(views, signal, why, values={**values, "declared": len(declared)}))
    return out
