"""The GitHub API client within bounds: a stalled server fails one request at its deadline, without
retries; an oversized answer is not read past the cap. The token never appears in the message."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scanner.collectors.github.api import ApiError, GitHubApi, Shared
from tests.hostile_http import dripping_server, huge_server
from tests.mlflow.test_hostile import run_bounded

TOKEN = "ghp_hostileTestToken0000000000000000000"


def test_a_dripping_api_fails_the_request_at_its_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIOPS_SCAN_HTTP_DEADLINE_S", "2")
    with dripping_server(pace_s=0.5) as url:
        api = GitHubApi(url, TOKEN, Shared())
        error, seconds = run_bounded(lambda: failure(lambda: api.get(f"/repos/acme/app?access_token={TOKEN}")))
    assert isinstance(error, ApiError) and "did not answer within 2 s" in str(error)
    assert seconds < 10 and api.shared.total.retries == 0
    assert TOKEN not in str(error)


def failure(call: Callable[[], object]) -> Exception | None:
    try:
        call()
    except Exception as exc:
        return exc
    return None


def test_an_oversized_api_answer_is_not_read_past_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIOPS_SCAN_HTTP_MAX_MB", "1")
    with huge_server(50 * 1024 * 1024, declared=True) as url:
        api = GitHubApi(url, TOKEN, Shared())
        with pytest.raises(ApiError, match="more than 1 MB"):
            api.graphql("query { viewer { login } }", {})
