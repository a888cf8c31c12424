"""Test servers on 127.0.0.1: a real MLflow tracking server, a fault-injecting proxy in front of it,
and a fake server replaying recorded answers of an MLflow release older than the prompt registry."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_mlflow_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`mlflow server` on a sqlite store, one worker, no job runner; returns once /health answers."""
    port = free_port()
    env = dict(os.environ, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false", MLFLOW_DISABLE_TELEMETRY="true")
    cmd = [
        *(sys.executable, "-m", "mlflow", "server"),
        *("--backend-store-uri", f"sqlite:///{workdir / 'mlflow.db'}"),
        *("--default-artifact-root", str(workdir / "artifacts")),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
    ]
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mlflow server exited: {(workdir / 'server.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as resp:
                if resp.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("mlflow server did not start within 90 s")


Handler = Callable[[str, str, bytes, dict[str, str]], tuple[int, bytes, str]]


@contextmanager
def http_server(handle: Handler) -> Iterator[tuple[str, Counter[str]]]:
    """A threaded HTTP server on 127.0.0.1 calling `handle(method, path, body, headers)`; counts paths.
    A 3xx answer's payload is sent as its Location."""
    hits: Counter[str] = Counter()

    class Request(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            hits[urlsplit(self.path).path] += 1
            status, payload, kind = handle(self.command, self.path, body, dict(self.headers))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            if 300 <= status < 400:  # a redirect: the payload is where to
                self.send_header("Location", payload.decode())
                payload = b""
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Request)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def forward(upstream: str, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
    keep = {k: v for k, v in headers.items() if k.lower() in ("content-type", "authorization")}
    request = urllib.request.Request(upstream + path, data=body or None, method=method, headers=keep)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read(), resp.headers.get("Content-Type", "application/json")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), "application/json"


def json_answer(status: int, payload: Any) -> tuple[int, bytes, str]:
    return status, json.dumps(payload).encode(), "application/json"
