"""Tolerant parsing: notebooks with IPython-only syntax and Python newer than the interpreter."""

from __future__ import annotations

import json

from scanner.facts.notebooks import notebook_code
from scanner.facts.python_facts import parse_python


def _nb(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells], "metadata": {}})


def test_assignment_magic_is_commented_not_fatal() -> None:
    code = notebook_code(_nb("files = !ls data\nfrom sklearn.svm import SVC\nSVC().fit(X, y)"))
    assert code is not None
    facts = parse_python(code.source)
    assert facts.error is None
    assert any(c.name.endswith("SVC().fit") for c in facts.calls)
    assert "files = !ls data" in code.magics


def test_failing_cell_is_dropped_alone() -> None:
    code = notebook_code(_nb("import torch", "def broken(:\n    pass", "torch.save(m, 'm.pt')"))
    assert code is not None
    facts = parse_python(code.source)
    assert facts.error is None
    assert [c.name for c in facts.calls] == ["torch.save"]
    assert code.describe(6) == "cell 3, line 1"  # line map still points at the right cell


def test_non_python_cell_magic_is_not_code() -> None:
    code = notebook_code(_nb("%%writefile train.py\nimport mlflow\nmlflow.log_metric('a', 1)", "%%time\nx = f()"))
    assert code is not None
    facts = parse_python(code.source)
    assert "mlflow" not in facts.imports  # the written file is not this notebook's code
    assert [c.name for c in facts.calls] == ["f"]


def test_newer_syntax_drops_only_its_statement() -> None:
    source = "import mlflow\ntype Vec = list[float]\n\n\ndef log():\n    mlflow.log_metric('a', 1)\n"
    facts = parse_python(source)
    assert facts.error is None
    assert facts.dropped_statements == 1
    assert [c.name for c in facts.calls] == ["mlflow.log_metric"]


def test_decorated_statement_dropped_with_its_decorators() -> None:
    source = "import x\n\n\n@x.deco\nclass C[T]:\n    pass\n\n\nx.run()\n"
    facts = parse_python(source)
    assert facts.error is None
    assert [c.name for c in facts.calls] == ["x.run"]


def test_not_python_still_reports_an_error() -> None:
    assert parse_python("def f(:\n  pass\n").error is not None
    assert parse_python("<html><body></body></html>\n").error is not None
