"""The GitHub client's politeness rules, answer by answer."""

from __future__ import annotations

import time

import requests

from scanner.collectors.github.api import GitHubApi, Shared, _graphql_url, _next_link, _retry_delay


def response(status: int, headers: dict[str, str] | None = None, body: str = "{}") -> requests.Response:
    resp = requests.Response()
    resp.status_code, resp._content = status, body.encode()
    resp.headers.update(headers or {})
    return resp


def test_retry_delays() -> None:
    assert _retry_delay(response(200), 0) is None
    assert _retry_delay(response(404), 0) is None  # no permission / absent: final, never retried
    assert _retry_delay(response(403, {"Retry-After": "7"}), 0) == 7.0
    assert _retry_delay(response(429, {"Retry-After": "3"}), 0) == 3.0
    assert _retry_delay(response(429), 1) == 120.0  # no Retry-After: back off from a minute
    assert _retry_delay(response(403, body='{"message": "You have exceeded a secondary rate limit"}'), 0) == 60.0
    assert _retry_delay(response(403), 0) is None  # a plain 403 is "no permission"
    reset = str(int(time.time()) + 30)
    assert 25 <= (_retry_delay(response(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}), 0) or 0) <= 31
    assert _retry_delay(response(502), 2) == 4.0


def test_links_and_enterprise_urls() -> None:
    base = "https://api.github.com/orgs/a/repos"
    link = f'<{base}?page=2>; rel="next", <{base}?page=5>; rel="last"'
    assert _next_link(link) == "https://api.github.com/orgs/a/repos?page=2"
    assert _next_link('<https://x/?page=1>; rel="prev"') is None
    assert _graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    assert _graphql_url("https://ghe.example.com/api/v3") == "https://ghe.example.com/api/graphql"


def test_scrub_removes_the_token_from_messages() -> None:
    token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
    api = GitHubApi("https://api.github.com", token, Shared())
    assert token not in api.scrub(f"failed with Authorization: Bearer {token} at https://user:{token}@host/x")
