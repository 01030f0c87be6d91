"""Async HTTP client of the eBOK API v1 (docs/API.md).

Usage::

    async with EbokClient("http://127.0.0.1:8000", lang="pl") as api:
        await api.login("10001", "secret")
        balance = await api.balance()

Every failure is an :class:`~ebok_tui.core.api.errors.ApiError` subclass; see ``errors.py``.

Limits on every call:

* **Overall deadline.** The whole call (connect, send, headers, body, and a retry with its pause)
  must finish within ``deadline`` seconds (``pdf_deadline`` for an invoice PDF), else
  :class:`~ebok_tui.core.api.errors.RequestTimeout`. httpx's own timeouts are per phase and the read
  timeout restarts with every chunk, so alone they let a server that drips one byte every few
  seconds keep a call pending forever.
* **Size cap.** Replies are streamed and refused (``ProtocolError``, code ``reply_too_large``;
  ``response_too_large`` for a PDF) as soon as they exceed ``max_reply_bytes``
  (``max_bytes`` for a PDF), or at once when Content-Length announces more. Error replies are
  read up to 64 KiB and cut there. The client asks for uncompressed replies (a compressed reply
  could expand far beyond its size on the wire) and refuses a compressed one it did not ask for.

Retries (at most one, with the same request, within the deadline):

* GET: after "could not connect" (connect error or connect timeout) and after "connection lost"
  (the peer closed or reset the connection before the whole reply arrived, e.g. after it had
  already processed the request), because reading twice is harmless. Not after a read timeout.
* POST with an ``Idempotency-Key``: after could not connect, connection lost, or a timeout, with
  the same key, so the server answers a resend with the first result.
* Anything else (other POSTs, PUT, DELETE): never. A connection lost there is reported as
  ``ConnectionLost`` with code ``connection_lost_unconfirmed`` (the change may have been saved).

Start-up cost: importing this module imports neither httpx nor pydantic (nor the reply models).
httpx is imported by the first request, pydantic and the models by the first reply validated
with a model, each in a worker thread so that an event loop (the TUI's first frame, the
resident's first keys) is not held up while they load; a model's validator is built when that
model is first used (``defer_build``, see ``models``). :meth:`EbokClient.ping` (the app's
background health check) needs no model, so an app idling on its login screen never loads them.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import importlib
import json
import logging
import sys
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import quote

from . import errors as E

if TYPE_CHECKING:
    import httpx
    import pydantic

    from .models import (
        Accepted,
        Balance,
        Contract,
        DataAccess,
        DemoInfo,
        DemoMailbox,
        EFaktura,
        EFakturaTerms,
        Health,
        InvoiceDetail,
        InvoicePage,
        LoginResult,
        Me,
        Notices,
        Tariff,
        NotificationPreferences,
        Message,
        ObjectId,
        PaymentPage,
        Reading,
        ReadingsInfo,
        ServicePoint,
        ThreadDetail,
        ThreadPage,
        WaterQuality,
        Yearly,
        Household,
    )

__all__ = [
    "ApiClient",
    "EbokClient",
    "DEFAULT_TIMEOUT",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_DEADLINE",
    "PDF_DEADLINE",
    "API_PREFIX",
    "REPLY_MAX_BYTES",
    "PDF_MAX_BYTES",
]

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
#: httpx's per-phase timeouts in seconds: each read/write/pool wait, and connecting.
DEFAULT_TIMEOUT = 10.0
DEFAULT_CONNECT_TIMEOUT = 5.0
#: Overall deadline in seconds for one call, retry included (a JSON reply).
DEFAULT_DEADLINE = 20.0
#: Overall deadline in seconds for an invoice PDF (bigger, still bounded).
PDF_DEADLINE = 60.0
#: Largest JSON reply accepted (the biggest real one, a long correspondence thread, is far smaller).
REPLY_MAX_BYTES = 4 * 1024 * 1024
#: Largest invoice PDF accepted.
PDF_MAX_BYTES = 20 * 1024 * 1024
_ERROR_BODY_MAX = 64 * 1024
_CLIENT_VERSION = "0.1.0"

M = TypeVar("M", bound="pydantic.BaseModel")
C = TypeVar("C", bound="ApiClient")

_MODELS = "ebok_tui.core.api.models"


def _model(name: str) -> Any:
    """The reply model ``name`` of ``models`` (imported by the first request)."""
    from . import models

    return getattr(models, name)


def _api_base(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.endswith(API_PREFIX):
        url += API_PREFIX
    return url + "/"


def _format_value(value: Decimal | int | str) -> str:
    """Meter value as the API wants it: a decimal string with 3 decimals (``"130.500"``).

    Values with more than 3 decimals are sent unchanged so the server rejects them instead of
    the client silently rounding what the resident typed."""
    if isinstance(value, bool):
        raise TypeError("meter value must be a Decimal")
    if isinstance(value, float):
        value = Decimal(repr(value))
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return str(value)
    if not d.is_finite():
        return str(value)
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -3:
        return f"{d.quantize(Decimal('0.001')):f}"
    return f"{d:f}"


class ApiClient:
    """What every eBOK API client shares: the transport, the deadlines and size caps, the retry
    policy, the error hierarchy and the bearer token. :class:`EbokClient` (residents) and
    :class:`~ebok_tui.core.api.staff.StaffClient` (staff) add their endpoints.

    ``lang`` ("pl"/"en") is sent as ``Accept-Language`` and may be changed at any time.
    ``timeout`` is httpx's per-phase timeout; ``deadline`` / ``pdf_deadline`` bound a whole call
    (seconds), ``max_reply_bytes`` the size of a JSON reply (see the module docstring).
    ``transport`` lets tests inject an ``httpx.MockTransport`` or similar. A client made with
    :meth:`sharing` uses another client's connections (and closes none of them)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: httpx.Timeout | float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        lang: str = "pl",
        retry_delay: float = 0.2,
        deadline: float = DEFAULT_DEADLINE,
        pdf_deadline: float = PDF_DEADLINE,
        max_reply_bytes: int = REPLY_MAX_BYTES,
        _shared: ApiClient | None = None,
    ) -> None:
        if deadline <= 0 or pdf_deadline <= 0 or max_reply_bytes <= 0:
            raise ValueError("deadline, pdf_deadline and max_reply_bytes must be positive")
        self._base_url = base_url.strip().rstrip("/")
        self.lang = lang
        self.retry_delay = retry_delay
        self.deadline = deadline
        self.pdf_deadline = pdf_deadline
        self.max_reply_bytes = max_reply_bytes
        self._token: str | None = None
        self._timeout = timeout
        self._transport = transport
        self._server: str | None = None
        #: the client whose connections (and address) this one uses (:meth:`sharing`), or None
        self._source = _shared
        # the httpx client, made by the first request (httpx is imported then, off the event loop)
        self._http: httpx.AsyncClient | None = None
        self._http_ready: asyncio.Lock | None = None
        self._closed = False
        # set while the server's address is not known yet (see ``awaiting_address``)
        self._address_known: asyncio.Event | None = None
        self._address_problem: str | None = None

    @classmethod
    def awaiting_address(cls, **kwargs: Any) -> Self:
        """A client of a server that is still starting (``ebok-tui --demo``): ``base_url`` is a
        placeholder and every request waits until :meth:`set_address` gives the real one (or
        fails with :class:`ConnectionFailed` once :meth:`address_failed` says it never will)."""
        client = cls("http://127.0.0.1", **kwargs)
        client._address_known = asyncio.Event()
        return client

    @property
    def address_known(self) -> bool:
        return self._address_known is None or (self._address_known.is_set() and self._address_problem is None)

    def set_address(self, base_url: str) -> None:
        """The server of an :meth:`awaiting_address` client is up at ``base_url``: waiting requests go there."""
        if self._address_known is None or self._http is not None:
            raise RuntimeError("the address of this client is already known")
        self.base_url = base_url.strip().rstrip("/")
        self._server = None
        self._address_known.set()

    def address_failed(self, detail: str) -> None:
        """The server of an :meth:`awaiting_address` client will not come: waiting and later
        requests fail with :class:`ConnectionFailed` (``detail`` says why, technically)."""
        if self._address_known is None:
            raise RuntimeError("the address of this client is already known")
        self._address_problem = detail
        self._address_known.set()

    @property
    def base_url(self) -> str:
        """The server's address (a shared client's is its source's: a demo server's becomes known
        after the clients are made)."""
        return self._source.base_url if self._source is not None else self._base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._base_url = value

    @property
    def server(self) -> str:
        """The server's address as residents should see it in messages (see ``_display_address``)."""
        if self._source is not None:
            return self._source.server
        if self._server is None:
            self._server = _display_address(self.base_url)
        return self._server

    async def _client(self) -> httpx.AsyncClient:
        """The httpx client, made on first use. The first call imports httpx in a worker thread
        (a hundred milliseconds and more that the event loop keeps for the UI). A client made with
        :meth:`sharing` uses its source's (made by whichever asks first)."""
        if self._source is not None:
            return await self._source._client()
        if self._http is not None:
            return self._http
        if self._address_known is not None:
            await self._address_known.wait()
            if self._address_problem is not None:
                raise E.ConnectionFailed(detail=self._address_problem, server=self.server)
        if self._closed:
            raise RuntimeError("the client has been closed")
        if self._http_ready is None:
            self._http_ready = asyncio.Lock()
        async with self._http_ready:
            if self._http is None:
                if "httpx" not in sys.modules:
                    await asyncio.to_thread(importlib.import_module, "httpx")
                self._http = self._make_http()
        return self._http

    def _make_http(self) -> httpx.AsyncClient:
        import httpx

        timeout = self._timeout
        if timeout is None:
            timeout = httpx.Timeout(DEFAULT_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
        return httpx.AsyncClient(
            base_url=_api_base(self.base_url),
            timeout=timeout,
            transport=self._transport,
            follow_redirects=False,
            headers={
                "Accept": "application/json",
                "Accept-Encoding": "identity",
                "User-Agent": f"ebok-tui/{_CLIENT_VERSION}",
            },
        )

    @classmethod
    def sharing(cls: type[C], other: ApiClient, **kwargs: Any) -> C:
        """A client of this kind on ``other``'s connections, server, language, deadlines and limits
        (its own token). ``other`` owns the connections: closing this client closes nothing."""
        return cls(**cls.shared_settings(other), **kwargs)

    @staticmethod
    def shared_settings(other: ApiClient) -> dict[str, Any]:
        """The constructor's arguments for a client on ``other``'s connections, server, language,
        deadlines and limits (:meth:`sharing`; a subclass's own constructor passes them on)."""
        return {
            "base_url": other.base_url,
            "lang": other.lang,
            "retry_delay": other.retry_delay,
            "deadline": other.deadline,
            "pdf_deadline": other.pdf_deadline,
            "max_reply_bytes": other.max_reply_bytes,
            "_shared": other,
        }

    # --- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self: C) -> C:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        if self._source is None and self._http is not None:
            await self._http.aclose()

    @property
    def is_closed(self) -> bool:
        return self._closed

    # --- session state ----------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        return self._token

    def clear_session(self) -> None:
        """Forget the token locally (no request)."""
        self._token = None

    async def _revoke(self, path: str) -> None:
        """Revoke the token server-side with ``POST path``. The local token is cleared even if the
        call fails (a transport error is still raised, the UI may ignore it; an already expired
        session, 401, counts as logged out)."""
        if self._token is None:
            return
        try:
            await self._call("POST", path, None)
        except E.Unauthorized:
            pass
        finally:
            self.clear_session()

    # --- plumbing ---------------------------------------------------------------------------

    def _headers(self, auth: bool, idempotency_key: str | None) -> dict[str, str]:
        headers = {"Accept-Language": self.lang}
        if auth:
            if self._token is None:
                raise E.Unauthorized("not_logged_in", detail="not logged in")
            headers["Authorization"] = f"Bearer {self._token}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    @staticmethod
    def _may_retry(method: str, idempotency_key: str | None, exc: httpx.HTTPError) -> bool:
        import httpx

        if method == "GET":
            return _could_not_connect(exc) or _connection_lost(exc)
        if method == "POST" and idempotency_key is not None:
            return _could_not_connect(exc) or _connection_lost(exc) or isinstance(exc, httpx.TimeoutException)
        return False

    def _transport_error(self, exc: Exception, *, unconfirmed: bool) -> E.ApiError:
        """The ApiError for an httpx failure. ``unconfirmed``: the request was a change that may
        not be sent again (not a GET, no Idempotency-Key), so a lost connection leaves unknown
        whether it was saved and is reported as ``connection_lost_unconfirmed``."""
        import httpx

        detail = f"{type(exc).__name__}: {exc}"
        kw: dict[str, Any] = {"detail": detail, "server": self.server}
        if _could_not_connect(exc):
            return E.ConnectionFailed(**kw)
        if _connection_lost(exc):
            return E.ConnectionLost("connection_lost_unconfirmed" if unconfirmed else None, **kw)
        if isinstance(exc, httpx.TimeoutException):
            return E.RequestTimeout(**kw)
        if isinstance(exc, (httpx.NetworkError, httpx.ProxyError, httpx.UnsupportedProtocol, httpx.InvalidURL)):
            return E.ConnectionFailed(**kw)
        if isinstance(
            exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError, httpx.DecodingError, httpx.TooManyRedirects)
        ):
            return E.ProtocolError(**kw)
        return E.ConnectionFailed(**kw)

    async def _exchange(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        deadline: float,
        max_bytes: int,
        too_large: str = "reply_too_large",
        content_type: str | None = None,
        changes_data: bool = True,
    ) -> tuple[httpx.Response, bytes]:
        """One call: send (and resend, per the retry policy) and read the whole reply, all within
        ``deadline`` seconds. Returns the (closed) response and its body: a success body of at most
        ``max_bytes`` (else ProtocolError ``too_large``), an error body cut at 64 KiB. With
        ``content_type``, a success reply of another type is refused before its body is read.
        Every failure is raised as an ApiError. ``changes_data=False`` (login): a connection lost
        on this write is reported as plainly lost, without the "was it saved?" warning."""
        headers = self._headers(auth, idempotency_key)
        clean_params = {k: v for k, v in (params or {}).items() if v is not None} or None
        unconfirmed = changes_data and method != "GET" and not (method == "POST" and idempotency_key is not None)
        timer = asyncio.timeout(deadline)
        # outside the deadline: loading the HTTP stack, or a server still starting, is not its answer
        http = await self._client()
        import httpx

        try:
            async with timer:
                attempt = 0
                while True:
                    attempt += 1
                    try:
                        request = http.build_request(method, path, json=json_body, params=clean_params, headers=headers)
                        resp = await http.send(request, stream=True)
                        try:
                            body = await self._read_reply(resp, max_bytes, too_large, content_type)
                        finally:
                            await resp.aclose()
                        return resp, body
                    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
                        if (
                            attempt == 1
                            and isinstance(exc, httpx.HTTPError)
                            and self._may_retry(method, idempotency_key, exc)
                        ):
                            log.info("retrying %s %s after %s", method, path, type(exc).__name__)
                            if self.retry_delay:
                                await asyncio.sleep(self.retry_delay)
                            continue
                        raise self._transport_error(exc, unconfirmed=unconfirmed) from exc
        except TimeoutError as exc:
            detail = (
                f"no complete reply within the {deadline:g} s deadline"
                if timer.expired()
                else f"{type(exc).__name__}: {exc}"
            )
            log.info("%s %s: %s", method, path, detail)
            raise E.RequestTimeout(detail=detail, server=self.server) from exc

    async def _read_reply(
        self, resp: httpx.Response, max_bytes: int, too_large: str, content_type: str | None
    ) -> bytes:
        if resp.is_success:
            if content_type is not None:
                ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if ctype != content_type:
                    raise E.ProtocolError(
                        status=resp.status_code, detail=f"expected {content_type}, got {ctype!r}", server=self.server
                    )
            limit, truncate = max_bytes, False
        else:
            limit, truncate = _ERROR_BODY_MAX, True
        encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            # asked for identity: a compressed body could expand without bound as it is decoded
            raise E.ProtocolError(
                status=resp.status_code, detail=f"unrequested Content-Encoding {encoding!r}", server=self.server
            )
        length = resp.headers.get("Content-Length", "")
        if not truncate and length.isdigit() and int(length) > limit:
            raise E.ProtocolError(
                too_large,
                status=resp.status_code,
                detail=f"Content-Length {length} > {limit} bytes",
                server=self.server,
            )
        buf = bytearray()
        async for chunk in resp.aiter_bytes():  # identity: no decoding, the bytes as they arrive
            if len(buf) + len(chunk) > limit:
                if truncate:
                    buf += chunk[: limit - len(buf)]
                    break
                raise E.ProtocolError(
                    too_large, status=resp.status_code, detail=f"more than {limit} bytes", server=self.server
                )
            buf += chunk
        return bytes(buf)

    def _error_from_response(self, resp: httpx.Response, body: bytes, *, login: bool) -> E.ApiError:
        status = resp.status_code
        code: str | None = None
        message: str | None = None
        fields: dict[str, str] = {}
        try:
            data = json.loads(body) if body else None
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            err = data["error"]
            if isinstance(err.get("code"), str):
                code = err["code"]
            if isinstance(err.get("message"), str):
                message = err["message"]
            if isinstance(err.get("fields"), dict):
                fields = {str(k): str(v) for k, v in err["fields"].items()}
        kw: dict[str, Any] = {"status": status, "fields": fields, "server_message": message}
        if status == 401:
            if login or code == "invalid_credentials":
                # a staff login also says why: totp_required / invalid_totp
                return E.InvalidCredentials(code if code in E.LOGIN_REFUSALS else None, **kw)
            self.clear_session()
            return E.Unauthorized(code, **kw)
        if status == 403:
            return E.Forbidden(code, **kw)
        if status == 404:
            return E.NotFound(code, **kw)
        if status == 409:
            return E.Conflict(code, **kw)
        if status == 422:
            return E.ValidationFailed(code, **kw)
        if status == 429 or (status == 503 and code in ("server_busy", "database_unavailable")):
            retry_after = resp.headers.get("Retry-After")
            return E.RateLimited(
                code, retry_after=int(retry_after) if retry_after and retry_after.isdigit() else None, **kw
            )
        if status >= 500:
            return E.ServerError(code, **kw)
        if 300 <= status < 400:
            return E.ProtocolError(code, **kw, detail=f"unexpected redirect ({status})")
        return E.ApiError(code or E._STATUS_DEFAULT_CODE.get(status, "unknown_error"), **kw)

    async def _call(
        self,
        method: str,
        path: str,
        model: type[M] | str | Any | None,
        *,
        auth: bool = True,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        login: bool = False,
    ) -> Any:
        resp, body = await self._exchange(
            method,
            path,
            auth=auth,
            json_body=json_body,
            params=params,
            idempotency_key=idempotency_key,
            deadline=self.deadline,
            max_bytes=self.max_reply_bytes,
            changes_data=not login,
        )
        if not resp.is_success:
            raise self._error_from_response(resp, body, login=login)
        if model is None:
            return None
        if _MODELS not in sys.modules:  # the first reply with a model: load pydantic off the loop
            await asyncio.to_thread(importlib.import_module, _MODELS)
        import pydantic

        target = _model(model) if isinstance(model, str) else model
        adapter = target if isinstance(target, pydantic.TypeAdapter) else None
        try:
            if adapter is not None:
                return adapter.validate_json(body, strict=True)
            return target.model_validate_json(body, strict=True)
        except pydantic.ValidationError as exc:
            # keep only the error summary (never the reply body: it may contain personal data)
            summary = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['type']}" for e in exc.errors()[:5])
            log.warning("unexpected reply to %s %s: %s", method, path, summary)
            raise E.ProtocolError(status=resp.status_code, detail=f"invalid reply: {summary}") from None

    async def health(self) -> Health:
        return await self._call("GET", "health", "Health", auth=False)

    async def ping(self) -> _dt.date:
        """``GET /health`` read without the reply models: the server's business date. For a
        check that runs while nothing else needs pydantic (the app's background health check);
        a reply that is not a health reply is a :class:`ProtocolError`, as with :meth:`health`."""
        resp, body = await self._exchange(
            "GET", "health", auth=False, deadline=self.deadline, max_bytes=self.max_reply_bytes
        )
        if not resp.is_success:
            raise self._error_from_response(resp, body, login=False)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("status"), str):
                raise ValueError("no status")
            today = data.get("today")
            if not isinstance(today, str):
                raise ValueError("no today")
            return _dt.date.fromisoformat(today)
        except ValueError as exc:
            raise E.ProtocolError(status=resp.status_code, detail=f"invalid reply: health: {exc}") from None

    async def demo_info(self) -> DemoInfo:
        """Demo accounts (only on a server started with ``--seed-demo``; else :class:`NotFound`)."""
        return await self._call("GET", "demo-info", "DemoInfo", auth=False)


