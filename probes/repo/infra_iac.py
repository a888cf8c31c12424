"""IaC readers shared by the data and infrastructure probes (helpers only, no probes).

Terraform/HCL: resource, module and provider blocks found by regex and closed by brace matching
(strings, comments and heredocs respected). A block with `count = 0`, `enabled = false` or an empty
`for_each` is present but switched off (docs/model.md, "Presence is not use"): callers check `Block.enabled`.
Bicep/ARM: resources by their type string. Kubernetes: YAML documents with `apiVersion` and `kind`,
including Helm chart templates (which the index files as templates) read by regex when unparsable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from probes.repo._data import line_of, walk
from scanner.facts.paths import GENERATED, VENDORED, parent_dir, path_parts
from scanner.facts.repo_index import RepoIndex

BLOCK_HEAD = re.compile(r'(?m)^[ \t]*(resource|module|provider|data)[ \t]+"([^"]+)"(?:[ \t]+"([^"]+)")?[ \t]*\{')
OFF = re.compile(
    r'(?m)^[ \t]*(?:count\s*=\s*"?0"?|enabled?\s*=\s*"?false"?|create\s*=\s*"?false"?|'
    r"for_each\s*=\s*(?:\{\s*\}|\[\s*\]|toset\(\s*\[\s*\]\s*\)))\s*$"
)
HEREDOC = re.compile(r"<<-?\s*([A-Za-z_]+)\n")


@dataclass(frozen=True)
class Block:
    path: str
    kind: str  # resource | module | provider | data
    type: str  # resource type, module name or provider name
    name: str
    line: int
    body: str  # text between the braces
    top: str = field(repr=False, default="")  # body with nested blocks removed: top-level attributes

    @property
    def enabled(self) -> bool:
        return not OFF.search(self.top)

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}" if self.kind == "resource" else f"{self.kind}.{self.type}"

    def attr(self, name: str) -> str | None:
        """A top-level attribute's raw value (quotes stripped), or None."""
        m = re.search(rf"(?m)^[ \t]*{re.escape(name)}\s*=\s*(.+?)\s*$", self.top)
        return m.group(1).strip().strip('"') if m else None

    def nested(self, name: str) -> list[str]:
        """Bodies of nested blocks or maps called `name` (`tags = {...}` or `event_selector {...}`)."""
        out = []
        for m in re.finditer(rf"(?m)^[ \t]*{re.escape(name)}\s*=?\s*\{{", self.body):
            end = _close(self.body, m.end() - 1)
            if end > 0:
                out.append(self.body[m.end() : end])
        return out

    def line_at(self, offset: int) -> int:
        """The file line of an offset into the body (the body starts on the header line)."""
        return self.line + self.body.count("\n", 0, offset)

    def refers_to(self, block: Block) -> bool:
        return bool(re.search(rf"\b{re.escape(block.type)}\.{re.escape(block.name)}\b", self.body))


def _skip_string(text: str, i: int) -> int:
    """Index just past the string starting at text[i] == '"' (interpolations may nest quotes)."""
    i += 1
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if c == "}" and depth:
            depth -= 1
        elif c in '"\n' and not depth:
            return i + 1
        i += 1
    return i


