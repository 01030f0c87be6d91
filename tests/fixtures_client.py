"""Client-layer test helpers (import the fixtures you need into the test module).

The real server for client tests is in ``tests/conftest.py`` (``server``, ``fresh_server``: in-process).

* ``reserved_port`` / ``held_port``, ``closed_port_url``: a port held by the test (nothing listens
  unless our own server does; no other program can take it).
* ``silent_server``, ``BrokenHttpServer``: tiny local peers that simulate a server that accepts
  and never answers / answers garbage.
* ``assert_reads``: what an error says to the resident, in Polish and in English.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from ebok_tui.core.api import ApiError
from ebok_tui.core.i18n import I18n
from ebok_tui.ui.wording import error_message

#: What the server answers to a created thread (for peers that script their replies).
THREAD_REPLY = {
    "id": 7,
    "kind": "other",
    "subject": "s",
    "status": "sent",
    "created_at": "2026-11-15T10:00:00Z",
    "updated_at": "2026-11-15T10:00:00Z",
    "message_count": 1,
    "messages": [],
}


def assert_reads(error: ApiError, pl: str, en: str) -> None:
    """``error`` reads ``pl`` in Polish and ``en`` in English (:func:`error_message`)."""
    assert error_message(I18n("pl"), error) == pl
    assert error_message(I18n("en"), error) == en


def demo_password(customer_number: str) -> str:
    return f"woda-{customer_number}"


@contextlib.contextmanager
def reserved_port() -> Iterator[int]:
    """A port on 127.0.0.1 held for the block: bound (``SO_REUSEADDR``) but not listening, so a
    connection is refused and no other program can take the port, while our own server (which
    binds with ``SO_REUSEADDR`` too, see ``ebok_server.__main__._bind``) may listen on it, stop
    and listen again. Nothing is guessed, so nothing races."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def held_port() -> Iterator[int]:
    """A :func:`reserved_port` for the whole test (a server restarted on the same address)."""
    with reserved_port() as port:
        yield port


@pytest.fixture
def closed_port_url() -> Iterator[str]:
    """A URL on 127.0.0.1 where nothing listens (connection refused), for the whole test."""
    with reserved_port() as port:
        yield f"http://127.0.0.1:{port}"


class SilentServer:
    """Accepts TCP connections and never answers (reads and discards what it gets)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = 0
        self.requests: list[bytes] = []
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            self._conns.append(conn)
            conn.settimeout(0.5)
            try:
                self.requests.append(conn.recv(65536))
            except OSError:
                self.requests.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for c in self._conns:
            c.close()
        self.sock.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    srv = SilentServer()
    try:
        yield srv
    finally:
        srv.close()


Responder = Callable[[http.server.BaseHTTPRequestHandler], None]


class BrokenHttpServer:
    """A tiny HTTP server whose replies are given per path: ``routes[path] = responder``."""

    def __init__(self, routes: dict[str, Responder]) -> None:
        routes_ = routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def _dispatch(self) -> None:
                path = self.path.split("?", 1)[0]
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                responder = routes_.get(path)
                if responder is None:
                    send(self, 404, b'{"error": {"code": "not_found", "message": "Not found."}}')
                else:
                    responder(self)

            do_GET = do_POST = do_PUT = do_DELETE = _dispatch

            def log_message(self, *args) -> None:  # keep test output clean
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send(
    handler: http.server.BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(body)


def raw(data: bytes) -> Responder:
    """Write raw bytes (not even HTTP) and close."""

    def responder(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.wfile.write(data)
        handler.wfile.flush()
        handler.close_connection = True

    return responder


def reply(status: int, body: bytes, content_type: str = "application/json", **headers: str) -> Responder:
    return lambda h: send(h, status, body, content_type, {k.replace("_", "-"): v for k, v in headers.items()})


@pytest.fixture
def broken_server() -> Iterator[Callable[[dict[str, Responder]], BrokenHttpServer]]:
    servers: list[BrokenHttpServer] = []

    def make(routes: dict[str, Responder]) -> BrokenHttpServer:
        srv = BrokenHttpServer(routes)
        servers.append(srv)
        return srv

    try:
        yield make
    finally:
        for s in servers:
            s.close()
