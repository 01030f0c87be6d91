"""Broken peers: server down, server that never answers, server that answers garbage."""

from __future__ import annotations

import time

import httpx
import pytest

from ebok_tui.core.api import (
    ApiError,
    ConnectionFailed,
    ConnectionLost,
    EbokClient,
    ProtocolError,
    RequestTimeout,
    ServerError,
)
from ebok_tui.core.i18n import I18n
from ebok_tui.ui.wording import error_message
from tests.fixtures_client import (  # noqa: F401
    SilentServer,
    assert_reads,
    broken_server,
    closed_port_url,
    raw,
    reply,
    silent_server,
)

PL, EN = I18n("pl"), I18n("en")
FAST = httpx.Timeout(0.5, connect=0.5)


async def test_server_down_is_connection_failed_pl_and_en(closed_port_url):
    async with EbokClient(closed_port_url, retry_delay=0) as api:
        with pytest.raises(ConnectionFailed) as err:
            await api.health()
    exc = err.value
    assert exc.status is None and exc.code == "connection_failed"
    # the message names the server (it may be local or in the office, not "on the internet")
    assert exc.server == closed_port_url
    assert_reads(
        exc,
        f"Nie udało się połączyć z serwerem eBOK ({closed_port_url}). Sprawdź adres serwera i połączenie "
        "z siecią albo spróbuj ponownie później.",
        f"Could not connect to the eBOK server ({closed_port_url}). Check the server address and your network "
        "connection, or try again later.",
    )
    assert isinstance(exc.__cause__, httpx.ConnectError)  # kept for logs, never raised itself


async def test_server_down_on_post_and_authenticated_calls(closed_port_url):
    async with EbokClient(closed_port_url, retry_delay=0) as api:
        with pytest.raises(ConnectionFailed):
            await api.login("10001", "x")
        api._token = "t"
        with pytest.raises(ConnectionFailed):
            await api.create_thread("other", "s", "b", idempotency_key="k-1")
        with pytest.raises(ConnectionFailed):
            await api.invoice_pdf(1)


async def test_invalid_address_is_connection_failed():
    async with EbokClient("ftp://127.0.0.1:1") as api:
        with pytest.raises(ConnectionFailed):
            await api.health()


async def test_timeout_when_server_never_answers(silent_server: SilentServer):
    async with EbokClient(silent_server.url, timeout=FAST, retry_delay=0) as api:
        start = time.monotonic()
        with pytest.raises(RequestTimeout) as err:
            await api.health()
        elapsed = time.monotonic() - start
    assert elapsed < 3
    assert silent_server.accepted == 1  # a GET is not retried after a read timeout
    assert err.value.code == "timeout"
    assert "nie odpowiedział" in error_message(PL, err.value)
    assert "did not answer" in error_message(EN, err.value)


async def test_idempotent_post_retried_once_on_timeout_with_same_key(silent_server: SilentServer):
    async with EbokClient(silent_server.url, timeout=FAST, retry_delay=0) as api:
        api._token = "t"
        with pytest.raises(RequestTimeout):
            await api.create_thread("other", "Temat", "Treść", idempotency_key="key-123")
    assert silent_server.accepted == 2
    keys = [
        line
        for req in silent_server.requests
        for line in req.split(b"\r\n")
        if line.lower().startswith(b"idempotency-key:")
    ]
    assert [k.lower() for k in keys] == [b"idempotency-key: key-123"] * 2


async def test_plain_post_never_retried(silent_server: SilentServer):
    async with EbokClient(silent_server.url, timeout=FAST, retry_delay=0) as api:
        api._token = "t"
        with pytest.raises(RequestTimeout):
            await api.submit_reading("WM-1", 1)
    assert silent_server.accepted == 1


@pytest.mark.parametrize(
    "responder, detail",
    [
        (reply(200, b"<html>hello</html>", "text/html"), "json_invalid"),
        (reply(200, b'{"status": "ok"}'), "missing"),  # wrong schema
        (reply(200, b'{"status": "ok", "version": 1, "today": "2026-11-15"}'), "string_type"),
        (reply(200, b'{"status": "ok", "version": "1", "today": "15.11.2026"}'), "date"),
        (reply(200, b"[]"), "model_type"),
        (reply(200, b""), "json_invalid"),
    ],
)
async def test_malformed_reply_is_protocol_error(broken_server, responder, detail):
    srv = broken_server({"/api/v1/health": responder})
    async with EbokClient(srv.url) as api:
        with pytest.raises(ProtocolError) as err:
            await api.health()
    assert detail in (err.value.detail or "")
    assert error_message(PL, err.value).startswith("Serwer przesłał nieoczekiwaną odpowiedź.")
    assert error_message(EN, err.value).startswith("The server sent an unexpected reply.")
    assert err.value.__cause__ is None or not isinstance(err.value.__cause__, ApiError)


