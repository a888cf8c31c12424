"""Property tests of the CI parsers: every registered system, fed random text and YAML documents of the
right outline but the wrong types (lists for mappings, None, numbers, deep nesting), returns a model or a
ParseError naming the file; no exception escapes and each file parses in bounded time (the deadline)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from scanner.facts.ci.build import build_ci
from scanner.facts.ci.model import CIModel
from scanner.facts.ci.systems import CISystem, plugins
from scanner.facts.paths import path_kind
from scanner.facts.repo_index import FileEntry, RepoIndex

CI_DIR = Path(__file__).resolve().parents[2] / "scanner" / "facts" / "ci"

# One file each system reads, and what makes its content check (`detect`) accept a document.
PATHS = {
    "github_actions": ".github/workflows/ci.yml",
    "gitlab": ".gitlab-ci.yml",
    "azure_pipelines": "azure-pipelines.yml",
    "circleci": ".circleci/config.yml",
    "jenkins": "Jenkinsfile",
    "taskcluster": ".taskcluster.yml",
    "codebuild": "buildspec.yml",
    "buildkite": ".buildkite/pipeline.yml",
    "travis": ".travis.yml",
    "drone": ".drone.yml",
    "bitbucket": "bitbucket-pipelines.yml",
    "cloud_build": "cloudbuild.yaml",
    "codepipeline": "infra/delivery.yaml",
    "gocd": "ci.gocd.yaml",
    "pipelinelib": ".pipeline/config.yaml",
    "tekton": "tekton/pipeline.yaml",
    "argo_workflows": "argo/workflow.yaml",
    "managed_platform": "render.yaml",
}
ANCHORS: dict[str, dict[str, Any]] = {
    "codebuild": {"version": 0.2, "phases": {}},
    "cloud_build": {"steps": [{"name": "gcr.io/cloud-builders/docker", "args": ["build"]}]},
    "codepipeline": {"Resources": {"P": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {}}}},
    "tekton": {"apiVersion": "tekton.dev/v1", "kind": "Pipeline", "spec": {}},
    "argo_workflows": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "spec": {}},
}
CDK_PATH = "infra/pipeline_stack.py"  # codepipeline also reads CDK code
# Files a pipeline pulls in (kinds, crons, reusable workflows, actions, templates), fuzzed alongside it.
RELATED = {
    "taskcluster": ("taskcluster/kinds/build/kind.yml", ".cron.yml"),
    "github_actions": (".github/workflows/reuse.yml", ".github/actions/a/action.yml"),
    "gitlab": ("ci/inc.yml",),
    "azure_pipelines": ("templates/steps.yml",),
    "circleci": (".circleci/continue.yml",),
    "codepipeline": (CDK_PATH,),
}


def test_every_registered_system_is_fuzzed() -> None:
    assert {p.name for p in plugins()} == set(PATHS)


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """The keys and words the parsers look for, read from their source, so documents hit real branches."""
    words: set[str] = set()
    for source in CI_DIR.glob("*.py"):
        words.update(re.findall(r"""["']([A-Za-z_$][\w.$-]{0,40})["']""", source.read_text(encoding="utf-8")))
    return tuple(sorted(words))


def index_of(files: dict[str, str]) -> RepoIndex:
    """An in-memory index (no git, no disk): the parsers read only through it."""
    entries = {p: FileEntry(p, len(t.encode("utf-8", "replace")), path_kind(p)) for p, t in files.items()}
    return RepoIndex(Path("/nonexistent-fuzz-root"), "r", entries, dict(files), [])


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(vocabulary()),
    st.text(max_size=30),
    st.sampled_from(["${{ x }}", "$(x)", "@latest", "-", "*", "", "on", "true", "~", "<<", "!Ref x", "- a: b"]),
)
keys = st.one_of(st.sampled_from(vocabulary()), st.text(max_size=12))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=30,
)
documents = st.dictionaries(keys, values, max_size=8)


