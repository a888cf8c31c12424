"""dbt sources and shared semantics: keys that link sources, shared entities and dimensions, docs blocks,
ML exposures and cross-project (mesh) references, plus ID-mapping tables in dbt or SQL."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import PurePosixPath

from probes.repo._data import line_of, parent_dir, unavailable_all, walk, yaml_docs
from probes.repo.data_dbt_config import effective, generic_tests
from probes.repo.data_dbt_files import DbtFacts, collect_dbt, refs
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

RELS, ENTITIES, UNLINKED, DOCS = (
    "dbt.tests.relationships",
    "dbt.semantic_entities",
    "dbt.sources.unlinked",
    "dbt.docs_blocks_shared",
)
MAPPING, DIMS, EXPOSURES, MESH = (
    "repo.id_mapping_tables",
    "repo.conformed_dimensions",
    "dbt.exposures.ml",
    "dbt.mesh.dependencies",
)
SIGNALS = (RELS, ENTITIES, UNLINKED, DOCS, MAPPING, DIMS, EXPOSURES, MESH)
RELATIONSHIP = re.compile(r"(^|\.)relationships(_where)?$")
ENTITY_TYPES = frozenset({"primary", "foreign", "unique", "natural"})
DOCS_BLOCK = re.compile(r"\{%-?\s*docs\s+(\w+)\s*-?%\}")
DOC_REF = re.compile(r"""\bdoc\(\s*['"](\w+)['"]\s*\)""")
MAPPING_NAME = re.compile(r"xref|crosswalk|xwalk|_mapping|^map_|_map$", re.IGNORECASE)
CREATE_TABLE = re.compile(r"(?i)\bcreate\s+(?:or\s+replace\s+)?(?:\w+\s+)?table\s+(?:if\s+not\s+exists\s+)?([\w.\"`]+)")
MIN_UNLINKED_SOURCES = 5


def _entities(facts: DbtFacts) -> dict[str, list[tuple[str, str, int]]]:
    """Entity name -> [(semantic model, path, line)] from semantic_models and model-level specs."""
    out: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for entry in facts.section("semantic_models"):
        for i, ent in enumerate(entry.data.get("entities") or []):
            if isinstance(ent, dict) and str(ent.get("type", "")).lower() in ENTITY_TYPES:
                out[str(ent.get("name"))].append((entry.name, entry.path, entry.line_at("entities", i)))
    for entry in facts.section("models"):
        if "semantic_model" not in entry.data:
            continue
        for i, col in enumerate(entry.data.get("columns") or []):
            ent = col.get("entity") if isinstance(col, dict) else None
            kind = ent.get("type") if isinstance(ent, dict) else ent
            if str(kind).lower() in ENTITY_TYPES:
                name = ent.get("name", col.get("name")) if isinstance(ent, dict) else col.get("name")
                out[str(name)].append((entry.name, entry.path, entry.line_at("columns", i)))
    return out


def _docs_blocks(index: RepoIndex, facts: DbtFacts) -> tuple[dict[str, tuple[str, int]], dict[str, set[str]]]:
    blocks: dict[str, tuple[str, int]] = {}
    for path in facts.md_files:
        text = index.text(path) or ""
        for m in DOCS_BLOCK.finditer(text):
            blocks.setdefault(m.group(1), (path, line_of(text, m.start())))
    users: dict[str, set[str]] = defaultdict(set)
    for section in ("models", "sources", "seeds", "snapshots", "exposures"):
        for entry in facts.section(section):
            for _, value in walk(entry.data):
                for name in DOC_REF.findall(value) if isinstance(value, str) else ():
                    users[name].add(f"{section}:{entry.name}")
    return blocks, users


def _mapping_tables(index: RepoIndex, facts: DbtFacts) -> list[Location]:
    found = [
        index.location(path, 1, PurePosixPath(path).stem)
        for path in sorted(set(facts.model_files.values()) | set(facts.seed_files))
        if MAPPING_NAME.search(PurePosixPath(path).stem)
    ]
    for entry in facts.section("models") + facts.section("seeds"):
        cols = {str(c.get("name", "")).lower() for c in entry.data.get("columns") or [] if isinstance(c, dict)}
        if {"source_system", "source_id"} <= cols or any(c.endswith("_natural_key") for c in cols):
            found.append(index.location(entry.path, entry.line, f"{entry.name}: source-key columns"))
    dbt_sql = set(facts.sql_files)
    for path in index.by_suffix(".sql"):
        text = index.text(path) or ""
        for m in CREATE_TABLE.finditer(text) if path not in dbt_sql else ():
            table = m.group(1).strip('"`').split(".")[-1]
            if MAPPING_NAME.search(table):
                found.append(index.location(path, line_of(text, m.start()), f"create table {table}"))
    return found


def _conformed(index: RepoIndex, facts: DbtFacts) -> list[tuple[str, set[str]]]:
    users: dict[str, set[str]] = defaultdict(set)
    for name, path in facts.model_files.items():
        if name.startswith("dim_"):
            continue
        group = effective(facts, name, "group")[0]
        for target, second, _ in refs(index.text(path) or ""):
            dim = second or target
            if dim.startswith("dim_") and dim in facts.model_files:
                users[dim].add(f"group:{group}" if group else parent_dir(path))
    return sorted((dim, places) for dim, places in users.items() if len(places) >= 2)


def _mesh(index: RepoIndex, facts: DbtFacts) -> tuple[list[Location], bool]:
    own = {p.name for p in facts.projects}
    roots = [p.root for p in facts.projects]
    deps = [(p, d) for p, d in yaml_docs(index, index.by_name("dependencies.yml")) if parent_dir(p) in roots]
    declared = [
        (p, d, i, x) for p, d in deps for i, x in enumerate(d.data.get("projects") or []) if isinstance(x, dict)
    ]
    packages = {
        str(x.get("package", "")).split("/")[-1]
        for _, d in deps
        for x in d.data.get("packages") or []
        if isinstance(x, dict)
    }
    packages |= {
        str(x.get("package", "")).split("/")[-1]
        for _, d in yaml_docs(index, index.by_name("packages.yml"))
        for x in d.data.get("packages") or []
        if isinstance(x, dict)
    }
    locs = [index.location(p, d.line(("projects", i)), f"project {x.get('name')}") for p, d, i, x in declared]
    names = {str(x.get("name")) for *_, x in declared}
    for path in facts.model_files.values():
        for project, second, line in refs(index.text(path) or ""):
            if second and project not in own and (project in names or project not in packages):
                locs.append(index.location(path, line, f"ref('{project}', '{second}')"))
    return locs, bool(declared)


@probe(
    "repo.data.dbt_semantics",
    summary="dbt source linkage and shared semantics: relationships tests, semantic entities, unlinked sources, "
    "shared docs blocks, ID-mapping tables, conformed dimensions, ML exposures, dbt mesh dependencies.",
    emits=SIGNALS,
    remediation="Link sources through relationships tests and shared semantic entities; expose ML consumers as "
    "dbt exposures.",
    evidence=("file",),
)
def dbt_semantics(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, SIGNALS)
    facts = collect_dbt(index)
    if not facts.projects:
        out = [miss(views, s, "No dbt project in the repo's own code") for s in SIGNALS if s != MAPPING]
        found = _mapping_tables(index, facts)
        return [*out, _verdict(views, MAPPING, found, "ID-mapping table(s)", "No ID-mapping/crosswalk tables")]
    out = []
    rels = [t for t in generic_tests(facts) if RELATIONSHIP.search(t.name)]
    out.append(
        _verdict(
            views,
            RELS,
            [index.location(t.path, t.line, f"{t.node}.{t.column}") for t in rels],
            "relationships test(s) on foreign keys",
            "No relationships tests",
        )
    )
    entities = _entities(facts)
    shared = sorted(n for n, uses in entities.items() if len({u[0] for u in uses}) >= 2)
    ent_locs = [index.location(p, ln, f"{sm}: entity {n}") for n, uses in entities.items() for sm, p, ln in uses]
    out.append(
        hit(
            views,
            ENTITIES,
            ent_locs,
            f"{len(entities)} semantic entit(ies), {len(shared)} shared across models",
            confidence="medium" if shared else "low",
            values={"count": len(entities), "shared": shared},
        )
        if entities
        else miss(views, ENTITIES, "No semantic models with entities")
    )
    tables = [
        (e, j)
        for e in facts.section("sources")
        for j, t in enumerate(e.data.get("tables") or [])
        if isinstance(t, dict)
    ]
    if len(tables) >= MIN_UNLINKED_SOURCES and not rels and not entities:
        locs = [index.location(e.path, e.line_at("tables", j)) for e, j in tables]
        out.append(
            hit(
                views,
                UNLINKED,
                locs,
                f"{len(tables)} source tables with no relationships tests or entities",
                values={"count": len(tables)},
            )
        )
    else:
        why = f"{len(tables)} source table(s)" + (", linked by tests/entities" if rels or entities else "")
        out.append(miss(views, UNLINKED, why, values={"sources": len(tables)}))
    blocks, users = _docs_blocks(index, facts)
    reused = {n: u for n, u in users.items() if n in blocks and len(u) >= 2}
    out.append(
        _verdict(
            views,
            DOCS,
            [index.location(*blocks[n], f"docs {n}: {len(u)} users") for n, u in reused.items()],
            "docs block(s) reused by 2+ models",
            "No docs blocks reused across models",
            {"blocks": len(blocks)},
        )
    )
    out.append(
        _verdict(views, MAPPING, _mapping_tables(index, facts), "ID-mapping table(s)", "No ID-mapping/crosswalk tables")
    )
    dims = _conformed(index, facts)
    out.append(
        _verdict(
            views,
            DIMS,
            [index.location(facts.model_files[d], 1, f"{d}: {len(p)} users") for d, p in dims],
            "dimension(s) referenced from 2+ folders/groups",
            "No dim_* model shared across folders/groups",
        )
    )
    ml = [e for e in facts.section("exposures") if str(e.data.get("type", "")).lower() == "ml"]
    linked = [e for e in ml if e.data.get("depends_on")]
    out.append(
        hit(
            views,
            EXPOSURES,
            [index.location(e.path, e.line, f"exposure {e.name}") for e in ml],
            f"{len(ml)} dbt exposure(s) of type ml",
            confidence="medium" if linked else "low",
            values={"count": len(ml), "with_depends_on": len(linked)},
        )
        if ml
        else miss(views, EXPOSURES, "No dbt exposures of type ml")
    )
    mesh, declared = _mesh(index, facts)
    out.append(
        hit(views, MESH, mesh, "dbt mesh: cross-project dependencies", confidence="medium" if declared else "low")
        if mesh
        else miss(views, MESH, "No dbt cross-project dependencies (dependencies.yml projects, ref('p', 'm'))")
    )
    return out


def _verdict(
    views: Views, signal: str, locs: list[Location], found: str, absent: str, values: dict[str, int] | None = None
) -> Finding:
    if locs:
        return hit(views, signal, locs, f"{len(locs)} {found}", values={"count": len(locs), **(values or {})})
    return miss(views, signal, absent, values=values)
