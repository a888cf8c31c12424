"""A small, bounded JSON-over-HTTP client shared by the remote catalog collectors.

Bounded: a total deadline and a size cap per request (http_limits), at most `max_pages` pages per
listing, no retries (a 5xx fails the source). A login page answering instead of the API fails the source
with one clear message. Tokens come from the environment and are sent only in the Authorization header; every
message that leaves this module is redacted.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import requests

from scanner.collectors import http_limits
from scanner.collectors.http_limits import LimitExceeded
from scanner.facts.urls import redact
from scanner.sources import SourceUnavailable

MAX_PAGES = 20


class Forbidden(Exception):
    """403/404 on one feature's endpoint: that feature is not_available, the rest is read."""


def public_url(url: str) -> str:
    """The URL without user info or query string, safe to show in outputs and target ids."""
    return http_limits.public_url(url)


class CatalogClient:
    def __init__(self, base_url: str, token_env: tuple[str, ...], stats: dict[str, int], stat_key: str) -> None:
        self.base = public_url(base_url)
        self.stats, self.stat_key = stats, stat_key
        self.session = http_limits.session()
        self.session.headers["Accept"] = "application/json"
        token = next((os.environ[name] for name in token_env if os.environ.get(name)), "")
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        url = f"{self.base}{path}"
        self.stats[self.stat_key] = self.stats.get(self.stat_key, 0) + 1
        try:
            resp = http_limits.fetch(self.session, method, url, **kwargs)
        except LimitExceeded as exc:
            raise SourceUnavailable(redact(str(exc))) from None
        except requests.RequestException as exc:
            raise SourceUnavailable(redact(f"{self.base} is unreachable ({type(exc).__name__})")) from None
        if resp.status_code == 401:
            raise SourceUnavailable(f"{self.base} refused the credentials (401); set the token in the environment")
        if resp.status_code in (403, 404):
            raise Forbidden(f"{path.split('?')[0]}: HTTP {resp.status_code}")
        if resp.status_code >= 400:
            raise RuntimeError(f"{self.base}{path.split('?')[0]} answered HTTP {resp.status_code}")
        if resp.content[:512].lstrip().startswith(b"<"):
            where = urlsplit(resp.url).hostname or ""  # after redirects: the host only, no path or query
            via = f" (from {where})" if where and where != urlsplit(self.base).hostname else ""
            raise SourceUnavailable(
                f"{self.base} answered with an HTML page{via} (a login/SSO page?), not the catalog's REST API"
            )
        try:
            return resp.json()
        except ValueError:
            raise ValueError(f"{self.base}{path.split('?')[0]} returned a malformed body (not JSON)") from None

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.request("POST", path, json=body)


def expect_dict(doc: Any, where: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ValueError(f"{where}: malformed body (expected a JSON object)")
    return doc
