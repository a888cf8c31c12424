"""A fake catalog server on 127.0.0.1: a threaded http.server whose handler calls a route function.
It records every request (method, path, headers, body) and every JSON body it served."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# route(method, path, query, body) -> (status, body); a str body is sent as is (to fake malformed bodies)
Route = Callable[[str, str, dict[str, str], Any], tuple[int, Any]]


@dataclass
class Fake:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    served: list[tuple[str, Any]] = field(default_factory=list)  # (path, JSON body) of 2xx answers


@contextmanager
def fake_server(route: Route) -> Iterator[Fake]:
    state = Fake("")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            state.requests.append(
                {"method": method, "path": parts.path, "query": query, "headers": dict(self.headers), "body": body}
            )
            status, answer = route(method, parts.path, query, body)
            raw = answer if isinstance(answer, str) else json.dumps(answer)
            if status < 300 and not isinstance(answer, str):
                state.served.append((parts.path, answer))
            data = raw.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