class EbokClient(ApiClient):
    """The resident's client: logs in with a customer number and holds that session's token."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self._customer_number: str | None = None

    @property
    def customer_number(self) -> str | None:
        """Customer number of the current session (``None`` when logged out)."""
        return self._customer_number

    def clear_session(self) -> None:
        """Forget the token locally (no request)."""
        super().clear_session()
        self._customer_number = None

    # --- public endpoints -------------------------------------------------------------------

    async def demo_mail(self) -> DemoMailbox:
        """The mail a demo server "sent", newest first (only on a demo server; else :class:`NotFound`)."""
        return await self._call("GET", "demo/mail", "DemoMailbox", auth=False)

    # --- auth -------------------------------------------------------------------------------

    async def login(self, customer_number: str, password: str) -> LoginResult:
        """Log in and keep the token. Raises InvalidCredentials / RateLimited / ValidationFailed."""
        result: LoginResult = await self._call(
            "POST",
            "auth/login",
            "LoginResult",
            auth=False,
            json_body={"customer_number": customer_number, "password": password},
            login=True,
        )
        self._token = result.token
        self._customer_number = result.customer_number
        return result

    async def logout(self) -> None:
        """Revoke the session's token (see ``_revoke``)."""
        await self._revoke("auth/logout")

    async def change_password(self, current: str, new: str) -> None:
        """Raises ValidationFailed with code ``wrong_password`` / ``weak_password``."""
        await self._call("POST", "auth/password", None, json_body={"current_password": current, "new_password": new})

    async def register(self, contract_number: str, meter_number: str, invoice_gross: int) -> Accepted:
        """Ask for first-time access: contract number, a meter on it and the gross amount (grosze) of
        one of the last three invoices. Always 202: the access code goes to the e-mail address the
        utility has on file, or by post."""
        return await self._call(
            "POST",
            "auth/register",
            "Accepted",
            auth=False,
            json_body={
                "contract_number": contract_number,
                "meter_number": meter_number,
                "invoice_gross": invoice_gross,
            },
        )

    async def confirm_registration(self, customer_number: str, code: str, new_password: str) -> None:
        """Set the first password with the access code. ValidationFailed ``invalid_code`` /
        ``weak_password``; RateLimited."""
        await self._set_password_with_code("auth/register/confirm", customer_number, code, new_password)

    async def reset_password(self, customer_number: str, email: str) -> Accepted:
        """Ask for a password-reset code (mailed to the address on file when ``email`` matches it).
        Changes nothing by itself; always 202."""
        return await self._call(
            "POST",
            "auth/password-reset",
            "Accepted",
            auth=False,
            json_body={"customer_number": customer_number, "email": email},
        )

    async def confirm_password_reset(self, customer_number: str, code: str, new_password: str) -> None:
        """Set a new password with the reset code (every session is then signed out).
        ValidationFailed ``invalid_code`` / ``weak_password``; RateLimited."""
        await self._set_password_with_code("auth/password-reset/confirm", customer_number, code, new_password)

    async def _set_password_with_code(self, path: str, customer_number: str, code: str, new_password: str) -> None:
        body = {"customer_number": customer_number, "code": code, "new_password": new_password}
        await self._call("POST", path, None, auth=False, json_body=body)

    # --- account ----------------------------------------------------------------------------

    async def me(self) -> Me:
        return await self._call("GET", "me", "Me")

    async def balance(self) -> Balance:
        return await self._call("GET", "balance", "Balance")

    async def service_points(self) -> list[ServicePoint]:
        """The customer's service points, code order (at least one)."""
        return await self._call("GET", "service-points", "SERVICE_POINTS")

    async def notification_preferences(self) -> NotificationPreferences:
        """Which events also come by e-mail (see :class:`NotificationPreferences`)."""
        return await self._call("GET", "notification-preferences", "NotificationPreferences")

    async def set_notification_preferences(
        self, *, reply: bool, invoice: bool, notice: bool, reading_window: bool, legalisation: bool
    ) -> NotificationPreferences:
        """Store the choice for every kind (the server wants all of them)."""
        return await self._call(
            "PUT",
            "notification-preferences",
            "NotificationPreferences",
            json_body={
                "reply": reply,
                "invoice": invoice,
                "notice": notice,
                "reading_window": reading_window,
                "legalisation": legalisation,
            },
        )

    async def data_access(self) -> DataAccess:
        """Who viewed my data: dates and purposes of staff access to the customer's data."""
        return await self._call("GET", "account/data-access", "DataAccess")

    # --- invoices and payments --------------------------------------------------------------

    async def invoices(
        self,
        year: int | None = None,
        status: str | None = None,
        offset: int = 0,
        limit: int = 50,
        service_point: str | None = None,
    ) -> InvoicePage:
        """A page of invoices; ``status`` is one of ``INVOICE_FILTERS`` (``"to_pay"``: all not fully
        paid); ``service_point``: only that point's (its code)."""
        params = {"year": year, "status": status, "offset": offset, "limit": limit, "service_point": service_point}
        return await self._call("GET", "invoices", "InvoicePage", params=params)

    async def invoice(self, id: ObjectId) -> InvoiceDetail:
        return await self._call("GET", f"invoices/{_seg(id)}", "InvoiceDetail")

    async def invoice_pdf(self, id: ObjectId, *, max_bytes: int = PDF_MAX_BYTES) -> bytes:
        """The invoice PDF as bytes (streamed, at most ``max_bytes``, else ProtocolError
        ``response_too_large``; within the client's ``pdf_deadline``)."""
        return await self._download(f"invoices/{_seg(id)}/pdf", "application/pdf", max_bytes)

    async def payments(self, offset: int = 0, limit: int = 50) -> PaymentPage:
        return await self._call("GET", "payments", "PaymentPage", params={"offset": offset, "limit": limit})

    # --- readings ---------------------------------------------------------------------------

    async def readings(self, months: int = 24, service_point: str | None = None) -> ReadingsInfo:
        """Readings and meters; ``service_point``: only that point's meters (its code)."""
        params = {"months": months, "service_point": service_point}
        return await self._call("GET", "readings", "ReadingsInfo", params=params)

    async def submit_reading(self, meter_number: str, value: Decimal) -> Reading:
        """Submit a self-reading dated today. Rejections are ValidationFailed with code
        ``unknown_meter`` / ``reading_below_last`` / ``reading_implausible`` /
        ``reading_already_submitted`` / ``validation_error``."""
        return await self._call(
            "POST",
            "readings",
            "Reading",
            json_body={"meter_number": meter_number, "value": _format_value(value)},
        )

    async def correct_reading(self, id: ObjectId, value: Decimal) -> Reading:
        """Correct this period's self-reading ``id`` (same checks as a new one). Rejections are
        ValidationFailed with code ``reading_window_closed`` (period billed, older or not a
        self-reading) / ``reading_below_last`` / ``reading_implausible`` / ``validation_error``."""
        return await self._call("PUT", f"readings/{_seg(id)}", "Reading", json_body={"value": _format_value(value)})

    # --- contract / e-FAKTURA ---------------------------------------------------------------

    async def contract(self, service_point: str | None = None) -> Contract:
        """The contract of the point ``service_point`` (its code); without one, the first point's."""
        return await self._call("GET", "contract", "Contract", params={"service_point": service_point})

    async def tariff(self) -> Tariff:
        """The tariff in force for my service points' tariff groups, and the changes decided."""
        return await self._call("GET", "tariff", "Tariff")

    async def efaktura(self) -> EFaktura:
        return await self._call("GET", "efaktura", "EFaktura")

    async def efaktura_terms(self) -> EFakturaTerms:
        """The e-FAKTURA terms in force, in Polish and English (public)."""
        return await self._call("GET", "efaktura/terms", "EFakturaTerms", auth=False)

    async def efaktura_request(self, email: str, terms_version: str) -> EFaktura:
        """Ask for e-FAKTURA at ``email`` (or to move it there), accepting the terms
        ``terms_version``: the server mails a 6-digit code to that address and nothing else changes
        until it is confirmed. ValidationFailed ``efaktura_terms_outdated`` /
        ``efaktura_same_address`` / ``validation_error``; RateLimited past the hourly limit."""
        return await self._call(
            "POST", "efaktura/request", "EFaktura", json_body={"email": email, "terms_version": terms_version}
        )

    async def efaktura_confirm(self, code: str) -> EFaktura:
        """Confirm the pending request with the mailed code. ValidationFailed
        ``efaktura_wrong_code`` / ``efaktura_code_expired`` / ``efaktura_no_request``."""
        return await self._call("POST", "efaktura/confirm", "EFaktura", json_body={"code": code})

    async def efaktura_withdraw(self) -> EFaktura:
        """Raises ValidationFailed ``efaktura_not_active`` when it was not active."""
        return await self._call("POST", "efaktura/withdraw", "EFaktura")

    # --- notices ----------------------------------------------------------------------------

    async def notices(self) -> Notices:
        """Failures and planned interruptions not yet ended at my supply addresses (those in force
        first) and the emergency number."""
        return await self._call("GET", "notices", "Notices")

    # --- water quality and the yearly statement ---------------------------------------------

    async def water_quality(self) -> WaterQuality:
        return await self._call("GET", "water-quality", "WaterQuality")

    async def yearly(self, year: int) -> Yearly:
        return await self._call("GET", f"yearly/{_seg(year)}", "Yearly")

    async def set_household(self, size: int | None) -> Household:
        """Persons in the household (1..20), or None for the server's default."""
        return await self._call("PUT", "household", "Household", json_body={"household_size": size})

    async def yearly_pdf(self, year: int, *, max_bytes: int = PDF_MAX_BYTES) -> bytes:
        """The yearly statement PDF (as ``invoice_pdf``)."""
        return await self._download(f"yearly/{_seg(year)}/pdf", "application/pdf", max_bytes)

    async def export_csv(
        self, kind: str, date_from: _dt.date, date_to: _dt.date, *, max_bytes: int = PDF_MAX_BYTES
    ) -> bytes:
        """Invoices, payments or readings (``EXPORT_KINDS``) of the period as CSV bytes, made by the
        server (formula-looking cells neutralised there)."""
        if kind not in ("invoices", "payments", "readings"):  # models.EXPORT_KINDS (not imported: start-up)
            raise ValueError(f"unknown export {kind!r}")
        params = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
        return await self._download(f"export/{kind}.csv", "text/csv", max_bytes, params=params)

    async def _download(
        self, path: str, content_type: str, max_bytes: int, params: Mapping[str, Any] | None = None
    ) -> bytes:
        resp, data = await self._exchange(
            "GET",
            path,
            params=params,
            deadline=self.pdf_deadline,
            max_bytes=max_bytes,
            too_large="response_too_large",
            content_type=content_type,
        )
        if not resp.is_success:
            raise self._error_from_response(resp, data, login=False)
        if content_type == "application/pdf" and not data.startswith(b"%PDF-"):
            raise E.ProtocolError(status=resp.status_code, detail="body is not a PDF document")
        return data

    # --- correspondence ---------------------------------------------------------------------

    async def threads(self, offset: int = 0, limit: int = 50) -> ThreadPage:
        return await self._call("GET", "correspondence", "ThreadPage", params={"offset": offset, "limit": limit})

    async def thread(self, id: ObjectId) -> ThreadDetail:
        return await self._call("GET", f"correspondence/{_seg(id)}", "ThreadDetail")

    async def create_thread(
        self,
        kind: str,
        subject: str,
        body: str,
        contact_phone: str | None = None,
        location: str | None = None,
        *,
        idempotency_key: str,
    ) -> ThreadDetail:
        """Open a new thread. ``idempotency_key`` (use the draft's uuid) makes a resend after a
        lost reply return the same thread instead of creating a second one."""
        return await self._call(
            "POST",
            "correspondence",
            "ThreadDetail",
            json_body={
                "kind": kind,
                "subject": subject,
                "body": body,
                "contact_phone": contact_phone,
                "location": location,
            },
            idempotency_key=_check_key(idempotency_key),
        )

    async def reply_thread(self, id: ObjectId, body: str, idempotency_key: str) -> Message:
        """Add a customer message. Raises ValidationFailed ``thread_closed`` on a closed thread."""
        return await self._call(
            "POST",
            f"correspondence/{_seg(id)}/messages",
            "Message",
            json_body={"body": body},
            idempotency_key=_check_key(idempotency_key),
        )


