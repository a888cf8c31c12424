"""CatalogFacts: the typed, read-only view that every catalog collector (dbt, OpenMetadata, DataHub,
Unity Catalog) builds and the probes in probes/catalog read.

A feature the collector could not read (no permission, not offered by this kind of catalog) is named
in `not_available` with the reason; `unreadable(feature)` gives it as an `Unreadable` section
(scanner/facts/sections.py), and probes report its signals as not_available, never false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scanner.facts.sections import Unreadable
from scanner.model import Location

PII_NAME = re.compile(
    r"(^|_)(email|e_mail|ssn|phone|mobile|dob|birth|birth_date|address|postcode|zip_code|iban|passport|"
    r"national_id|ip_address)($|_)",
    re.IGNORECASE,
)
SENSITIVE_TAG = re.compile(r"pii|sensitive|personal|confidential|gdpr|restricted", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()  # classification / tag FQNs, e.g. "PII.Sensitive", "pii"
    glossary_terms: tuple[str, ...] = ()
    mask: str = ""  # the masking function or policy, "" when unmasked
    auto_confirmed: bool = False  # an automated classification that a person confirmed

    @property
    def sensitive(self) -> bool:
        return any(SENSITIVE_TAG.search(t) for t in self.tags)


@dataclass(frozen=True)
class Grant:
    principal: str
    privileges: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    fqn: str
    url: str = ""
    kind: str = "table"  # table | view | model | seed | source
    description: str = ""
    owners: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    glossary_terms: tuple[str, ...] = ()
    domain: str = ""
    columns: tuple[Column, ...] = ()
    grants: tuple[Grant, ...] = ()
    row_filter: str = ""
    contract_enforced: bool = False

    @property
    def sensitive(self) -> bool:
        return any(SENSITIVE_TAG.search(t) for t in self.tags) or any(c.sensitive for c in self.columns)

    def location(self, column: str = "") -> Location:
        return Location(object=f"{self.fqn}.{column}" if column else self.fqn, url=self.url or None)


@dataclass(frozen=True)
class Policy:
    """An access policy: its rules' conditions (e.g. `matchAnyTag('PII.Sensitive')`) and effects."""

    name: str
    url: str = ""
    conditions: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # tags the policy's resource filter matches (DataHub)

    def location(self) -> Location:
        return Location(object=f"policy {self.name}", url=self.url or None)

    def tags_used(self) -> tuple[str, ...]:
        found = re.findall(r"match(?:Any|All)Tags?\(([^)]*)\)", " ".join(self.conditions))
        parsed = (t.strip(" '\"") for group in found for t in group.split(","))
        return tuple(dict.fromkeys([*(t for t in parsed if t), *self.tags]))


@dataclass(frozen=True)
class Named:
    """A glossary term, domain, data product, ML model or ingestion pipeline."""

    name: str
    url: str = ""
    parent: str = ""  # the glossary of a term, the domain of a data product
    count: int = 0  # assets in a domain; 1 when a pipeline last succeeded recently

    def location(self, what: str = "") -> Location:
        return Location(object=f"{what} {self.name}".strip(), url=self.url or None)


@dataclass(frozen=True)
class Edge:
    upstream: str
    downstream: str
    downstream_kind: str = "table"  # table | ml_model
    url: str = ""


@dataclass(frozen=True)
class DataTest:
    name: str
    kind: str  # relationships, unique, not_null, ...
    attached_to: str
    severity: str = ""
    status: str = ""  # the last run's status (pass, fail, warn, error) when run results were read
    url: str = ""

    def location(self) -> Location:
        label = f"dbt test {self.name}" + (f" ({self.status})" if self.status else "")
        return Location(object=label, url=self.url or None)


@dataclass
class CatalogFacts:
    kind: str  # dbt | openmetadata | datahub | unitycatalog
    base_url: str
    tables: list[Table] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    glossary_terms: list[Named] = field(default_factory=list)
    domains: list[Named] = field(default_factory=list)
    data_products: list[Named] = field(default_factory=list)
    ml_models: list[Named] = field(default_factory=list)
    pipelines: list[Named] = field(default_factory=list)
    lineage: list[Edge] = field(default_factory=list)
    tests: list[DataTest] = field(default_factory=list)
    audit: bool | None = None
    access_requests: bool | None = None
    not_available: dict[str, str] = field(default_factory=dict)  # feature -> why it could not be read

    def unreadable(self, section: str) -> Unreadable | None:
        """Why the feature `section` could not be read (None when it was); `audit` and `access_requests`
        are also unreadable when the collector left them unknown (None)."""
        why = self.not_available.get(section)
        if why is None and section in ("audit", "access_requests") and getattr(self, section) is None:
            why = "not read from this catalog"
        label = f"the {self.kind} catalog's {section.replace('_', ' ')}"
        return None if why is None else Unreadable(section, why, label=label)

    def location(self) -> Location:
        return Location(object=f"{self.kind} catalog", url=self.base_url or None)
