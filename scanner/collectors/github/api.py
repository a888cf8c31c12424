"""A polite GitHub API client: REST with ETags, GraphQL with point accounting, bounded retries.

One client per worker thread (requests sessions are not shared); the cost counters, the ETag store and
the budget are shared and locked. The token comes from the caller (GITHUB_TOKEN) and is never part of
an error message: every message goes through `scrub`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from scanner.collectors import http_limits
from scanner.collectors.http_limits import LimitExceeded
from scanner.facts.urls import redact

MAX_ATTEMPTS = 4
MAX_PAGES = 50


class ApiError(RuntimeError):
    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class NoPermission(ApiError):
    """403/404 on an object that needs more permission than the token has: not_available, not false."""


class BudgetExhausted(ApiError):
    """The scan's API budget or wait budget is spent: no new repo starts."""


@dataclass
class Cost:
    rest: int = 0
    graphql_points: int = 0
    not_modified: int = 0
    retries: int = 0
    waited_s: float = 0.0

    def add(self, other: Cost) -> None:
        for name in ("rest", "graphql_points", "not_modified", "retries", "waited_s"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def points(self) -> int:
        return self.rest + self.graphql_points

    def to_json(self) -> dict[str, float]:
        return {
            "rest": self.rest,
            "graphql_points": self.graphql_points,
            "not_modified": self.not_modified,
            "retries": self.retries,
            "waited_s": round(self.waited_s, 3),
        }


@dataclass
class Shared:
    """State shared by every client of one scan: totals, ETags, budget, the waits reported."""

    budget: int = 5000  # REST calls + GraphQL points
    max_wait_s: float = 300.0  # total time the scan may spend waiting for rate limits
    total: Cost = field(default_factory=Cost)
    etags: dict[str, dict[str, Any]] = field(default_factory=dict)
    waits: list[str] = field(default_factory=list)
    remaining: int | None = None  # the lowest x-ratelimit-remaining seen
    lock: threading.Lock = field(default_factory=threading.Lock)
    sleep: Callable[[float], None] = lambda seconds: time.sleep(seconds)

    def spent(self) -> int:
        return self.total.points()


class GitHubApi:
    def __init__(self, base_url: str, token: str | None, shared: Shared) -> None:
        self.base = base_url.rstrip("/")
        self.graphql_url = _graphql_url(self.base)
        self._token = token
        self.shared = shared
        self.cost = Cost()  # this client's cost (the caller resets it per repo)
        self.session = http_limits.session()  # every request: a total deadline and a size cap
        self.session.headers.update({"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"})
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def scrub(self, text: str) -> str:
        text = redact(text)
        return text.replace(self._token, "***") if self._token else text

    # REST ----------------------------------------------------------------------------------
    def get(self, path: str, params: dict[str, Any] | None = None) -> tuple[Any, dict[str, str]]:
        """GET a REST resource (a path or a full URL), conditional on a stored ETag. Returns the body and
        the headers that matter (link). A 304 answers from the store and costs no rate limit."""
        url = path if path.startswith("http") else f"{self.base}{path}"
        req = requests.Request("GET", url, params=params).prepare()
        key = req.url or url
        with self.shared.lock:
            stored = self.shared.etags.get(key)
        headers = {"If-None-Match": stored["etag"]} if stored else {}
        resp = self._send(lambda: http_limits.fetch(self.session, "GET", key, headers=headers))
        if resp.status_code == 304 and stored:
            self._count(not_modified=1)
            return stored["body"], {"link": stored.get("link", "")}
        self._count(rest=1)
        if resp.status_code in (403, 404):
            raise NoPermission(f"GET {self.scrub(key)}: HTTP {resp.status_code}", resp.status_code)
        if resp.status_code >= 400:
            raise ApiError(f"GET {self.scrub(key)}: HTTP {resp.status_code}", resp.status_code)
        body = resp.json()
        link = resp.headers.get("Link", "")
        if resp.headers.get("ETag"):
            with self.shared.lock:
                self.shared.etags[key] = {"etag": resp.headers["ETag"], "body": body, "link": link}
        return body, {"link": link}

    def paginate(self, path: str, params: dict[str, Any] | None = None, max_pages: int = MAX_PAGES) -> list[Any]:
        items: list[Any] = []
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        for _ in range(max_pages):
            if url is None:
                break
            body, meta = self.get(url, query)
            items.extend(body if isinstance(body, list) else [])
            url, query = _next_link(meta["link"]), None
        return items

    # GraphQL -------------------------------------------------------------------------------
    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        payload = {"query": query, "variables": variables}
        resp = self._send(lambda: http_limits.fetch(self.session, "POST", self.graphql_url, json=payload))
        if resp.status_code >= 400:
            self._count(graphql_points=1)
            raise ApiError(f"GraphQL: HTTP {resp.status_code}", resp.status_code)
        body = resp.json()
        data = body.get("data") or {}
        cost = (data.get("rateLimit") or {}).get("cost")
        self._count(graphql_points=int(cost) if isinstance(cost, int) else 1)
        if body.get("errors") and not any(v for k, v in data.items() if k != "rateLimit"):
            first = body["errors"][0]
            kind = first.get("type", "")
            error = NoPermission if kind in ("FORBIDDEN", "NOT_FOUND") else ApiError
            raise error(self.scrub(f"GraphQL: {kind or 'error'}: {first.get('message', '')}"))
        if body.get("errors"):  # partial data: e.g. no permission for one field
            data["_errors"] = body["errors"]
        return data

    # politeness ----------------------------------------------------------------------------
    def _send(self, call: Callable[[], requests.Response]) -> requests.Response:
        """One request with bounded retries: 5xx and network errors back off; secondary limits and 429
        honour Retry-After; an exhausted primary limit waits for its reset. Every wait is bounded,
        counted and reported."""
        if self.shared.spent() >= self.shared.budget:
            raise BudgetExhausted(f"API budget of {self.shared.budget} points spent")
        for attempt in range(MAX_ATTEMPTS):
            try:
                resp = call()
            except LimitExceeded as exc:  # a stalled server or an oversized answer: not retried
                raise ApiError(self.scrub(str(exc))) from None
            except requests.RequestException as exc:
                if attempt == MAX_ATTEMPTS - 1:
                    raise ApiError(self.scrub(f"network error: {type(exc).__name__}")) from None
                self._wait(2.0**attempt, f"network error ({type(exc).__name__})")
                continue
            self._note_remaining(resp.headers.get("x-ratelimit-remaining", ""))
            delay = _retry_delay(resp, attempt)
            if delay is None:
                return resp
            if attempt == MAX_ATTEMPTS - 1:
                return resp
            self._count(retries=1)
            self._wait(delay, f"HTTP {resp.status_code} on {self.scrub(resp.request.path_url if resp.request else '')}")
        raise AssertionError("unreachable")

    def _note_remaining(self, header: str) -> None:
        if header.isdigit():
            with self.shared.lock:
                low = self.shared.remaining
                self.shared.remaining = int(header) if low is None else min(low, int(header))

    def _wait(self, seconds: float, why: str) -> None:
        with self.shared.lock:
            left = self.shared.max_wait_s - self.shared.total.waited_s
            if seconds > left:
                self.shared.waits.append(f"would wait {seconds:.0f}s for {why}: over the wait budget, stopped")
                raise BudgetExhausted(f"rate limited ({why}); waiting {seconds:.0f}s exceeds the wait budget")
            self.shared.waits.append(f"waited {seconds:.1f}s: {why}")
            self.shared.total.waited_s += seconds
        self.cost.waited_s += seconds
        self.shared.sleep(seconds)

    def _count(self, **amounts: int) -> None:
        delta = Cost(**amounts)
        self.cost.add(delta)
        with self.shared.lock:
            self.shared.total.add(delta)


def _retry_delay(resp: requests.Response, attempt: int) -> float | None:
    """Seconds to wait before retrying, or None when the response is final."""
    status = resp.status_code
    headers = resp.headers
    retry_after = headers.get("Retry-After")
    if status in (403, 429) and retry_after and retry_after.isdigit():
        return float(retry_after)
    if status in (403, 429) and headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "")
        return max(1.0, float(reset) - time.time()) if reset.isdigit() else 60.0
    if status == 429 or (status == 403 and "secondary rate limit" in resp.text.lower()):
        return 60.0 * 2**attempt  # GitHub: wait at least a minute when no Retry-After is given
    if status >= 500:
        return 1.0 * 2**attempt
    return None


def _next_link(link: str) -> str | None:
    for part in link.split(","):
        if 'rel="next"' in part:
            return part[part.find("<") + 1 : part.find(">")]
    return None


def _graphql_url(base: str) -> str:
    if base.endswith("/api/v3"):  # GitHub Enterprise Server
        return base[: -len("/v3")] + "/graphql"
    return base + "/graphql"
