"""Data contracts: Data Contract Specification (`dataContractSpecification:`) and ODCS
(`apiVersion: v3.x`, `kind: DataContract`, `*.odcs.yaml`) files, their PII classification and shared
definitions. A contract left as the `datacontract init` template, or with no models/schema, is intent.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from probes.repo._data import is_placeholder, unavailable_all, walk, yaml_docs
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views
from scanner.yamlio import YamlDoc

PRESENT, PII, SHARED = (
    "repo.datacontract.present",
    "repo.datacontract.pii_fields",
    "repo.datacontract.shared_definitions",
)
SIGNALS = (PRESENT, PII, SHARED)
STOCK_IDS = frozenset({"my-data-contract-id", "my data contract", "urn:datacontract:checkout:orders-latest"})
NOT_SENSITIVE = frozenset({"public", "internal", "false", "none", "non-sensitive", "nonsensitive"})
ODCS_VERSION = re.compile(r"^v?[23]\.")

Contract = tuple[str, YamlDoc, str]  # path, document, "dcs" | "odcs"


def contracts(index: RepoIndex) -> tuple[list[Contract], list[str]]:
    """Real contracts, and the paths of templates/empty contracts set aside."""
    paths = [p for p in index.by_suffix(".yaml", ".yml") if _maybe_contract(index, p)]
    found: list[Contract] = []
    ignored: list[str] = []
    for path, doc in yaml_docs(index, paths):
        data = doc.data
        if "dataContractSpecification" in data:
            flavour, body = "dcs", data.get("models")
        elif (data.get("kind") == "DataContract" and ODCS_VERSION.match(str(data.get("apiVersion", "")))) or (
            path.endswith((".odcs.yaml", ".odcs.yml"))
        ):
            flavour, body = "odcs", data.get("schema")
        else:
            continue
        info = data.get("info") if isinstance(data.get("info"), dict) else {}
        names = [str(data.get("id", "")), str(info.get("title", "")), str(data.get("name", ""))]
        if not body or any(n.lower() in STOCK_IDS or (n and is_placeholder(n)) for n in names):
            ignored.append(path)
        else:
            found.append((path, doc, flavour))
    return found, ignored


def _maybe_contract(index: RepoIndex, path: str) -> bool:
    text = index.text(path) or ""
    return "dataContractSpecification" in text or "DataContract" in text or path.endswith((".odcs.yaml", ".odcs.yml"))


def _fields(doc: YamlDoc, flavour: str) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
    roots = ("models", "definitions") if flavour == "dcs" else ("schema",)
    return [(kp, v) for r in roots for kp, v in walk(doc.data.get(r), (r,)) if isinstance(v, dict)]


def pii_fields(index: RepoIndex, found: list[Contract]) -> tuple[list[Location], int]:
    locs, sensitive = [], 0
    for path, doc, flavour in found:
        for keypath, node in _fields(doc, flavour):
            flag = node.get("pii") in (True, "true")
            level = node.get("classification")
            if flag or (level is not None and not isinstance(level, dict | list)):
                sensitive += flag or str(level).lower() not in NOT_SENSITIVE
                key = "pii" if flag else "classification"
                locs.append(index.location(path, doc.line((*keypath, key)), f"{key}: {node.get(key)}"))
    return locs, sensitive


def shared_definitions(index: RepoIndex, found: list[Contract]) -> tuple[list[Location], bool]:
    """$ref uses of definitions (DCS) and authoritativeDefinitions (ODCS), and whether a definition is
    shared: referenced twice, kept in another file, or an authoritative (glossary) source."""
    locs: list[Location] = []
    targets: Counter[str] = Counter()
    authoritative = False
    for path, doc, flavour in found:
        for keypath, node in _fields(doc, flavour):
            ref = node.get("$ref")
            if isinstance(ref, str) and ("definitions" in ref or not ref.startswith("#")):
                targets[ref] += 1
                locs.append(index.location(path, doc.line((*keypath, "$ref")), f"$ref: {ref}"))
            auth = node.get("authoritativeDefinitions")
            if isinstance(auth, list) and auth:
                authoritative = True
                line = doc.line((*keypath, "authoritativeDefinitions"))
                locs.append(index.location(path, line, "authoritativeDefinitions"))
    return locs, authoritative or any(n >= 2 or not t.startswith("#") for t, n in targets.items())


@probe(
    "repo.data.contracts",
    summary="Data contracts (datacontract.yaml, ODCS) in the repo, their PII classification and shared definitions.",
    emits=SIGNALS,
    remediation="Describe shared datasets in data contracts with classified fields and shared definitions.",
    evidence=("file",),
)
def data_contracts(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, SIGNALS)
    found, ignored = contracts(index)
    if not found:
        why = "No data contracts (datacontract.yaml, ODCS)"
        why += f"; only templates/empty contracts: {', '.join(ignored[:3])}" if ignored else ""
        return [miss(views, s, why, values={"ignored_templates": len(ignored)}) for s in SIGNALS]
    flavours = sorted({f for _, _, f in found})
    locs = [index.location(p, 1, f"{f} contract") for p, _, f in found]
    out = [
        hit(
            views,
            PRESENT,
            locs,
            f"{len(found)} data contract(s) ({', '.join(flavours)})",
            values={"count": len(found), "ignored_templates": len(ignored)},
        )
    ]
    pii, sensitive = pii_fields(index, found)
    out.append(
        hit(
            views,
            PII,
            pii,
            f"{len(pii)} contract field(s) classified ({sensitive} sensitive)",
            values={"count": len(pii), "sensitive": sensitive},
        )
        if pii
        else miss(views, PII, "Data contracts classify no fields (no pii/classification)")
    )
    refs, reused = shared_definitions(index, found)
    out.append(
        hit(
            views,
            SHARED,
            refs,
            f"{len(refs)} field(s) use shared definitions",
            confidence="medium" if reused else "low",
        )
        if refs
        else miss(views, SHARED, "Data contracts use no shared definitions ($ref, authoritativeDefinitions)")
    )
    return out
