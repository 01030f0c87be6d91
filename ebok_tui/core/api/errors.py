"""One exception hierarchy for everything that can go wrong talking to the eBOK server.

Every exception raised by :class:`ebok_tui.core.api.client.EbokClient` is an :class:`ApiError`
(httpx and pydantic exceptions never leak; the original is kept as ``__cause__`` for logs).

No words for residents here: ``err.message_code`` names the sentence (``error.<code>`` in the
catalogues) and ``err.field_problems()`` the fields, and the UI words them
(``ebok_tui.ui.wording``). ``str(err)`` is a short English technical description for logs (never
contains tokens or passwords).

Which class to catch::

    ConnectionFailed     could not connect: server down / refused / DNS / bad address
      ConnectionLost     (a ConnectionFailed) connected, but the connection broke before the
                         whole reply arrived; code ``connection_lost_unconfirmed`` when a change
                         was sent and could not be safely resent, so it may or may not be saved
    RequestTimeout       the server did not send its whole reply in time (per-phase timeout or
                         the client's overall deadline)
    Unauthorized         401 on an authenticated call: session expired  -> go back to login
    InvalidCredentials   login refused (wrong number or password; same for unknown account; a
                         staff login also ``totp_required`` / ``invalid_totp``)
    Forbidden            403: the staff role may not do this, or ``verification_failed``
    RateLimited          429 too many attempts, or 503 server_busy / database_unavailable
                         (``retry_after``: seconds to wait)
    NotFound             404
    ValidationFailed     422 (``.code`` tells which rule; ``.fields`` per-field server texts)
    Conflict             409 (idempotency key reused with a different body)
    ServerError          5xx
    ProtocolError        reply not JSON / not the expected shape / not a PDF / too large
    ApiError             anything else (400, 413, 415, unknown 4xx)

Transport errors raised by the client carry ``server`` (the server's address, without any
user:password part); the UI names it in their messages (``{where}`` in the catalogue: " (address)",
or nothing without a known server), because the server may be on this computer or in the office,
not somewhere "on the internet".
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "ApiError",
    "ConnectionFailed",
    "ConnectionLost",
    "RequestTimeout",
    "Unauthorized",
    "InvalidCredentials",
    "Forbidden",
    "RateLimited",
    "NotFound",
    "ValidationFailed",
    "Conflict",
    "ServerError",
    "ProtocolError",
    "CODES",
    "LOGIN_REFUSALS",
]

#: Every code the client reports (docs/API.md's plus client-side ones). The UI words each from the
#: catalogues (``error.<code>``); a code outside this set is worded by its HTTP status, else as
#: ``unknown_error``.
CODES: frozenset[str] = frozenset(
    {
        # transport / client side
        "connection_failed",
        "connection_lost",
        "connection_lost_unconfirmed",
        "timeout",
        "protocol_error",
        "response_too_large",
        "reply_too_large",
        "not_logged_in",
        # server codes (docs/API.md)
        "bad_request",
        "forbidden",
        "invalid_credentials",
        "unauthorized",
        "not_found",
        "idempotency_conflict",
        "payload_too_large",
        "unsupported_media_type",
        "validation_error",
        "wrong_password",
        "weak_password",
        "invalid_code",
        "reading_below_last",
        "reading_implausible",
        "reading_already_submitted",
        "reading_window_closed",
        "unknown_meter",
        "efaktura_not_active",
        "efaktura_terms_outdated",
        "efaktura_same_address",
        "efaktura_wrong_code",
        "efaktura_code_expired",
        "efaktura_no_request",
        "idempotency_key_required",
        "thread_closed",
        "period_not_closed",
        "nip_required",
        "invalid_nip",
        "nip_not_allowed",
        "customer_changed",
        # staff (docs/API.md "Staff API")
        "totp_required",
        "invalid_totp",
        "verification_failed",
        "access_not_live",
        "rate_limited",
        "server_busy",
        "database_unavailable",
        "internal_error",
        "server_error",
        "unknown_error",
    }
)

#: For codes that concern one field, that field (the code's message is used for it).
_CODE_FIELD: dict[str, str] = {
    "wrong_password": "current_password",
    "weak_password": "new_password",
    "invalid_code": "code",
    "reading_below_last": "value",
    "reading_implausible": "value",
    "reading_already_submitted": "meter_number",
    "unknown_meter": "meter_number",
    "nip_required": "nip",
    "invalid_nip": "nip",
    "nip_not_allowed": "nip",
}

#: The codes a refused login (401) may carry.
LOGIN_REFUSALS: frozenset[str] = frozenset({"invalid_credentials", "totp_required", "invalid_totp"})

_STATUS_DEFAULT_CODE: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "idempotency_conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def _field_key(name: str) -> str:
    # server may report "body.value" / "value" / "query.months" -> "value" / "months"
    return name.rsplit(".", 1)[-1]


class ApiError(Exception):
    """Base class. ``code`` is the API error code (or a client-side code such as
    ``connection_failed``), ``status`` the HTTP status (``None`` for transport errors),
    ``fields`` per-field server messages (English), ``server_message`` the server's English text,
    ``server`` the server's address (set on transport errors; the UI names it in their messages)."""

    default_code = "unknown_error"

    def __init__(
        self,
        code: str | None = None,
        *,
        status: int | None = None,
        fields: Mapping[str, str] | None = None,
        server_message: str | None = None,
        detail: str | None = None,
        server: str | None = None,
    ) -> None:
        self.code: str = code or self.default_code
        self.status: int | None = status
        self.fields: dict[str, str] = dict(fields or {})
        self.server_message: str | None = server_message
        self.detail: str | None = detail
        self.server: str | None = server
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [self.code]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.server:
            parts.append(self.server)
        text = self.server_message or self.detail
        return f"{' / '.join(parts)}: {text}" if text else " / ".join(parts)

    @property
    def message_code(self) -> str:
        """The code whose words the resident should read: this error's own code if it is one of
        :data:`CODES`, else the usual code for its HTTP status, else ``unknown_error``."""
        if self.code in CODES:
            return self.code
        if self.status is not None and self.status in _STATUS_DEFAULT_CODE:
            return _STATUS_DEFAULT_CODE[self.status]
        return self.default_code

    def field_problems(self) -> dict[str, str | None]:
        """Which fields are wrong (plain names: ``"value"``, not ``"body.value"``) and how to word
        each: ``message_code`` for the field this error's code concerns (``weak_password`` ->
        ``new_password``, reading rejections -> ``value``...), ``None`` for a field the server
        merely reported (worded by its name; its server text is in :attr:`fields`)."""
        out: dict[str, str | None] = {}
        own_field = _CODE_FIELD.get(self.code)
        for name in self.fields:
            key = _field_key(name)
            out[key] = self.message_code if own_field == key else None
        if own_field and own_field not in out:
            out[own_field] = self.message_code
        return out

    def field_text(self, field: str) -> str | None:
        """The server's own (English) text for ``field`` (a plain name), if it sent one."""
        return next((text for name, text in self.fields.items() if _field_key(name) == field), None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, fields={self.fields!r})"


