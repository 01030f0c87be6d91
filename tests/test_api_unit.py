"""EbokClient plumbing with httpx.MockTransport: error mapping, retry policy, headers, messages."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from ebok_tui.core.api import (
    ApiError,
    Balance,
    Conflict,
    ConnectionFailed,
    Forbidden,
    EbokClient,
    InvalidCredentials,
    NotFound,
    ProtocolError,
    RateLimited,
    RequestTimeout,
    ServerError,
    Unauthorized,
    ValidationFailed,
)
from ebok_tui.core.api.errors import CODES
from ebok_tui.core.i18n import I18n, load_catalog
from ebok_tui.ui.wording import error_message, field_messages
from tests.fixtures_client import THREAD_REPLY

PL, EN = I18n("pl"), I18n("en")

API_MD = Path(__file__).resolve().parent.parent / "docs" / "API.md"

HEALTH = {"status": "ok", "version": "0.1.0", "today": "2026-11-15"}


def err_body(code: str, message: str = "x", fields: dict | None = None) -> dict:
    e: dict = {"code": code, "message": message}
    if fields:
        e["fields"] = fields
    return {"error": e}


class Recorder:
    """A MockTransport handler replaying a script of responses / exceptions."""

    def __init__(self, *script):
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, Exception):
            raise item
        return item


def client(handler, **kw) -> EbokClient:
    c = EbokClient("http://ebok.test", transport=httpx.MockTransport(handler), retry_delay=0, **kw)
    return c


# --- every documented code has pl + en messages ------------------------------------------------


def documented_codes() -> set[str]:
    text = API_MD.read_text(encoding="utf-8")
    codes = set(re.findall(r"^\| \d{3} \| `([a-z_]+)` \|", text, flags=re.M))
    codes |= set(re.findall(r"422 `([a-z_]+)`", text))
    return codes


def test_every_api_md_code_has_polish_and_english_message():
    codes = documented_codes()
    assert {"invalid_credentials", "rate_limited", "reading_implausible", "thread_closed"} <= codes
    transport = {
        "connection_failed",
        "connection_lost",
        "connection_lost_unconfirmed",
        "timeout",
        "protocol_error",
        "reply_too_large",
        "response_too_large",
    }
    for code in codes | transport:
        assert code in CODES, code
        pl, en = load_catalog("pl")[f"error.{code}"], load_catalog("en")[f"error.{code}"]
        assert pl and en and pl != en
        err = ApiError(code)
        assert err.message_code == code
        assert error_message(PL, err) == pl.format(where="") and error_message(EN, err) == en.format(where="")
        assert "{" not in error_message(PL, err) + error_message(EN, err)
        if "{where}" in pl:  # transport messages name the server when it is known
            named = ApiError(code, server="http://10.0.0.5:8000")
            assert "(http://10.0.0.5:8000)" in error_message(PL, named) and "(http://10.0.0.5:8000)" in error_message(
                EN, named
            )


def test_messages_are_plain_language():
    for lang in ("pl", "en"):
        for key, text in load_catalog(lang).items():
            if not key.startswith(("error.", "field.")):
                continue
            assert text.endswith((".", "!", "]'")) or "pip install" in text, text
            for jargon in ("HTTP", "JSON", "401", "422", "500", "token", "API", "exception"):
                assert jargon not in text, (jargon, text)


def test_unknown_code_falls_back_by_status_then_generic():
    assert error_message(EN, ValidationFailed("brand_new_rule", status=422)) == EN.t("error.validation_error")
    assert error_message(PL, ServerError("db_down", status=503)) == PL.t("error.server_error")
    assert error_message(EN, ApiError("zzz")) == EN.t("error.unknown_error")
    assert error_message(PL, ApiError(status=418)) == PL.t("error.unknown_error")


def test_str_is_technical_and_repr_compact():
    e = ValidationFailed(
        "weak_password", status=422, server_message="New password too weak.", fields={"new_password": "too short"}
    )
    assert "weak_password" in str(e) and "422" in str(e)
    assert "weak_password" in repr(e)


# --- status / code mapping --------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, body, exc_type, code",
    [
        (400, err_body("bad_request"), ApiError, "bad_request"),
        (401, err_body("unauthorized"), Unauthorized, "unauthorized"),
        (403, err_body("forbidden"), Forbidden, "forbidden"),
        (404, err_body("not_found"), NotFound, "not_found"),
        (409, err_body("idempotency_conflict"), Conflict, "idempotency_conflict"),
        (413, err_body("payload_too_large"), ApiError, "payload_too_large"),
        (415, err_body("unsupported_media_type"), ApiError, "unsupported_media_type"),
        (
            422,
            err_body("reading_below_last", fields={"value": "below 1010.087"}),
            ValidationFailed,
            "reading_below_last",
        ),
        (429, err_body("rate_limited"), RateLimited, "rate_limited"),
        (500, err_body("internal_error"), ServerError, "internal_error"),
        (502, None, ServerError, "server_error"),
        (404, None, NotFound, "not_found"),
        (422, {"detail": "fastapi default"}, ValidationFailed, "validation_error"),
    ],
)
async def test_status_mapping(status, body, exc_type, code):
    resp = httpx.Response(status, json=body) if body is not None else httpx.Response(status, text="oops")
    async with client(Recorder(resp)) as api:
        api._token = "t"
        with pytest.raises(exc_type) as err:
            await api.me()
    assert type(err.value) is exc_type
    assert err.value.code == code and err.value.status == status
    assert error_message(PL, err.value) and error_message(EN, err.value)


async def test_login_401_is_invalid_credentials_and_other_401_drops_session():
    rec = Recorder(httpx.Response(401, json=err_body("invalid_credentials")))
    async with client(rec) as api:
        with pytest.raises(InvalidCredentials):
            await api.login("10001", "x")
    rec = Recorder(httpx.Response(401, json=err_body("unauthorized")))
    async with client(rec) as api:
        api._token = "t"
        api._customer_number = "10001"
        with pytest.raises(Unauthorized):
            await api.balance()
        assert api.token is None and api.customer_number is None


async def test_rate_limited_retry_after():
    rec = Recorder(httpx.Response(429, json=err_body("rate_limited"), headers={"Retry-After": "900"}))
    async with client(rec) as api:
        with pytest.raises(RateLimited) as err:
            await api.login("10001", "x")
    assert err.value.retry_after == 900
    assert error_message(PL, err.value).endswith("za 15 min.") and error_message(EN, err.value).endswith("in 15 min.")


async def test_server_busy_is_rate_limited_with_the_wait():
    rec = Recorder(httpx.Response(503, json=err_body("server_busy"), headers={"Retry-After": "1"}))
    async with client(rec) as api:
        with pytest.raises(RateLimited) as err:
            await api.confirm_password_reset("10001", "AAAA", "długie hasło")
    assert err.value.code == "server_busy" and err.value.retry_after == 1
    assert "obciążony" in error_message(PL, err.value) and "in 1 s." in error_message(EN, err.value)


async def test_validation_fields_are_translated_per_field():
    body = err_body(
        "validation_error",
        fields={
            "email": "value is not a valid email address",
            "subject": "String should have at most 200 characters",
            "mystery": "server text kept",
        },
    )
    async with client(Recorder(httpx.Response(422, json=body))) as api:
        with pytest.raises(ValidationFailed) as err:
            await api.reset_password("10001", "b")
    e = err.value
    assert e.fields["email"] == "value is not a valid email address"  # raw server text kept
    pl, en = field_messages(PL, e), field_messages(EN, e)
    assert pl["email"].startswith("Podaj poprawny adres e-mail") and en["email"].startswith("Enter a valid e-mail")
    assert "200" in pl["subject"]
    assert pl["mystery"] == "server text kept"


async def test_reading_codes_map_to_value_field():
    body = err_body("reading_implausible", fields={"value": "max 45.000 m3"})
    async with client(Recorder(httpx.Response(422, json=body))) as api:
        api._token = "t"
        with pytest.raises(ValidationFailed) as err:
            await api.submit_reading("WM-1", Decimal("1"))
    assert field_messages(PL, err.value) == {"value": PL.t("error.reading_implausible")}


# --- retry policy -----------------------------------------------------------------------------


async def test_get_retried_once_on_connect_error():
    rec = Recorder(httpx.ConnectError("refused"), httpx.Response(200, json=HEALTH))
    async with client(rec) as api:
        assert (await api.health()).status == "ok"
    assert len(rec.requests) == 2


@pytest.mark.parametrize(
    ("error", "raised", "attempts"),
    [(httpx.ConnectError("refused"), ConnectionFailed, 2), (httpx.ReadTimeout("slow"), RequestTimeout, 1)],
    ids=["gives_up_after_second_connect_error", "not_retried_on_read_timeout"],
)
async def test_get_failing_every_time(error, raised, attempts):
    rec = Recorder(error)
    async with client(rec) as api:
        with pytest.raises(raised):
            await api.health()
    assert len(rec.requests) == attempts


async def test_keyed_post_retried_once_with_same_key_and_body():
    rec = Recorder(httpx.ReadTimeout("lost reply"), httpx.Response(201, json=THREAD_REPLY))
    async with client(rec) as api:
        api._token = "t"
        result = await api.create_thread("other", "s", "b", idempotency_key="abc-1")
    assert result.id == 7
    assert [r.headers["Idempotency-Key"] for r in rec.requests] == ["abc-1", "abc-1"]
    assert rec.requests[0].content == rec.requests[1].content


async def test_keyed_post_gives_up_after_two_timeouts():
    rec = Recorder(httpx.WriteTimeout("slow"))
    async with client(rec) as api:
        api._token = "t"
        with pytest.raises(RequestTimeout):
            await api.reply_thread(1, "b", "abc-2")
    assert len(rec.requests) == 2


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
async def test_other_writes_never_retried(exc):
    for call in (
        "login",
        "submit_reading",
        "efaktura_request",
        "efaktura_confirm",
        "efaktura_withdraw",
        "change_password",
    ):
        rec = Recorder(exc)
        async with client(rec) as api:
            api._token = "t"
            with pytest.raises(ApiError):
                if call == "login":
                    await api.login("10001", "x")
                elif call == "submit_reading":
                    await api.submit_reading("WM-1", Decimal("1"))
                elif call == "efaktura_request":
                    await api.efaktura_request("a@b.pl", "2026-11")
                elif call == "efaktura_confirm":
                    await api.efaktura_confirm("123456")
                elif call == "efaktura_withdraw":
                    await api.efaktura_withdraw()
                else:
                    await api.change_password("a", "b")
        assert len(rec.requests) == 1, call


async def test_idempotency_key_required():
    async with client(Recorder(httpx.Response(500))) as api:
        api._token = "t"
        with pytest.raises(ValueError):
            await api.create_thread("other", "s", "b", idempotency_key="")


# --- requests ---------------------------------------------------------------------------------


async def test_headers_paths_params_and_bodies():
    bal = {
        "balance": 0,
        "to_pay": 0,
        "overdue": 0,
        "overpayment": 0,
        "next_due_date": None,
        "next_due_amount": None,
        "bank_account": "PL",
        "recipient_name": "",
        "recipient_address": "",
        "recipient_nip": "",
        "transfer_title": "",
        "as_of": "2026-11-15",
    }
    page = {"items": [], "total": 0, "offset": 0, "limit": 10, "years": []}
    reading = {
        "id": 1,
        "date": "2026-11-15",
        "meter_number": "WM-1",
        "value": "130.500",
        "type": "self",
        "consumption": None,
    }
    login = {
        "token": "secret-token",
        "expires_at": "2026-11-15T22:00:00Z",
        "idle_timeout_seconds": 1800,
        "customer_number": "10001",
    }
    routes = {
        "/api/v1/auth/login": httpx.Response(200, json=login),
        "/api/v1/balance": httpx.Response(200, json=bal),
        "/api/v1/invoices": httpx.Response(200, json=page),
        "/api/v1/readings": httpx.Response(201, json=reading),
    }
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return routes[request.url.path]

    async with client(handler, lang="en") as api:
        await api.login("10001", "pw")
        assert isinstance(await api.balance(), Balance)
        await api.invoices(year=2026, status="unpaid", offset=10, limit=10)
        await api.invoices()
        await api.submit_reading("WM-1", Decimal("130.5"))
        api.lang = "pl"
        await api.balance()

    login_req, bal_req, inv_req, inv2_req, read_req, bal2_req = seen
    assert "Authorization" not in login_req.headers
    assert json.loads(login_req.content) == {"customer_number": "10001", "password": "pw"}
    assert bal_req.headers["Authorization"] == "Bearer secret-token"
    assert bal_req.headers["Accept-Language"] == "en" and bal2_req.headers["Accept-Language"] == "pl"
    assert dict(inv_req.url.params) == {"year": "2026", "status": "unpaid", "offset": "10", "limit": "10"}
    assert dict(inv2_req.url.params) == {"offset": "0", "limit": "50"}
    assert json.loads(read_req.content) == {"meter_number": "WM-1", "value": "130.500"}
    assert read_req.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "value, sent",
    [
        (Decimal("130.5"), "130.500"),
        (Decimal("130"), "130.000"),
        (130, "130.000"),
        ("130,25", "130.250"),
        (Decimal("1.23456"), "1.23456"),
        (Decimal("1E+2"), "100.000"),
    ],
)
async def test_meter_value_formatting(value, sent):
    rec = Recorder(httpx.Response(422, json=err_body("validation_error")))
    async with client(rec) as api:
        api._token = "t"
        with pytest.raises(ValidationFailed):
            await api.submit_reading("WM-1", value)
    assert json.loads(rec.requests[0].content)["value"] == sent


async def test_ids_are_one_path_segment():
    rec = Recorder(httpx.Response(404, json=err_body("not_found")))
    async with client(rec) as api:
        api._token = "t"
        with pytest.raises(NotFound):
            await api.invoice("../balance")
        with pytest.raises(NotFound):
            await api.thread("..")
    assert rec.requests[0].url.raw_path == b"/api/v1/invoices/..%2Fbalance"
    assert len(rec.requests) == 1


async def test_pdf_streaming_cap_without_content_length():
    async def big():
        yield b"%PDF-1.4\n"
        for _ in range(100):
            yield b"x" * 1024

    rec = Recorder(httpx.Response(200, headers={"Content-Type": "application/pdf"}, content=big()))
    async with client(rec) as api:
        api._token = "t"
        with pytest.raises(ProtocolError) as err:
            await api.invoice_pdf(1, max_bytes=10_000)
    assert err.value.code == "response_too_large"
    assert "zbyt duży" in error_message(PL, err.value)


async def test_no_raw_exceptions_leak_from_odd_transport_errors():
    for exc in (
        httpx.RemoteProtocolError("garbage"),
        httpx.DecodingError("bad gzip"),
        httpx.ReadError("reset"),
        httpx.PoolTimeout("pool"),
        httpx.ProxyError("proxy"),
    ):
        async with client(Recorder(exc)) as api:
            with pytest.raises(ApiError) as err:
                await api.health()
            assert err.value.__cause__ is exc