def _close(text: str, start: int) -> int:
    """Index of the brace closing text[start] == '{', or -1."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == '"':
            i = _skip_string(text, i)
            continue
        if c == "#" or text.startswith("//", i):
            i = text.find("\n", i)
            if i < 0:
                return -1
            continue
        if text.startswith("/*", i):
            i = text.find("*/", i)
            if i < 0:
                return -1
            i += 2
            continue
        if c == "<" and (m := HEREDOC.match(text, i)):
            end = re.compile(rf"(?m)^[ \t]*{m.group(1)}\s*$").search(text, m.end())
            i = end.end() if end else len(text)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _top_level(body: str) -> str:
    """The body with nested `{...}` contents removed, so only top-level attributes remain."""
    out: list[str] = []
    i = 0
    while i < len(body):
        if body[i] == "{":
            end = _close(body, i)
            if end < 0:
                break
            out.append("{}")
            i = end + 1
            continue
        out.append(body[i])
        i += 1
    return "".join(out)


def tf_blocks(index: RepoIndex) -> list[Block]:
    """Every resource/module/provider/data block in the practice *.tf files."""
    out: list[Block] = []
    for path in index.by_suffix(".tf"):
        text = index.text(path)
        if not text:
            continue
        for m in BLOCK_HEAD.finditer(text):
            end = _close(text, m.end() - 1)
            if end < 0:
                continue
            body = text[m.end() : end]
            out.append(
                Block(path, m.group(1), m.group(2), m.group(3) or "", line_of(text, m.start()), body, _top_level(body))
            )
    return out


def tf_locals(index: RepoIndex) -> list[str]:
    """Bodies of the `locals { ... }` blocks of the practice *.tf files."""
    out = []
    for path in index.by_suffix(".tf"):
        text = index.text(path) or ""
        for m in re.finditer(r"(?m)^[ \t]*locals[ \t]*\{", text):
            end = _close(text, m.end() - 1)
            if end > 0:
                out.append(text[m.end() : end])
    return out


def resources(blocks: list[Block], *types: str, enabled: bool = True) -> list[Block]:
    """The resource blocks of the given types: switched-on ones only, or all with enabled=False."""
    return [b for b in blocks if b.kind == "resource" and b.type in types and (b.enabled or not enabled)]


# Azure Bicep / ARM ----------------------------------------------------------------------------
BICEP_HEAD = re.compile(r"(?m)^[ \t]*resource\s+\w+\s+'([^'@]+)@[^']*'\s*(?:existing\s*)?=\s*(?:if\s*\([^)]*\)\s*)?\{")


@dataclass(frozen=True)
class AzureResource:
    path: str
    type: str
    line: int
    body: str  # Bicep body text, or the ARM resource object as JSON text


def azure_resources(index: RepoIndex) -> list[AzureResource]:
    out: list[AzureResource] = []
    for path in index.by_suffix(".bicep"):
        text = index.text(path) or ""
        for m in BICEP_HEAD.finditer(text):
            end = _close(text, m.end() - 1)
            out.append(AzureResource(path, m.group(1), line_of(text, m.start()), text[m.end() : max(end, m.end())]))
    for path in index.by_suffix(".json"):
        text = index.text(path) or ""
        if "deploymentTemplate.json" not in text:
            continue
        for _, node in walk(index.json(path)):
            if isinstance(node, dict) and isinstance(node.get("type"), str) and "/" in node["type"]:
                pos = text.find(f'"{node["type"]}"')
                out.append(AzureResource(path, node["type"], line_of(text, max(pos, 0)), json.dumps(node)))
    return out


# Kubernetes -------------------------------------------------------------------------------------
KIND_LINE = re.compile(r"(?m)^kind:\s*([A-Za-z]+)\s*$")


@dataclass(frozen=True)
class K8sObject:
    path: str
    kind: str
    line: int
    data: dict[str, Any]  # empty when the file is a Helm template that does not parse


def _yaml_paths(index: RepoIndex) -> list[str]:
    own = set(index.by_suffix(".yml", ".yaml"))
    charts = {parent_dir(p) or "." for p in index.by_name("Chart.yaml", kinds=None)}
    for path in index.by_suffix(".yml", ".yaml", kinds=None):
        parts = path_parts(path)
        if index.kind(path) in (VENDORED, GENERATED) or "templates" not in parts:
            continue
        chart = "/".join(parts[: parts.index("templates")]) or "."
        if chart in charts:
            own.add(path)
    return sorted(own)


def k8s_objects(index: RepoIndex, *kinds: str) -> Iterator[K8sObject]:
    """Kubernetes objects of the given kinds (all kinds when none are named)."""
    for path in _yaml_paths(index):
        parsed = index.yaml(path)
        if parsed.error is None:
            for doc in parsed.docs:
                data = doc.data
                kind = data.get("kind") if isinstance(data, dict) and "apiVersion" in data else None
                if isinstance(kind, str) and (not kinds or kind in kinds):
                    yield K8sObject(path, kind, doc.line(("kind",), 1) or 1, data)
        else:
            text = index.text(path) or ""
            for m in KIND_LINE.finditer(text):
                if not kinds or m.group(1) in kinds:
                    yield K8sObject(path, m.group(1), line_of(text, m.start()), {})
