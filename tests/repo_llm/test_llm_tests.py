"""Table tests: repo.tests.llm (mocked LLM clients, stubbed LLM endpoints, recorded-response replays)."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.llm_tests import llm_tests
from scanner.testing import Case, check_case
from tests.repo_llm.util import OPENAI_APP

RB_APP = "class Composer\n  def call = client.messages.create(model: m, messages: [])\n" + (
    "  def client = Anthropic::Client.new\nend\n"
)
CASES = [
    Case(
        "pytest patches the openai client of the app",
        {
            "app/chat.py": OPENAI_APP,
            "tests/test_chat.py": "from unittest import mock\nfrom app.chat import answer\n\n"
            "def test_answer():\n    with mock.patch('app.chat.client') as c:\n        assert answer('q')\n",
        },
        "true",
        "medium",
        ("tests/test_chat.py",),
    ),
    Case(
        "rspec stubs the bedrock endpoint with webmock",
        {
            "lib/composer.rb": RB_APP,
            "spec/lib/composer_spec.rb": "RSpec.describe Composer do\n  it 'answers' do\n"
            "    stub_request(:post, %r{bedrock-runtime.eu-west-1.amazonaws.com})\n    Composer.new.call\n  end\nend\n",
        },
        "true",
        "medium",
        ("spec/lib/composer_spec.rb",),
    ),
    Case(
        "vcr cassette of an llm call",
        {
            "app/chat.py": OPENAI_APP,
            "tests/test_chat.py": "import pytest\nfrom app.chat import answer\n\n@pytest.mark.vcr\n"
            "def test_answer():\n    assert answer('q')\n",
        },
        "true",
        "medium",
    ),
    Case(
        "pitfall: mocks in tests that never reach llm code",
        {
            "app/chat.py": OPENAI_APP,
            "tests/test_db.py": "from unittest import mock\nfrom app.db import save\n\n"
            "def test_save():\n    with mock.patch('app.db.conn'):\n        save(1)\n",
        },
        "false",
    ),
    Case(
        "pitfall: llm app code with no tests",
        {"app/chat.py": OPENAI_APP},
        "false",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_llm_tests(tmp_path: Path, case: Case) -> None:
    check_case(llm_tests, case, tmp_path)
