"""Bounded HTTP requests, shared by every client of the scanner (MLflow, catalogs, the GitHub API).

A `requests` timeout bounds each socket read, not a request: a server that sends one byte every few
seconds never trips it, headers included. Here every request has a total deadline, enforced by a
watchdog timer that shuts the request's sockets down (waking a blocked read), and a size cap: the body
is streamed and reading stops at the cap. Both fail the request with a clear message.

Defaults can be changed in the environment: AIOPS_SCAN_HTTP_DEADLINE_S (seconds per request) and
AIOPS_SCAN_HTTP_MAX_MB (megabytes per answer).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

CONNECT_S = 10.0
READ_S = 30.0
MB = 1024 * 1024
CHUNK = 64 * 1024


def env_number(name: str, default: float) -> float:
    """A positive number from the environment, else the default (a bad value is not silently zero)."""
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Limits:
    deadline_s: float = field(default_factory=lambda: env_number("AIOPS_SCAN_HTTP_DEADLINE_S", 60.0))
    max_bytes: int = field(default_factory=lambda: int(env_number("AIOPS_SCAN_HTTP_MAX_MB", 32.0) * MB))
    read_s: float = READ_S  # one socket read (requests' own timeout), within the deadline


class LimitExceeded(Exception):
    """A request ran past its deadline or its answer past the size cap; the message names the server."""


class TooSlow(LimitExceeded):
    pass


class TooLarge(LimitExceeded):
    pass


def public_url(url: str) -> str:
    """The URL without user info, query or fragment (which may carry tokens)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def megabytes(size: int) -> str:
    return f"{size / MB:g} MB"


class _Watch:
    """The connections one request uses; `expire` shuts their sockets down."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.conns: list[Any] = []
        self.expired = False

    def add(self, conn: Any) -> None:
        with self.lock:
            self.conns.append(conn)
            expired = self.expired
        if expired:
            _shut(conn)

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            conns = list(self.conns)
        for conn in conns:
            _shut(conn)


def _shut(conn: Any) -> None:
    sock = getattr(conn, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


_local = threading.local()


class _Watched:
    """Connection mixin: registers itself with the calling thread's current request."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        watch = getattr(_local, "watch", None)
        self._watch = watch
        if watch is not None:
            watch.add(self)
        return super().request(*args, **kwargs)  # type: ignore[misc]

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        watch = getattr(self, "_watch", None)
        if watch is not None and watch.expired:  # the deadline passed while connecting
            _shut(self)


class _HTTPConnection(_Watched, HTTPConnection):
    pass


class _HTTPSConnection(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def _watch_pools(manager: Any) -> Any:
    if hasattr(manager, "pool_classes_by_scheme"):
        manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return manager


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watch_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return _watch_pools(super().proxy_manager_for(proxy, **proxy_kwargs))


def session() -> requests.Session:
    """A requests session whose connections obey the deadline of `fetch`."""
    s = requests.Session()
    s.mount("http://", _Adapter())
    s.mount("https://", _Adapter())
    return s


def fetch(s: requests.Session, method: str, url: str, limits: Limits | None = None, **kwargs: Any) -> requests.Response:
    """One request within `limits`: the answer's body is read (at most `max_bytes`) before it returns.
    Raises TooSlow or TooLarge (messages without credentials) or a requests exception."""
    limits = limits or Limits()
    shown = public_url(url)
    watch = _Watch()
    timer = threading.Timer(limits.deadline_s, watch.expire)
    timer.daemon = True
    previous = getattr(_local, "watch", None)
    _local.watch = watch
    slow = TooSlow(f"{shown} did not answer within {limits.deadline_s:g} s (a stalled or very slow server)")
    large = TooLarge(f"{shown} answered with more than {megabytes(limits.max_bytes)}: stopped reading")
    resp: requests.Response | None = None
    timer.start()
    try:
        timeout = (min(CONNECT_S, limits.deadline_s), min(limits.read_s, limits.deadline_s))
        resp = s.request(method, url, stream=True, timeout=timeout, **kwargs)
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise large
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_content(CHUNK):
            size += len(chunk)
            if size > limits.max_bytes:
                raise large
            chunks.append(chunk)
        if watch.expired:  # a socket shut down by the watchdog reads as an early end of the body
            raise slow
        resp._content = b"".join(chunks)
        return resp
    except requests.RequestException:
        if watch.expired:
            raise slow from None
        raise
    except LimitExceeded:
        if resp is not None:
            resp.close()
        raise
    finally:
        timer.cancel()
        _local.watch = previous
