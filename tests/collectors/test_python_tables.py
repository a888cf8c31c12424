"""Repo-wide Python questions (`RepoIndex.python_calling` and friends) answer as asking every file would."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.facts.python_facts import parse_python
from scanner.facts.repo_index import RepoIndex
from scanner.testing import index_of, notebook

FILES = {
    "train/fit.py": "import mlflow as ml\nfrom sklearn.ensemble import RandomForestClassifier\n"
    "ml.log_metric('acc', 1)\nmodel = RandomForestClassifier().fit(X, y)\n",
    "serve/app.py": "from mlflow.pyfunc import load_model\nm = load_model('models:/m/1')\nm.predict(rows)\n",
    "serve/other.py": "import logging\nlogger = logging.getLogger(__name__)\nlogger.log_metric('x')\n",
    "tests/test_fit.py": "import mlflow.sklearn\n\ndef test_fit():\n    mlflow.sklearn.autolog()\n",
    "analysis/explore.ipynb": notebook("import pandas as pd\ndf = pd.read_csv('a.csv')\n"),
    "broken.py": "def (:\n",
    "examples/demo.py": "import mlflow\nmlflow.log_metric('a', 1)\n",  # not the organisation's practice
    "README.md": "mlflow.log_metric('a', 1)\n",
}
CALL_NAMES = [
    ("mlflow.log_metric",),
    ("log_metric",),
    ("fit", "predict"),
    ("mlflow.pyfunc.load_model",),
    ("pandas.read_csv", "nothing.here"),
    ("sklearn.ensemble.RandomForestClassifier().fit",),
    ("absent",),
]
PREFIXES = [
    ("mlflow",),
    ("mlflow.sklearn",),
    ("sklearn", "pandas"),
    ("logging",),
    ("mlflow.pyfunc.load_model",),
    ("ml",),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> RepoIndex:
    return index_of(tmp_path_factory.mktemp("repo"), FILES)


def _every_file(index: RepoIndex, ask: str, *args: str) -> frozenset[str]:
    found = set()
    for path in index.python_files():
        facts = index.python(path)
        assert facts is not None
        answer = getattr(facts, ask)(*args)
        if answer is not None and answer != []:
            found.add(path)
    return frozenset(found)


def test_which_files_call_a_name_through_aliases(index: RepoIndex) -> None:
    assert index.python_calling("mlflow.log_metric") == {"train/fit.py"}  # `ml.` resolved; examples/ left out
    assert index.python_calling("log_metric") == {"train/fit.py", "serve/other.py"}
    assert index.python_calling("predict", "pandas.read_csv") == {"serve/app.py", "analysis/explore.ipynb"}
    assert index.python_calling("absent") == frozenset()


def test_which_files_import_or_call_into_a_namespace(index: RepoIndex) -> None:
    assert index.python_importing("mlflow") == {"train/fit.py", "serve/app.py", "tests/test_fit.py"}
    assert index.python_importing("mlflow.sklearn") == {"tests/test_fit.py"}
    assert index.python_importing("ml") == frozenset()  # an alias is not a module
    assert index.python_calling_under("mlflow") == {"train/fit.py", "serve/app.py", "tests/test_fit.py"}
    assert index.python_calling_named("fit", "autolog") == {"train/fit.py", "tests/test_fit.py"}


@pytest.mark.parametrize("names", CALL_NAMES)
def test_call_answers_equal_asking_every_file(index: RepoIndex, names: tuple[str, ...]) -> None:
    assert index.python_calling(*names) == _every_file(index, "calls_to", *names)
    assert index.python_calling_under(*names) == _every_file(index, "calls_under", *names)
    lasts = tuple(n.rsplit(".", 1)[-1] for n in names)
    assert index.python_calling_named(*lasts) == _every_file(index, "calls_named", *lasts)


@pytest.mark.parametrize("prefixes", PREFIXES)
def test_import_answers_equal_asking_every_file(index: RepoIndex, prefixes: tuple[str, ...]) -> None:
    assert index.python_importing(*prefixes) == _every_file(index, "imported", *prefixes)


def test_a_tool_repo_is_not_its_own_user(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {"mlflow/__init__.py": "", "mlflow/runs.py": "import mlflow\nmlflow.log_metric('a', 1)\n"},
    )
    assert index.python_calling("mlflow.log_metric") == frozenset()
    assert index.python_importing("mlflow") == frozenset()


def test_calls_named_keeps_source_order() -> None:
    facts = parse_python("a.predict(x)\npredict(y)\nb.fit(z).predict(w)\nc.predictor(v)\n")
    assert [c.name for c in facts.calls_named("predict")] == ["a.predict", "predict", "b.fit().predict"]
    assert [c.name for c in facts.calls_named("fit", "absent")] == ["b.fit"]
    assert facts.calls_named("absent") == []
