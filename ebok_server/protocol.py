"""uvicorn's HTTP/1.1 protocol (h11) with its own error replies in our JSON error shape.

A request h11 cannot parse never reaches the ASGI app, so uvicorn answers it itself, by default
with ``text/plain`` "Invalid HTTP request received." (400). This subclass sends
``{"error": {"code": "bad_request", "message": "Malformed HTTP request."}}`` instead, so every reply
of the server has the one documented shape (errors inside the app are answered by its own handlers). ``serve`` passes :class:`JsonErrorH11Protocol` as uvicorn's ``http``
(h11 always, also where httptools happens to be installed: one parser, one behaviour).
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .errors import DEFAULT_CODES, error_body

MALFORMED_REQUEST = "Malformed HTTP request."


def _json(status: int, message: str | None = None) -> tuple[list[tuple[bytes, bytes]], bytes]:
    code, default = DEFAULT_CODES[status]
    body = json.dumps(error_body(code, message or default)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"connection", b"close"),
    ]
    return headers, body


class JsonErrorH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:  # uvicorn: unparseable request (h11.RemoteProtocolError)
        headers, body = _json(400, MALFORMED_REQUEST)
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()
