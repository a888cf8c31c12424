"""Hostile HTTP servers on 127.0.0.1, on raw sockets so that the server controls every byte and its pace:
`dripping_server` sends its answer one byte per `pace_s` seconds, status line and headers included,
and never ends; `huge_server` answers 200 with a body of `size` bytes (JSON whitespace after `{`)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Send = Callable[[socket.socket, threading.Event], None]


@contextmanager
def _server(send: Send) -> Iterator[str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)  # the request (small: a GET or a JSON body)
                send(conn, stop)
            except OSError:
                return

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()


def _head(extra: str = "") -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n{extra}\r\n".encode()


@contextmanager
def dripping_server(pace_s: float = 1.0) -> Iterator[str]:
    def send(conn: socket.socket, stop: threading.Event) -> None:
        answer = _head() + b"{"
        i = 0
        while not stop.wait(pace_s):
            conn.sendall(answer[i : i + 1] if i < len(answer) else b" ")
            i += 1

    with _server(send) as url:
        yield url


@contextmanager
def huge_server(size: int, *, declared: bool = False) -> Iterator[str]:
    """`declared`: send a Content-Length (else the body ends when the connection closes)."""

    def send(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(_head(f"Content-Length: {size}\r\n" if declared else "") + b"{")
        left = size - 1
        block = b" " * 65536
        while left > 0 and not stop.is_set():
            conn.sendall(block[: min(left, len(block))])
            left -= len(block)

    with _server(send) as url:
        yield url
