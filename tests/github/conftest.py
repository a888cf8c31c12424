"""Fixtures of the GitHub tests: the fixture organisation, a fake API per test, the contract checks."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .fake_github import FakeGitHub
from .org_fixture import ORG, bare_repos, graphql_answers, listing

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT.parent / "shared" / "contracts" / "github"


@pytest.fixture(scope="session")
def bares(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return bare_repos(tmp_path_factory.mktemp("acme"))


@pytest.fixture
def fake(bares: dict[str, Path]) -> Iterator[FakeGitHub]:
    with FakeGitHub(ORG, listing(bares), graphql_answers()) as server:
        yield server


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` as JSON Schema (type + null)."""
    if isinstance(node, dict):
        out = {k: _nullable(v) for k, v in node.items()}
        if out.pop("nullable", False):
            if "type" in out:
                out["type"] = [out["type"], "null"]
            elif "$ref" in out or "allOf" in out or "oneOf" in out or "anyOf" in out:
                out = {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    path = CONTRACTS / "api.github.com.json.gz"
    if not path.is_file():
        pytest.skip(f"{path} not present beside the checkout: REST fixtures not validated")
    return _nullable(json.load(gzip.open(path)))  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def graphql_schema() -> Any:
    path = CONTRACTS / "schema.graphql"
    if not path.is_file():
        pytest.skip(f"{path} not present beside the checkout: GraphQL queries not validated")
    graphql = pytest.importorskip("graphql")
    schema = graphql.build_schema(path.read_text(encoding="utf-8"), assume_valid_sdl=True)
    schema._validation_errors = []  # the published SDL has deprecation mismatches; the queries are what we check
    return schema


def graphql_answer_problems(schema: Any, query: str, variables: dict[str, Any], answer: dict[str, Any]) -> list[str]:
    """Problems of a GraphQL answer the fake served, checked against the schema: the query is executed on
    the schema with the answer's data as the resolved values, so a field the schema does not have, a
    wrong type or a null where the schema forbids one is an error, and the result must equal the data."""
    import graphql

    def resolve(source: Any, info: Any, **_: Any) -> Any:
        return source.get(info.path.key) if isinstance(source, dict) else None

    document = graphql.parse(query)
    problems = [str(e) for e in graphql.validate(schema, document)]
    data = answer.get("data")
    result = graphql.execute(schema, document, root_value=data, variable_values=variables, field_resolver=resolve)
    problems += [str(e) for e in result.errors or []]  # type: ignore[union-attr]
    if result.data != data:  # type: ignore[union-attr]
        problems.append("the answer has fields the query did not ask for, or lacks some it asked for")
    return problems