class ConnectionFailed(ApiError):
    """Could not connect: server down, connection refused, DNS failure, invalid address.
    Catching it also catches :class:`ConnectionLost`."""

    default_code = "connection_failed"


class ConnectionLost(ConnectionFailed):
    """Connected and sent the request, but the connection broke (closed or reset by the peer or
    the network) before the whole reply arrived. ``code`` is ``connection_lost``, or
    ``connection_lost_unconfirmed`` when a change was sent that the client may not resend (it may
    or may not have been saved)."""

    default_code = "connection_lost"


class RequestTimeout(ApiError):
    """The server did not send its whole reply in time: an httpx per-phase timeout, or the
    client's overall deadline for the call (which also bounds a server that drips its reply)."""

    default_code = "timeout"


class Unauthorized(ApiError):
    """401 on an authenticated call (or no token at all): the UI should return to login."""

    default_code = "unauthorized"


class InvalidCredentials(ApiError):
    """Login refused. Identical for an unknown account and a wrong password."""

    default_code = "invalid_credentials"


class RateLimited(ApiError):
    """429 (``rate_limited``) or 503 ``server_busy`` / ``database_unavailable``: try again later. ``retry_after`` seconds when
    the server sent a Retry-After header (the UI then says how long to wait)."""

    default_code = "rate_limited"

    def __init__(self, code: str | None = None, *, retry_after: int | None = None, **kw) -> None:
        self.retry_after = retry_after
        super().__init__(code, **kw)


class Forbidden(ApiError):
    """403: the staff member's role does not allow it (``forbidden``), or the caller on the phone
    did not pass verification (``verification_failed``)."""

    default_code = "forbidden"


class NotFound(ApiError):
    default_code = "not_found"


class ValidationFailed(ApiError):
    """422: the request broke a rule; ``code`` says which (``validation_error``, ``weak_password``,
    ``reading_below_last``...), ``field_problems()`` says which fields."""

    default_code = "validation_error"


class Conflict(ApiError):
    default_code = "idempotency_conflict"


class ServerError(ApiError):
    """5xx."""

    default_code = "server_error"

    @property
    def message_code(self) -> str:
        return "internal_error" if self.code == "internal_error" else "server_error"


class ProtocolError(ApiError):
    """The reply was not what the contract promises (not JSON, wrong shape, not a PDF...), or was
    larger than the client accepts (code ``reply_too_large`` for data, ``response_too_large`` for
    a PDF file)."""

    default_code = "protocol_error"