async def test_wrong_types_are_rejected_not_coerced(broken_server):
    good = (
        b'{"balance": -100, "to_pay": 100, "overdue": 0, "overpayment": 0, "next_due_date": null,'
        b' "next_due_amount": null, "bank_account": "PL1", "recipient_name": "a", "recipient_address": "b",'
        b' "recipient_nip": "1", "transfer_title": "t", "as_of": "2026-11-15", "new_field": [1, 2]}'
    )
    srv = broken_server(
        {
            "/api/v1/balance": reply(200, good),
            "/api/v1/me": reply(
                200,
                b'{"customer_number": "10001", "full_name": "J", "email": null,'
                b' "address": "a", "efaktura_active": "yes"}',
            ),
            "/api/v1/contract": reply(
                200,
                b'{"number": "1", "concluded_on": "2015-03-02", "services": [],'
                b' "tariff_group": "G1", "connection_address": "a", "meters": [],'
                b' "extra": {"x": 1}}',
            ),
            "/api/v1/efaktura": reply(
                200,
                b'{"active": false, "email": null, "activated_at": null,'
                b' "fee_with_gross": 1.5, "fee_without_gross": 233, "current_fee_gross": 233}',
            ),
            "/api/v1/payments": reply(
                200,
                b'{"items": [{"id": 1, "date": "2026-01-01", "amount": "100",'
                b' "method": "cash", "reference": "r", "invoice_number": null}],'
                b' "total": 1, "offset": 0, "limit": 50}',
            ),
        }
    )
    async with EbokClient(srv.url) as api:
        api._token = "t"
        balance = await api.balance()  # extra fields tolerated
        assert balance.balance == -100
        contract = await api.contract()
        assert contract.number == "1"
        for call in (api.me, api.efaktura, api.payments):
            with pytest.raises(ProtocolError):
                await call()


@pytest.mark.parametrize(
    "responder, exc_type, code",
    [
        (reply(502, b"<html>Bad Gateway</html>", "text/html"), ServerError, "server_error"),
        (
            reply(500, b'{"error": {"code": "internal_error", "message": "Internal server error."}}'),
            ServerError,
            "internal_error",
        ),
        (reply(503, b""), ServerError, "server_error"),
        (raw(b"this is not HTTP at all\r\n\r\n"), ProtocolError, "protocol_error"),
        # reads the request, closes without a reply: the connection was lost (not "could not connect")
        (raw(b""), ConnectionLost, "connection_lost"),
    ],
)
async def test_error_pages_and_garbage(broken_server, responder, exc_type, code):
    srv = broken_server({"/api/v1/health": responder})
    async with EbokClient(srv.url, retry_delay=0) as api:
        with pytest.raises(exc_type) as err:
            await api.health()
    assert err.value.code == code
    assert error_message(PL, err.value) and error_message(EN, err.value)


async def test_pdf_must_be_pdf(broken_server):
    srv = broken_server(
        {
            "/api/v1/invoices/1/pdf": reply(200, b'{"not": "a pdf"}'),
            "/api/v1/invoices/2/pdf": reply(200, b"<html></html>", "application/pdf"),
            "/api/v1/invoices/3/pdf": reply(200, b"%PDF-1.4 tiny", "application/pdf"),
            "/api/v1/invoices/4/pdf": reply(200, b"%PDF-1.4 " + b"x" * 5000, "application/pdf"),
        }
    )
    async with EbokClient(srv.url) as api:
        api._token = "t"
        with pytest.raises(ProtocolError):
            await api.invoice_pdf(1)
        with pytest.raises(ProtocolError):
            await api.invoice_pdf(2)
        assert await api.invoice_pdf(3) == b"%PDF-1.4 tiny"
        with pytest.raises(ProtocolError) as err:
            await api.invoice_pdf(4, max_bytes=1000)
        assert err.value.code == "response_too_large"
