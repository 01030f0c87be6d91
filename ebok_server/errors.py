"""One error body shape everywhere, plus the body-size / content-type ASGI middleware."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .config import MAX_BODY_BYTES

log = logging.getLogger("ebok_server")

IDEMPOTENCY_HEADER = "Idempotency-Key"

MALFORMED_BODY = "Malformed request body: expected a JSON object."

DEFAULT_CODES = {
    400: ("bad_request", MALFORMED_BODY),
    401: ("unauthorized", "Missing, invalid or expired token."),
    403: ("forbidden", "Forbidden."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    409: ("conflict", "Conflict."),
    413: ("payload_too_large", "Request body too large (max 1 MiB)."),
    415: ("unsupported_media_type", "Request body must be application/json."),
    422: ("validation_error", "Validation failed."),
    429: ("rate_limited", "Too many requests."),
    500: ("internal_error", "Internal server error."),
    503: ("server_busy", "The server is busy; try again in a moment."),
}


DB_RETRY_AFTER_S = 2
# SQLSTATE classes of a database that is gone or cannot take the work now: 08 connection exception,
# 53 insufficient resources (disk full, out of memory), 57P operator intervention (shutdown, restart).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P")


def database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or cannot write (restart, lost connection, disk full): a 503,
    not a bug. SQLite reports all of these as ``OperationalError`` ("database or disk is full",
    "disk I/O error", "database is locked")."""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, ConnectionError | TimeoutError | sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True  # refused/reset while connecting; the pool's wait for a connection
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated or isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
            return True
        cause = exc.orig
        while cause is not None:
            state = getattr(cause, "sqlstate", None)
            if isinstance(state, str) and state.startswith(_UNAVAILABLE_SQLSTATES):
                return True
            if isinstance(cause, ConnectionError):
                return True
            cause = cause.__cause__
    return False


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if fields:
        err["fields"] = fields
    return {"error": err}


