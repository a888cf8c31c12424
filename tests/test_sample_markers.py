"""Templates, samples and teaching material are recognised, and look-alikes are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.sample_markers import SAMPLE, TEACHING, sample_markers
from scanner.model import Outcome
from scanner.testing import run_on_repo

FIXME_PROFILE = "experiment:\n  name: FIXME  # FIXME::REQUIRED\nmodel_registry:\n  model_name: FIXME\n  uri: FIXME\n"
CASES = [
    ("sample front matter", {"README.md": "---\npage_type: sample\nlanguages: [python]\n---\n# MLOps\n"}, {SAMPLE}),
    ("template in the title", {"README.md": "# Regression Recipe Template\n\nTrain models.\n"}, {SAMPLE}),
    (
        "this repository is a template",
        {"README.md": "# Churn\n\nThis repository is a template for building churn models.\n"},
        {SAMPLE},
    ),
    (
        "azd template manifest",
        {"azure.yaml": "name: rag\nmetadata:\n  template: rag@0.0.1\nservices: {}\n", "README.md": "# RAG\n"},
        {SAMPLE},
    ),
    ("cookbook", {"README.md": "# Claude Cookbooks\n\nCopy-able code snippets.\n"}, {TEACHING}),
    ("course", {"README.md": "# Made With ML\n\nIn this course, we'll go to production.\n"}, {TEACHING}),
    (
        "book companion",
        {"README.md": "# ML Notebooks\n\nIt contains the example code and solutions to the exercises in my book.\n"},
        {TEACHING},
    ),
    (
        "placeholder skeleton",
        {"profiles/local.yaml": FIXME_PROFILE, "profiles/prod.yaml": FIXME_PROFILE, "README.md": "# Recipe\n"},
        {TEACHING},
    ),
    (
        "a course named in a centred HTML heading",
        {
            "README.md": '<p align="center">\n  <img src="logo.png">\n</p>\n\n<h1 align="center">\n'
            "    <strong>MLOps Camp: A Free 9-Week Course on ML Services</strong>\n</h1>\n\n"
            "Master the fundamentals.\n\n## Syllabus\n"
        },
        {TEACHING},
    ),
    ("a template named in a one-line HTML heading", {"README.md": "<h1>Churn Starter</h1>\n\nTrain.\n"}, {SAMPLE}),
    (
        "an example by its opening sentence",
        {"README.md": "# MLOps with Vertex AI\n\nThis example implements the end-to-end MLOps process.\n"},
        {SAMPLE},
    ),
    (
        "a fictional team's code",
        {"README.md": "# Hooli Data Engineering\n\nDagster code developed by the fictional data engineering team.\n"},
        {SAMPLE},
    ),
    (
        "an example by 'this is an example of'",
        {"README.md": "# MLOps using SageMaker and GitHub Actions\n\nThis is an example of MLOps implementation.\n"},
        {SAMPLE},
    ),
    (
        "the title is the top-level heading below a notice",
        {
            "README.md": "## Notice\n\nBlog post: help wanted.\n\n# kubeflow-examples\n\n"
            "A repository to share extended Kubeflow examples and tutorials to demonstrate ML concepts.\n"
        },
        {SAMPLE, TEACHING},
    ),
    # look-alikes that must not count
    (
        "a library pointing to its tutorials further down",
        {
            "README.md": "# Churn library\n\nScores churn.\n\n## Learn more\n\n"
            "The docs repository holds our tutorials.\n\nIt is an example of good design.\n"
        },
        set(),
    ),
    (
        "a usage example further down",
        {"README.md": "# Churn service\n\nServes churn scores.\n\n## Usage\n\nThis example shows how to call it.\n"},
        set(),
    ),
    (
        "an HTML heading holding only a logo, and a comment",
        {
            "README.md": '<h2 align="center">\n  <a href="https://x.org"><img src="logo.png" /></a>\n</h2>\n'
            "<!--\nThis repository is a template for our team.\n-->\n# Onyx\n\nOpen source AI platform.\n"
        },
        set(),
    ),
    (
        "a real project mentioning an example further down",
        {
            "README.md": "# Churn service\n\nServes churn scores.\n"
            + "\nDetails.\n" * 60
            + "\nSee the example template.\n"
        },
        set(),
    ),
    (
        "a machine learning project",
        {"README.md": "# Forecasts\n\nThis is a machine learning project that forecasts demand for our stores.\n"},
        set(),
    ),
    ("a word in a code fence", {"README.md": "# Service\n\n```\n# sample template\n```\n"}, set()),
    (
        "a few placeholders in a large project",
        {
            "deploy/loadtest.yaml": "image: <your-registry>/app\nurl: <your-url>\nkey: <your-key>\n",
            **{f"config/c{i}.yaml": f"name: c{i}\n" for i in range(10)},
            "README.md": "# Onyx\n",
        },
        set(),
    ),
    ("no README at all", {"app.py": "print('hi')\n"}, set()),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sample_markers(tmp_path: Path, files: dict[str, str | bytes], expected: set[str]) -> None:
    found = run_on_repo(sample_markers, tmp_path, files)
    assert set(found) == {SAMPLE, TEACHING}
    assert {s for s, f in found.items() if f.outcome is Outcome.TRUE} == expected
    for signal in expected:
        assert found[signal].locations, "a marker cites where it was seen"
