"""Unit, integration and model-integration test detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo import tests_detect as probes  # aliased: pytest would collect names starting with `test`
from scanner.testing import Case, case_ids, check_case

REAL = "def test_adds():\n    assert 1 + 1 == 2\n"
SKIPPED = "import pytest\n\n\n@pytest.mark.skip(reason='later')\ndef test_later():\n    assert f() == 1\n"
TRIVIAL = "def test_placeholder():\n    pass\n\n\ndef test_true():\n    assert True\n"
FIXTURE = (
    "import pytest\n\n\n@pytest.fixture\ndef test_data():\n    return [1]\n\n\n"
    "def test_uses(test_data):\n    assert test_data\n"
)
SKIP_CLASS = (
    "import unittest\n\n\n@unittest.skip('x')\nclass TestA(unittest.TestCase):\n    def test_a(self):\n"
    "        self.assertEqual(f(), 1)\n\n\ndef test_module_level():\n    assert g() == 2\n"
)
MODULE_SKIP = "import pytest\n\npytestmark = pytest.mark.skip('flaky')\n\n\ndef test_a():\n    assert f()\n"
JS = (
    "describe('x', () => {\n  it('adds', () => {\n    expect(1 + 1).toBe(2);\n  });\n  it.skip('later', () => {});\n"
    "  test('empty', () => {});\n});\n"
)
GO = (
    'package m\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n\tif 1+1 != 2 {\n\t\tt.Fatal()\n\t}\n}\n\n'
    'func TestLater(t *testing.T) {\n\tt.Skip("later")\n}\n'
)
JAVA = (
    "class CalcTest {\n  @Test\n  void adds() { assertEquals(2, 1 + 1); }\n\n"
    "  @Disabled\n  @Test\n  void later() {}\n}\n"
)
CSHARP = (
    "public class CalcTests {\n  [Fact]\n  public void Adds() { Assert.Equal(2, 1 + 1); }\n\n"
    '  [Fact(Skip = "later")]\n  public void Later() {}\n}\n'
)
RSPEC = (
    'RSpec.describe Answer do\n  it "composes an answer" do\n    expect(answer.text).to eq("x")\n  end\n\n'
    "  xit 'later' do\n  end\n\n  it \"is pending\" do\n    pending\n  end\nend\n"
)
MINITEST = 'class AnswerTest < ActiveSupport::TestCase\n  test "answers" do\n    assert true\n  end\nend\n'

UNIT = [
    Case(
        "pytest functions",
        {"tests/test_calc.py": REAL},
        "true",
        locations=["tests/test_calc.py:1"],
        values={"count": 1},
    ),
    Case(
        "skipped and trivial do not count",
        {"tests/test_a.py": SKIPPED, "tests/test_b.py": TRIVIAL},
        "false",
        values={"skipped": 1, "trivial": 2},
    ),
    Case(
        "fixture named test_ is not a test",
        {"tests/test_f.py": FIXTURE},
        "true",
        locations=["tests/test_f.py:9"],
        values={"count": 1},
    ),
    Case("class-level skip", {"tests/test_c.py": SKIP_CLASS}, "true", values={"count": 1, "skipped": 1}),
    Case("module-level pytestmark skip", {"tests/test_m.py": MODULE_SKIP}, "false", values={"skipped": 1}),
    Case("helper module in tests/ is not collected", {"tests/helpers.py": REAL}, "false"),
    Case("jest", {"web/calc.test.ts": JS}, "true", values={"count": 1, "skipped": 1, "trivial": 1}),
    Case("go", {"calc/calc_test.go": GO}, "true", values={"count": 1, "skipped": 1}),
    Case(
        "junit",
        {"src/test/java/CalcTest.java": JAVA},
        "true",
        locations=["src/test/java/CalcTest.java:2"],
        values={"count": 1},
    ),
    Case("xunit", {"Calc.Tests/CalcTests.cs": CSHARP}, "true", values={"count": 1}),
    Case("tests only in examples", {"examples/tests/test_x.py": REAL}, "false"),
    Case("rspec", {"spec/models/answer_spec.rb": RSPEC}, "true", values={"count": 1, "skipped": 2}),
    Case("minitest", {"test/models/answer_test.rb": MINITEST}, "true", values={"count": 1}),
    Case("ruby helper in spec/ is not a spec", {"spec/support/helpers.rb": RSPEC}, "false"),
    Case("conftest only", {"tests/conftest.py": "import pytest\n", "pytest.ini": "[pytest]\n"}, "false"),
]


@pytest.mark.parametrize("row", UNIT, ids=case_ids(UNIT))
def test_unit(row: Case, tmp_path: Path) -> None:
    check_case(probes.tests_unit, row, tmp_path, signal="repo.tests.unit")


MARKED = (
    "import pytest\n\n\n@pytest.mark.integration\ndef test_db():\n    assert q() == 1\n\n\ndef test_unit():\n"
    "    assert 1\n"
)
CONTAINERS = (
    "from testcontainers.postgres import PostgresContainer\n\n\ndef test_pg():\n    assert PostgresContainer()\n"
)
LIVE = "import requests\n\n\ndef test_live():\n    assert requests.get('http://localhost:8080/health').ok\n"
MOCKED = "import requests\nimport responses\n\n\ndef test_mocked():\n    assert requests.get('http://x/health').ok\n"
INTEGRATION = [
    Case("tests/integration folder", {"tests/integration/test_api.py": REAL}, "true", values={"count": 1}),
    Case(
        "marker on one test",
        {"tests/test_mix.py": MARKED},
        "true",
        locations=["tests/test_mix.py:5"],
        values={"count": 1},
    ),
    Case("testcontainers", {"tests/test_pg.py": CONTAINERS}, "true"),
    Case("live http", {"tests/test_live.py": LIVE}, "true"),
    Case("mocked http", {"tests/test_mocked.py": MOCKED}, "false"),
    Case("integration tests all skipped", {"tests/integration/test_api.py": SKIPPED}, "false"),
    Case(
        "compose test services beside unit tests",
        {"docker-compose.test.yml": "services: {}\n", "tests/test_a.py": REAL},
        "true",
        confidence="low",
    ),
    Case("unit tests only", {"tests/test_a.py": REAL}, "false"),
    Case("functional tests folder", {"tests/functional/test_api.py": REAL}, "true"),
    Case("smoke marker", {"tests/test_s.py": MARKED.replace("integration", "smoke")}, "true", values={"count": 1}),
    Case("rails request spec", {"spec/requests/answers_spec.rb": RSPEC}, "true", values={"count": 1}),
    Case("rails model spec", {"spec/models/answer_spec.rb": RSPEC}, "false"),
]


@pytest.mark.parametrize("row", INTEGRATION, ids=case_ids(INTEGRATION))
def test_integration(row: Case, tmp_path: Path) -> None:
    check_case(probes.tests_integration, row, tmp_path, signal="repo.tests.integration")


LOADS = (
    "import joblib\n\n\ndef test_model_predicts():\n    model = joblib.load('models/model.joblib')\n"
    "    assert model.predict([[1]])[0] in (0, 1)\n"
)
ENDPOINT = (
    "from fastapi.testclient import TestClient\nfrom app.main import app\n\n\ndef test_score():\n"
    "    r = TestClient(app).post('/predict', json={'x': 1})\n    assert r.status_code == 200\n"
)
SKIPPED_LOAD = (
    "import joblib\nimport pytest\n\n\n@pytest.mark.skip\ndef test_model():\n    assert joblib.load('m.pkl')\n"
)
MOCK_LOAD = (
    "from unittest import mock\n\n\ndef test_model():\n    with mock.patch('joblib.load'):\n        assert run()\n"
)
PRETRAINED = (
    "from transformers import AutoModelForSequenceClassification\n\n\ndef test_classifier():\n"
    "    model = AutoModelForSequenceClassification.from_pretrained('org/tagger')\n    assert model.config\n"
)
CHAT_ENDPOINT = (
    "from fastapi.testclient import TestClient\nfrom app.main import app\n\n\ndef test_chat():\n"
    "    r = TestClient(app).post('/api/chat', json={'q': 'hi'})\n    assert r.status_code == 200\n"
)
OTHER_ENDPOINT = (
    "from fastapi.testclient import TestClient\nfrom app.main import app\n\n\ndef test_users():\n"
    "    r = TestClient(app).get('/users')\n    assert r.status_code == 200\n"
)
MOCKED_LLM = (
    "from unittest.mock import patch\n\nfrom app.answer import answer\n\n\ndef test_answer():\n"
    "    with patch('app.answer.openai.OpenAI') as client:\n        client.return_value.x = 1\n"
    "        assert answer('q')\n"
)
RECORDED_LLM = (
    "import pytest\nfrom openai import OpenAI\n\n\n@pytest.mark.vcr\ndef test_reply():\n"
    "    assert OpenAI().chat.completions.create(model='m', messages=[])\n"
)
SDK_NO_MOCK = "from openai import OpenAI\n\n\ndef test_client_type():\n    assert OpenAI is not None\n"
MOCKED_DB = (
    "from unittest.mock import patch\n\n\ndef test_save():\n    with patch('app.db.session'):\n        assert save()\n"
)
MODEL_INT = [
    Case("loads the artefact", {"tests/test_model.py": LOADS}, "true", locations=["tests/test_model.py:5"]),
    Case("pretrained model by name", {"tests/test_tagger.py": PRETRAINED}, "true", confidence="medium"),
    Case("calls the chat endpoint", {"tests/test_chat.py": CHAT_ENDPOINT}, "true", locations=["tests/test_chat.py:6"]),
    Case("a non-model endpoint", {"tests/test_users.py": OTHER_ENDPOINT}, "false"),
    Case("mocked LLM client", {"tests/test_answer.py": MOCKED_LLM}, "true", confidence="low"),
    Case("recorded LLM responses", {"tests/test_reply.py": RECORDED_LLM}, "true", confidence="low"),
    Case("LLM SDK imported, nothing mocked or replayed", {"tests/test_types.py": SDK_NO_MOCK}, "false"),
    Case("a mocked database is not an LLM", {"tests/test_save.py": MOCKED_DB}, "false"),
    Case("mocked LLM in examples", {"examples/tests/test_answer.py": MOCKED_LLM}, "false"),
    Case("calls the scoring endpoint", {"tests/test_api.py": ENDPOINT}, "true", locations=["tests/test_api.py:6"]),
    Case("skipped test", {"tests/test_model.py": SKIPPED_LOAD}, "false"),
    Case("mocked loader", {"tests/test_model.py": MOCK_LOAD}, "false"),
    Case("load outside tests", {"app/load.py": LOADS}, "false"),
]


@pytest.mark.parametrize("row", MODEL_INT, ids=case_ids(MODEL_INT))
def test_model_integration(row: Case, tmp_path: Path) -> None:
    check_case(probes.tests_model_integration, row, tmp_path, signal="repo.tests.model_integration")