def anchored(system: str, doc: dict[str, Any], deep: dict[str, Any]) -> dict[str, Any]:
    """The document with the system's anchor keys, each anchor mapping overlaid with random content."""
    out = dict(doc)
    for key, anchor in ANCHORS.get(system, {}).items():
        if isinstance(anchor, dict):
            out[key] = {**anchor, **deep}
        elif isinstance(anchor, list):
            out[key] = [{**item, **deep} if isinstance(item, dict) else item for item in anchor]
        else:
            out[key] = anchor
    return out


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def parse_all(files: dict[str, str]) -> CIModel:
    """The whole CI build (detect, parse, finish, script expansion), then each parser on every file."""
    index = index_of(files)
    model = build_ci(index)
    assert all(isinstance(e.message, str) and e.path in files for e in model.errors)
    for plugin in plugins():
        for path in files:
            _check_parse(plugin, index, path)
    return model


def _check_parse(plugin: CISystem, index: RepoIndex, path: str) -> None:
    found, errors = plugin.parse(index, path)
    assert found is None or isinstance(found, list | object)
    assert all(isinstance(e.message, str) for e in errors)


DEEP = "a:\n" + "".join("  " * i + "- b:\n" for i in range(1, 120))
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


@given(st.sampled_from(sorted(PATHS)), st.one_of(st.text(max_size=400), st.binary(max_size=400)))
@example("github_actions", DEEP)
@example("gitlab", BOMB)
@example("cloud_build", '{"steps": ' + "[" * 5000 + "]" * 5000 + "}")
@example("jenkins", "pipeline { " * 3000)
@example("codepipeline", "AWS::CodePipeline::Pipeline\n" + "[" * 3000)
def test_random_text_never_escapes(system: str, raw: str | bytes) -> None:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    parse_all({path: text for path in (PATHS[system], *RELATED.get(system, ()))})


@given(st.sampled_from(sorted(PATHS)), documents, st.dictionaries(keys, values, max_size=4), documents)
@example("github_actions", {"on": ["push"], "jobs": [{"steps": None}]}, {}, {})
@example("gitlab", {"include": [None, 1, {"local": ["x"]}], "job": {"script": {"a": 1}}}, {}, {})
@example("azure_pipelines", {"stages": [{"jobs": 5}], "extends": {"template": None}}, {}, {})
@example("circleci", {"workflows": {"w": {"jobs": [{"j": None}]}}, "jobs": ["x"]}, {}, {})
@example("taskcluster", {}, {}, {"tasks": {"t": {"description": " "}}})  # was IndexError
def test_documents_of_the_wrong_shape_never_escape(
    system: str, doc: dict[str, Any], deep: dict[str, Any], other: dict[str, Any]
) -> None:
    files = {PATHS[system]: dump(anchored(system, doc, deep))}
    files.update({path: dump(other) for path in RELATED.get(system, ())})
    if system == "codepipeline":
        files[CDK_PATH] = f"import aws_cdk\npipelines.CodePipeline({dump(other)!r})\n"
    parse_all(files)


@given(st.sampled_from(sorted(p for p in PATHS if p != "jenkins")), values)
def test_any_yaml_value_at_the_top_never_escapes(system: str, top: Any) -> None:
    """A pipeline file whose document is a list, a number, None or text instead of a mapping."""
    parse_all({PATHS[system]: dump(top)})


@given(st.sampled_from(sorted(p for p in PATHS if p not in ("jenkins", "codepipeline"))), st.text(max_size=200))
@example("taskcluster", "")  # was read as text only: a broken .taskcluster.yml gave a pipeline and no error
def test_a_pipeline_that_is_not_yaml_is_an_error_naming_it(system: str, text: str) -> None:
    """A named pipeline file that YAML cannot read is reported, never silently dropped."""
    from scanner.yamlio import YamlError, load_yaml_all

    text = "jobs: [" + text  # an unclosed flow sequence never loads
    try:
        load_yaml_all(text)
    except YamlError:
        pass
    else:
        return
    model = parse_all({PATHS[system]: text})
    plugin = next(p for p in plugins() if p.name == system)
    if plugin.detect is None:
        assert any(e.path == PATHS[system] for e in model.errors)