def error_response(
    status: int,
    code: str | None = None,
    message: str | None = None,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    dcode, dmsg = DEFAULT_CODES.get(status, ("error", "Error."))
    return JSONResponse(error_body(code or dcode, message or dmsg, fields), status_code=status, headers=headers)


def not_found() -> ApiError:
    return ApiError(404, "not_found", "Not found.")


# How a route documents the errors it answers with (its ``responses=``, joined with ``|``).
NOT_FOUND: dict[int | str, dict] = {404: {"description": "not_found"}}
FORBIDDEN: dict[int | str, dict] = {403: {"description": "forbidden"}}
IDEMPOTENCY_CONFLICT: dict[int | str, dict] = {409: {"description": "idempotency_conflict"}}


def validation_error(fields: dict[str, str], message: str = "Validation failed.") -> ApiError:
    return ApiError(422, "validation_error", message, fields)


def _loc_to_field(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _path_regex(template: str) -> re.Pattern[str]:
    parts = [("[^/]+" if seg.startswith("{") and seg.endswith("}") else re.escape(seg)) for seg in template.split("/")]
    return re.compile("/".join(parts) + "$")


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the API serves at ``path``, from the OpenAPI document (several routes can share
    a path: GET and PUT /staff/access/{id}/efaktura are two routes, and the framework's 405 names only one)."""
    table = getattr(app.state, "allowed_methods", None)
    if table is None:
        table = app.state.allowed_methods = [
            (_path_regex(template), {m.upper() for m in item})
            for template, item in app.openapi().get("paths", {}).items()
        ]
    return sorted(set().union(*(methods for regex, methods in table if regex.match(path))))


def _is_malformed_body(e: dict) -> bool:
    """Not JSON, or JSON that is not an object: one answer, 400 ``bad_request`` (a missing body is a 422)."""
    return e.get("type") == "json_invalid" or (
        tuple(e.get("loc", ())) == ("body",) and e.get("type") in ("model_attributes_type", "dict_type")
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        # Raised by the framework only (unknown route 404, 405, FastAPI's 400 for an unreadable
        # body): always our own message for the status, never the framework's wording.
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            methods = allowed_methods(request.app, request.url.path)
            if methods:  # (/openapi.json is not in the document: the framework's Allow is right there)
                headers["Allow"] = ", ".join(methods)
        return error_response(exc.status_code, headers=headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("loc", ())[:1] == ("path",) for e in errors):
            # A path id that is not a canonical decimal in 1..2147483647 ("1.0", "+1", "01", "1_0",
            # "abc", "0") names no resource: the same 404 as a missing or another customer's id.
            return error_response(404)
        if any(_is_malformed_body(e) for e in errors):
            return error_response(400)
        fields: dict[str, str] = {}
        for e in errors:
            name = _loc_to_field(e.get("loc", ()))
            fields.setdefault(name, str(e.get("msg", "invalid")))
        if any(
            tuple(e.get("loc", ())) == ("header", IDEMPOTENCY_HEADER) and e.get("type") != "string_too_long"
            for e in errors
        ):  # missing or blank
            return error_response(422, "idempotency_key_required", "Idempotency-Key header is required.", fields)
        return error_response(422, "validation_error", "Validation failed.", fields)

    async def _internal(_request: Request, exc: Exception):
        if database_unavailable(exc):
            # The transaction was not committed: the database rolls it back, nothing is half-written.
            # The engine's pool drops the broken connections and reconnects on a later request.
            log.warning("database unavailable: %s", type(exc).__name__)
            return error_response(
                503,
                "database_unavailable",
                "The database is not available at the moment; try again shortly.",
                headers={"Retry-After": str(DB_RETRY_AFTER_S)},
            )
        log.exception("unhandled error", exc_info=exc)  # pragma: no cover - bugs only
        return error_response(500, "internal_error", "Internal server error.")

    from sqlalchemy.exc import SQLAlchemyError

    # Database errors from the routes: answered here (no traceback re-raised into the server's log).
    # Exception: what the middlewares raise reaches only the outermost layer (Starlette re-raises it
    # after the response, for the server to log).
    for kind in (SQLAlchemyError, ConnectionError, Exception):
        app.add_exception_handler(kind, _internal)


class BodyGuardMiddleware:
    """Pure ASGI middleware: 413 for bodies > limit (Content-Length or streamed), 415 for non-JSON."""

    def __init__(self, app, max_bytes: int = MAX_BODY_BYTES):
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send, status: int) -> None:
        code, msg = DEFAULT_CODES[status]
        body = json.dumps(error_body(code, msg)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {}
        for k, v in scope.get("headers", []):
            headers.setdefault(k.decode("latin-1").lower(), v.decode("latin-1"))
        method = scope.get("method", "GET").upper()

        length_header = headers.get("content-length")
        if length_header is not None:
            try:
                declared = int(length_header)
            except ValueError:
                declared = -1
            if declared > self.max_bytes:
                await self._reject(send, 413)
                return
        else:
            declared = None

        has_body = (declared is not None and declared > 0) or "transfer-encoding" in headers
        if method in ("POST", "PUT", "PATCH") and has_body:
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if not (ctype == "application/json" or (ctype.startswith("application/") and ctype.endswith("+json"))):
                await self._reject(send, 415)
                return

        if not has_body:
            await self.app(scope, receive, send)
            return

        # Buffer the body (at most max_bytes), counting streamed bytes.
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_bytes:
                await self._reject(send, 413)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class NoStoreMiddleware:
    """Pure ASGI middleware: ``Cache-Control: no-store`` on every API response (tokens, personal
    data and errors alike; nothing under /api/ may be kept by a browser, proxy or client cache)."""

    def __init__(self, app, prefix: str = "/api/"):
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = message | {"headers": [*headers, (b"cache-control", b"no-store")]}
            await send(message)

        await self.app(scope, receive, send_no_store)
