"""A bounded REST client for an MLflow tracking server.

Every request has a timeout; a failed request (connection error or 5xx) is retried at most
`retries` times with a short pause, never for minutes as the MLflow client does. Requests are
counted. Credentials come from the environment only (MLFLOW_TRACKING_TOKEN, or
MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD) and are scrubbed from every message.
"""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from scanner.collectors.gitcli import redact


class MlflowError(Exception):
    """A request failed; `kind` says how: unreachable | missing (404: not supported) | denied | server."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def public_uri(uri: str) -> str:
    """The URI without user:password@ and without query or fragment (which may carry tokens)."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


class RestClient:
    def __init__(self, uri: str, *, timeout: float = 10.0, retries: int = 1, pause: float = 0.2) -> None:
        self.base = public_uri(uri)
        self.timeout, self.retries, self.pause = timeout, retries, pause
        self.requests = 0
        self.session = requests.Session()
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

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = self.base + path
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                resp = self.session.request(method, url, timeout=self.timeout, allow_redirects=False, **kwargs)
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
        self.requests += 1
        try:
            resp = self.session.get(self.base + path, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            raise MlflowError("unreachable", f"{self.base} is unreachable ({type(exc).__name__})") from None
        if resp.status_code >= 400:
            raise self._status_error(resp, path)
        return resp.text
