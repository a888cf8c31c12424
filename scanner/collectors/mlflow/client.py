"""A bounded REST client for an MLflow tracking server.

Every request has a total deadline and a size cap (http_limits); a failed request (connection error
or 5xx) is retried at most `retries` times with a short pause, never for minutes as the MLflow client
does; a stalled server is not retried. Requests and bytes are counted against a budget per source
(`Budget`): once spent, further reads fail with kind `limit` and their sections say so.
A server answering with an HTML page or a redirect (a login/SSO page) is not MLflow: kind `not_mlflow`.
Credentials come from the environment only (MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and
MLFLOW_TRACKING_PASSWORD) and are scrubbed from every message.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from scanner.collectors import http_limits
from scanner.collectors.http_limits import MB, Limits, TooLarge, TooSlow, env_number, megabytes
from scanner.facts.urls import redact


class MlflowError(Exception):
    """A request failed; `kind` says how: unreachable | not_mlflow | missing (404: not supported) | denied
    | server | limit (a bound of the source was reached: what was read is partial)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


FATAL = ("unreachable", "not_mlflow")  # the source as a whole cannot be read


class Partial(MlflowError):
    """A bound was reached within one page: the items read before it still count."""

    def __init__(self, message: str, items: list[dict[str, Any]]) -> None:
        super().__init__("limit", message)
        self.items = items


def public_uri(uri: str) -> str:
    """The URI without user:password@ and without query or fragment (which may carry tokens)."""
    return http_limits.public_url(uri)


@dataclass(frozen=True)
class Budget:
    """What one MLflow source may cost; the environment may change each default."""

    max_requests: int = field(default_factory=lambda: int(env_number("AIOPS_SCAN_MLFLOW_MAX_REQUESTS", 500)))
    max_bytes: int = field(default_factory=lambda: int(env_number("AIOPS_SCAN_MLFLOW_MAX_MB", 128) * MB))
    max_seconds: float = field(default_factory=lambda: env_number("AIOPS_SCAN_MLFLOW_MAX_S", 600.0))


class RestClient:
    def __init__(
        self,
        uri: str,
        *,
        limits: Limits | None = None,
        budget: Budget | None = None,
        retries: int = 1,
        pause: float = 0.2,
    ) -> None:
        self.base = public_uri(uri)
        self.limits, self.budget = limits or Limits(), budget or Budget()
        self.retries, self.pause = retries, pause
        self.requests = 0
        self.received = 0  # bytes of answers
        self.started = time.monotonic()
        self.session = http_limits.session()
        self.session.trust_env = False  # no proxies or .netrc credentials picked up behind our back
        self.session.headers["User-Agent"] = "aiops-scan"
        token = os.environ.get("MLFLOW_TRACKING_TOKEN")
        user, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
        self._secrets = [s for s in (token, password) if s]
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        elif user and password:
            self.session.auth = (user, password)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return redact(text)

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._call("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", path, json=body)

    def _spend(self, path: str) -> None:
        """Count one request against the budget; refuse it once a bound of the source is reached."""
        b = self.budget
        spent = ""
        if self.requests >= b.max_requests:
            spent = f"the budget of {b.max_requests} requests"
        elif self.received >= b.max_bytes:
            spent = f"the budget of {megabytes(b.max_bytes)} read"
        elif time.monotonic() - self.started >= b.max_seconds:
            spent = f"the budget of {b.max_seconds:g} s"
        if spent:
            raise MlflowError("limit", f"{path}: not read: {spent} for this source is spent")
        self.requests += 1

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One bounded request: a stalled server fails the source, an oversized answer only this read."""
        self._spend(path)
        try:
            resp = http_limits.fetch(
                self.session, method, self.base + path, self.limits, allow_redirects=False, **kwargs
            )
        except TooSlow as exc:
            raise MlflowError("unreachable", self.scrub(str(exc))) from None
        except TooLarge:
            self.received += self.limits.max_bytes
            cap = megabytes(self.limits.max_bytes)
            raise MlflowError("limit", f"{path}: the answer exceeds {cap}: not read") from None
        self.received += len(resp.content)
        if 300 <= resp.status_code < 400 or (resp.status_code < 400 and _is_html(resp)):
            raise MlflowError("not_mlflow", self._not_mlflow(resp))
        return resp

    def _not_mlflow(self, resp: requests.Response) -> str:
        if 300 <= resp.status_code < 400:
            where = urlsplit(resp.headers.get("Location", "")).hostname  # the host only: no path or query
            to = f" to {where}" if where else ""
            what = f"redirected{to} (HTTP {resp.status_code}; a login/SSO page?)"
        else:
            what = "answered with an HTML page (a login/SSO page?)"
        return self.scrub(f"{self.base} {what}, not the MLflow REST API")

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        for attempt in range(self.retries + 1):
            try:
                resp = self._send(method, path, **kwargs)  # its own errors are final: no retry
            except requests.RequestException as exc:
                error = MlflowError("unreachable", f"{self.base} is unreachable ({type(exc).__name__})")
            else:
                if resp.status_code < 400:
                    return self._json(resp, path)
                error = self._status_error(resp, path)
                if error.kind != "server":
                    raise error
            if attempt < self.retries:
                time.sleep(self.pause)
        raise error

    def _json(self, resp: requests.Response, path: str) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError:
            raise MlflowError("server", f"{path}: the answer is not JSON") from None
        if not isinstance(data, dict):
            raise MlflowError("server", f"{path}: unexpected answer")
        return data

    def _status_error(self, resp: requests.Response, path: str) -> MlflowError:
        code = resp.status_code
        try:
            detail = str(resp.json().get("error_code", ""))
        except (ValueError, AttributeError):
            detail = ""
        where = f"{path}: HTTP {code}{' ' + detail if detail else ''}"
        if code == 404 or detail == "ENDPOINT_NOT_FOUND":
            return MlflowError("missing", f"{where} (not supported by this server)")
        if code in (401, 403):
            return MlflowError("denied", f"{where} (no permission)")
        if code >= 500:
            return MlflowError("server", self.scrub(f"{where} (server error)"))
        return MlflowError("request", self.scrub(where))

    def text(self, path: str) -> str:
        """A plain-text answer (e.g. /version), with the same bounds."""
        try:
            resp = self._send("GET", path)
        except requests.RequestException as exc:
            raise MlflowError("unreachable", f"{self.base} is unreachable ({type(exc).__name__})") from None
        if resp.status_code >= 400:
            raise self._status_error(resp, path)
        return resp.text


def _is_html(resp: requests.Response) -> bool:
    """A page rather than data: markup in the body (MLflow itself labels /version text/html)."""
    return resp.content[:512].lstrip().startswith(b"<")
