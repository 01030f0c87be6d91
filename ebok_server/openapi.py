"""The OpenAPI document, made to tell the truth about the server.

FastAPI's generated document misses what our middleware, dependencies and handlers do. This adds:
every error reply documented with the one error schema (``ErrorOut``; FastAPI's own
``HTTPValidationError`` is removed), and each status where it can occur: 400/413/415/422 on every
operation with a JSON body (malformed body, over 1 MiB, not JSON, validation), 401 on every
authenticated operation (they carry the ``bearer`` security scheme, from ``deps.BEARER``), 404 on
every operation with a path id, 422 on every operation with parameters, 429 and 503 on every
/auth/ operation (throttling, bounded hashing), 503 ``database_unavailable`` on every operation
that uses the database (``errors.database_unavailable``). A route's own ``responses=`` descriptions
(its error codes) are kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .errors import DEFAULT_CODES
from .schemas import ErrorDetail, ErrorOut

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
METHODS = ("get", "put", "post", "delete", "patch")
NO_DATABASE = ("/health", "/demo/mail")  # path endings of the operations that never query the database
DB_UNAVAILABLE = "`database_unavailable`: the database cannot be reached or cannot write; `Retry-After: 2`"


def _statuses(path: str, op: dict[str, Any]) -> set[int]:
    statuses: set[int] = set()
    if "requestBody" in op:
        statuses |= {400, 413, 415, 422}
    params = op.get("parameters", [])
    if params:
        statuses.add(422)
    if any(p.get("in") == "path" for p in params):
        statuses.add(404)
    if op.get("security"):
        statuses.add(401)
    if "/auth/" in path:
        statuses |= {429, 503}  # throttling; too many /auth/ requests or password checks at once
    if not path.endswith(NO_DATABASE):
        statuses.add(503)  # the database is down, restarting or full
    return statuses


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["ErrorDetail"] = ErrorDetail.model_json_schema()
    schemas["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas["ErrorOut"].pop("$defs", None)
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            responses = op.setdefault("responses", {})
            for status in sorted(_statuses(path, op) | {int(s) for s in responses if s.isdigit() and int(s) >= 400}):
                entry = responses.setdefault(str(status), {})
                code, message = DEFAULT_CODES.get(status, ("error", "Error."))
                own = entry.get("description")
                if not own or own in ("Validation Error", "Unprocessable Content"):
                    own = f"`{code}`: {message}"
                    if status == 503:
                        own = f"{own} Or {DB_UNAVAILABLE}" if "/auth/" in path else DB_UNAVAILABLE
                entry["description"] = own
                entry["content"] = {"application/json": {"schema": ERROR_REF}}
            op["responses"] = dict(sorted(responses.items()))
    app.openapi_schema = doc
    return doc