def _seg(value: ObjectId) -> str:
    """An id as one URL path segment (no slashes or dots sneaking into the path)."""
    text = str(value)
    if text in ("", ".", ".."):
        raise E.NotFound(detail="invalid id")
    return quote(text, safe="")


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ValueError("idempotency_key must be a non-empty string")
    return key


def _display_address(base_url: str) -> str:
    """The server's address as residents should see it in messages: no user:password, query or
    the API prefix (``http://127.0.0.1:8000``, ``https://ebok.example.pl``)."""
    import httpx

    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        return base_url
    if not url.host:
        return base_url
    path = url.path.rstrip("/").removesuffix(API_PREFIX)
    port = f":{url.port}" if url.port is not None else ""
    host = f"[{url.host}]" if ":" in url.host else url.host
    return f"{url.scheme}://{host}{port}{path}"


def _could_not_connect(exc: Exception) -> bool:
    """No connection was made (the request was never sent)."""
    import httpx

    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))


_DISCONNECT_MARKERS = ("server disconnected", "closed connection")


def _connection_lost(exc: Exception) -> bool:
    """Connected, but the connection closed or broke before the whole reply arrived: a read or
    write error (reset), or httpcore/h11 reporting that the peer closed it ("Server disconnected
    without sending a response.", "peer closed connection without sending complete message
    body", "peer unexpectedly closed connection"). Other protocol errors are bad replies."""
    import httpx

    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.CloseError)):
        return True
    return isinstance(exc, httpx.RemoteProtocolError) and any(m in str(exc).lower() for m in _DISCONNECT_MARKERS)
