"""A git smart-HTTP server on 127.0.0.1 for tests: a threaded http.server that checks basic-auth
credentials and hands each request to `git http-backend` (CGI). Like GitHub, it answers for `org/repo`
as for `org/repo.git`. `hold` set: requests wait until it is cleared (a server that never answers)."""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass
class GitServer:
    url: str  # http://127.0.0.1:PORT
    root: Path
    requests: list[dict[str, Any]] = field(default_factory=list)  # path, query, authorized
    hold: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


def _cgi(env: dict[str, str], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    proc = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
    head, _, payload = proc.stdout.partition(b"\r\n\r\n")
    status, headers = 200, []
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.split()[0])
        elif name:
            headers.append((name, value.strip()))
    return status, headers, payload


@contextmanager
def git_server(root: Path, user: str, password: str) -> Iterator[GitServer]:
    """Serve the bare repos under `root` to clients that send `user:password`."""
    state = GitServer("", root)
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, method: str) -> None:
            parts = urlsplit(self.path)
            authorized = self.headers.get("Authorization") == expected
            state.requests.append({"path": parts.path, "query": parts.query, "authorized": authorized})
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if state.hold.is_set():
                state.release.wait(60)
            if not authorized:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path = parts.path
            repo, sep, rest = path.partition(".git/")
            if not sep:  # org/repo/info/refs -> org/repo.git/info/refs
                for marker in ("/info/", "/git-upload-pack", "/HEAD", "/objects/"):
                    repo, sep, rest = path.partition(marker)
                    if sep:
                        repo, rest = repo.removesuffix("/"), sep.lstrip("/") + rest
                        break
                path = f"{repo}.git/{rest}"
            else:
                path = f"{repo}.git/{rest}"
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "GIT_PROJECT_ROOT": str(root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "GIT_CONFIG_NOSYSTEM": "1",
                "REQUEST_METHOD": method,
                "PATH_INFO": path,
                "QUERY_STRING": parts.query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_USER": user,
                "REMOTE_ADDR": "127.0.0.1",
            }
            if self.headers.get("Git-Protocol"):
                env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            status, headers, payload = _cgi(env, body)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


def bare_repo(src: Path, root: Path, name: str) -> Path:
    """A bare copy of the repo `src` at `root/name.git` that serves partial (blobless) clones."""
    dest = root / f"{name}.git"
    dest.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", "clone", "-q", "--bare", str(src), str(dest)], check=True, env=env)
    for key, value in (("uploadpack.allowFilter", "true"), ("uploadpack.allowAnySHA1InWant", "true")):
        subprocess.run(["git", "-C", str(dest), "config", key, value], check=True, env=env)
    return dest
