"""EbokClient against the real reference server (``--seed-demo --today 2026-11-15``).

The server runs in-process (``tests.asgi_server``): read-only tests use this module's database
(``server``); tests that change state (or count failed logins) use ``private_server``, a second
database of this module (they run in file order and build on each other).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest

from ebok_tui.core.api import (
    Accepted,
    ApiError,
    Balance,
    Contract,
    DemoInfo,
    EbokClient,
    EFaktura,
    Health,
    InvalidCredentials,
    InvoiceDetail,
    InvoicePage,
    LoginResult,
    Me,
    Message,
    NotFound,
    Page,
    Payment,
    RateLimited,
    Reading,
    ReadingsInfo,
    Thread,
    ThreadDetail,
    Unauthorized,
    ValidationFailed,
)
from ebok_tui.core.api.errors import Conflict
from ebok_tui.core.i18n import I18n
from ebok_tui.ui.wording import error_message, field_messages
from tests.asgi_server import InProcessServer, server_from_template
from tests.server.helpers import mailed_efaktura_codes
from tests.fixtures_client import closed_port_url, demo_password  # noqa: F401

PL, EN = I18n("pl"), I18n("en")

TODAY = dt.date(2026, 11, 15)


@pytest.fixture(scope="module")
def private_server(demo_template, tmp_path_factory) -> InProcessServer:
    return server_from_template(demo_template, tmp_path_factory.mktemp("private"))


async def logged_in(server: InProcessServer, customer: str = "10001", lang: str = "pl") -> EbokClient:
    client = server.client(lang=lang)
    await client.login(customer, demo_password(customer))
    return client


# --- public and auth --------------------------------------------------------------------------


async def test_health_and_demo_info(server):
    async with server.client() as api:
        health = await api.health()
        assert isinstance(health, Health)
        assert health.status == "ok" and health.today == TODAY
        info = await api.demo_info()
        assert isinstance(info, DemoInfo)
        numbers = [c.customer_number for c in info.customers]
        assert "10001" in numbers
        first = info.customers[numbers.index("10001")]
        assert first.password == demo_password("10001")
        assert first.description("pl") and first.description("en")


async def test_base_url_may_include_api_prefix(server):
    async with EbokClient(server.url + "/api/v1/", transport=server.transport()) as api:
        assert (await api.health()).status == "ok"


async def test_login_ok_keeps_token(server):
    async with server.client() as api:
        assert api.token is None
        result = await api.login("10001", demo_password("10001"))
        assert isinstance(result, LoginResult)
        assert result.customer_number == "10001"
        assert result.idle_timeout_seconds == 1800
        assert result.expires_at.tzinfo is not None
        assert api.token is not None and api.customer_number == "10001"
        assert result.token not in repr(result)  # never printed in logs
        me = await api.me()
        assert isinstance(me, Me) and me.full_name == "Jan Kowalski" and me.efaktura_active is False


async def test_wrong_password_and_unknown_account_are_the_same_error(private_server):
    async with private_server.client() as api:
        with pytest.raises(InvalidCredentials) as wrong:
            await api.login("10003", "not-the-password")
        with pytest.raises(InvalidCredentials) as unknown:
            await api.login("99999", "whatever-password")
        assert api.token is None
    for exc in (wrong.value, unknown.value):
        assert exc.status == 401 and exc.code == "invalid_credentials"
        assert not isinstance(exc, Unauthorized)
    assert wrong.value.server_message == unknown.value.server_message
    assert error_message(PL, wrong.value) == error_message(PL, unknown.value)
    assert "hasło" in error_message(PL, wrong.value)
    assert "password" in error_message(EN, wrong.value)


async def test_login_validation_error_for_malformed_customer_number(server):
    async with server.client() as api:
        with pytest.raises(ValidationFailed) as err:
            await api.login("12", "x")
    assert err.value.status == 422 and err.value.code == "validation_error"
    assert "customer_number" in field_messages(PL, err.value)
    assert "5 cyfr" in field_messages(PL, err.value)["customer_number"]
    assert "5 digits" in field_messages(EN, err.value)["customer_number"]


async def test_rate_limited_after_repeated_failures(private_server):
    async with private_server.client() as api:
        with pytest.raises(RateLimited) as err:
            for _ in range(10):
                with pytest.raises(InvalidCredentials):
                    await api.login("10003", "bad-password-attempt")
    # after 5 free attempts the next one has to wait a second (a delay, not a lock)
    assert err.value.status == 429 and err.value.retry_after == 1
    assert "za 1 s" in error_message(PL, err.value)


async def test_logout_revokes_token(server):
    api = await logged_in(server)
    async with api:
        token = api.token
        await api.logout()
        assert api.token is None
        with pytest.raises(Unauthorized):  # no token locally: refused without a request
            await api.balance()
        # the old token is revoked server-side too
        api._token = token
        with pytest.raises(Unauthorized) as err:
            await api.balance()
        assert err.value.status == 401 and err.value.code == "unauthorized"
        assert api.token is None  # a 401 drops the session
        await api.logout()  # logging out twice is harmless
        api._token = token
        await api.logout()  # logging out with a revoked token is not an error
        assert api.token is None


async def test_401_mid_session(server):
    """Session revoked elsewhere (here: by a logout through a second client with the same token)."""
    api = await logged_in(server, "10002")
    async with api, server.client() as other:
        assert (await api.balance()).balance == 5000
        other._token = api.token
        await other.logout()
        with pytest.raises(Unauthorized) as err:
            await api.invoices()
    assert error_message(PL, err.value) == "Twoja sesja wygasła. Zaloguj się ponownie."
    assert error_message(EN, err.value) == "Your session has expired. Please log in again."


async def test_logout_clears_token_even_if_call_fails(closed_port_url):
    async with EbokClient(closed_port_url) as api:
        api._token = "stale"
        with pytest.raises(ApiError):
            await api.logout()
        assert api.token is None


async def test_accept_language_is_sent_and_errors_still_coded(server):
    async with server.client(lang="en") as api:
        with pytest.raises(InvalidCredentials) as err:
            await api.login("99998", "nope-nope")
    assert error_message(EN, err.value).startswith("Incorrect customer number or password")


# --- account, invoices, payments (seed values) ------------------------------------------------


async def test_balance_values_from_seed(server):
    api = await logged_in(server, "10001")
    async with api:
        b = await api.balance()
    assert isinstance(b, Balance)
    assert b.as_of == TODAY
    assert (b.balance, b.to_pay, b.overdue, b.overpayment) == (-23748, 23748, 11496, 0)
    assert b.next_due_date == dt.date(2026, 11, 24) and b.next_due_amount == 12252
    assert b.balance == b.overpayment - b.to_pay
    assert b.bank_account.startswith("PL") and len(b.bank_account) == 28
    assert b.recipient_nip == "6320001234"
    assert "10001" in b.transfer_title


async def test_balance_overpayment_customer(server):
    api = await logged_in(server, "10002")
    async with api:
        b = await api.balance()
    assert (b.balance, b.to_pay, b.overpayment) == (5000, 0, 5000)
    assert b.next_due_date is None and b.next_due_amount is None


async def test_invoices_list_filters_detail_and_pdf(server):
    api = await logged_in(server, "10001")
    async with api:
        page = await api.invoices()
        assert isinstance(page, InvoicePage)
        assert page.total == 27 and page.offset == 0 and page.limit == 50
        assert page.years[0] == 2026
        issue_dates = [i.issue_date for i in page.items]
        assert issue_dates == sorted(issue_dates, reverse=True)
        assert all(isinstance(i.gross, int) for i in page.items)

        unpaid = await api.invoices(status="unpaid")
        assert {i.status for i in unpaid.items} == {"unpaid"}
        overdue = await api.invoices(status="overdue")
        assert [i.gross for i in overdue.items] == [11496]
        y2025 = await api.invoices(year=2025, limit=5)
        assert all(i.issue_date.year == 2025 for i in y2025.items) and len(y2025.items) == 5
        assert y2025.total > y2025.offset + len(y2025.items)  # more pages of 2025

        detail = await api.invoice(page.items[0].id)
        assert isinstance(detail, InvoiceDetail)
        assert detail.number == page.items[0].number
        assert sum(line.gross for line in detail.lines) == detail.gross_total == detail.gross
        assert all(isinstance(line.quantity, Decimal) for line in detail.lines)
        fee = [line for line in detail.lines if line.unit == "szt"]
        assert fee and fee[0].gross == 233  # no e-FAKTURA: 2,33 zł

        pdf = await api.invoice_pdf(page.items[0].id)
        assert pdf.startswith(b"%PDF-") and len(pdf) > 1000

        with pytest.raises(NotFound) as err:
            await api.invoice(999_999)
        assert err.value.status == 404
        with pytest.raises(NotFound):
            await api.invoice_pdf(999_999)


async def test_other_customers_invoice_is_not_found(server):
    api1 = await logged_in(server, "10001")
    api2 = await logged_in(server, "10002")
    async with api1, api2:
        theirs = (await api2.invoices(limit=1)).items[0].id
        with pytest.raises(NotFound):
            await api1.invoice(theirs)


async def test_payments_page(server):
    api = await logged_in(server, "10002")
    async with api:
        page = await api.payments(offset=0, limit=2)
        assert isinstance(page, Page)
        assert len(page.items) == 2 and page.total > 2
        assert all(isinstance(p, Payment) and isinstance(p.amount, int) for p in page.items)
        assert page.items[0].date >= page.items[1].date
        nxt = await api.payments(offset=2, limit=2)
        assert nxt.offset == 2 and {p.id for p in nxt.items}.isdisjoint({p.id for p in page.items})


async def test_readings_contract_efaktura_threads_read(server):
    api = await logged_in(server, "10004")
    async with api:
        r = await api.readings(months=12)
        assert isinstance(r, ReadingsInfo)
        assert {m.number for m in r.meters} == {"WM-4567890", "WM-4567891"}
        assert all(isinstance(m.max_daily_m3, Decimal) for m in r.meters)
        assert r.period.start == dt.date(2026, 11, 1) and r.period.end == dt.date(2026, 11, 30)
        assert all(isinstance(i.value, Decimal) for i in r.items)

        c = await api.contract()
        assert isinstance(c, Contract) and c.number == "UM/2010/01011"
        assert len(c.meters) == 2 and c.services == ["water", "sewage"]

        e = await api.efaktura()
        assert isinstance(e, EFaktura) and e.active is False
        assert (e.fee_with_gross, e.fee_without_gross, e.current_fee_gross) == (100, 233, 233)

        tariff = await api.tariff()  # 10004's one point is in G2 (two meters)
        assert tariff.as_of == dt.date(2026, 11, 15) and not tariff.efaktura_active
        [group] = tariff.groups
        assert (group.tariff_group, group.points, group.upcoming) == ("G2", ["PP-10004-01"], [])
        assert [(r.component, r.unit_price_net, r.unit_price_gross) for r in group.rates] == [
            ("water", 587, 634),
            ("sewage", 824, 890),
            ("fee_efaktura", 93, 100),
            ("fee_paper", 216, 233),
        ]
        assert {r.valid_from for r in group.rates} == {dt.date(2015, 1, 1)}
        newest = (await api.invoices()).items[0]
        lines = (await api.invoice(newest.id)).lines
        assert [(ln.tariff.tariff_group, ln.tariff.component) for ln in lines if ln.tariff] == [
            ("G2", "water"),
            ("G2", "sewage"),
            ("G2", "fee_paper"),
        ]

        threads = await api.threads()
        assert threads.total == 1 and isinstance(threads.items[0], Thread)
        detail = await api.thread(threads.items[0].id)
        assert isinstance(detail, ThreadDetail)
        assert detail.messages[0].author == "customer"
        assert detail.location == "ul. Zwycięstwa 20, ogród"


# --- state-changing calls (private server) ----------------------------------------------------


async def test_change_password_rules_and_success(private_server):
    srv = private_server
    api = await logged_in(srv, "10002")
    other = await logged_in(srv, "10002")
    async with api, other:
        with pytest.raises(ValidationFailed) as wrong:
            await api.change_password("nope-nope", "new-password-123")
        assert wrong.value.code == "wrong_password"
        assert field_messages(PL, wrong.value)["current_password"] == error_message(PL, wrong.value)
        with pytest.raises(ValidationFailed) as weak:
            await api.change_password(demo_password("10002"), "short")
        assert weak.value.code == "weak_password"
        assert "8 znaków" in error_message(PL, weak.value) and "8 characters" in error_message(EN, weak.value)

        await api.change_password(demo_password("10002"), "a-new-password-2026")
        assert (await api.me()).customer_number == "10002"  # calling session stays valid
        with pytest.raises(Unauthorized):  # the other session was revoked
            await other.me()
    async with srv.client() as fresh:
        await fresh.login("10002", "a-new-password-2026")
        with pytest.raises(InvalidCredentials):
            await fresh.login("10002", demo_password("10002"))


async def test_register_and_reset_password_are_accepted(private_server):
    async with private_server.client() as api:
        r = await api.register("UM/2018/00789", "WM-3456789", 12345)
        assert isinstance(r, Accepted) and r.status == "accepted"
        r2 = await api.register("UM/0000/00000", "WM-0000000", 100)
        assert r2.status == "accepted"  # no account enumeration
        r3 = await api.reset_password("10004", "wrong@example.com")
        assert r3.status == "accepted"
        with pytest.raises(ValidationFailed) as err:
            await api.register("UM/1", "WM-1", 0)
        assert "invoice_gross" in field_messages(EN, err.value)
        with pytest.raises(ValidationFailed) as err:
            await api.confirm_password_reset("10004", "AAAA-BBBB", "kran w kuchni cieknie")
        assert err.value.code == "invalid_code" and "code" in field_messages(PL, err.value)
        with pytest.raises(ValidationFailed) as err:
            await api.confirm_registration("10004", "AAAA-BBBB", "woda-10004")
        assert err.value.code == "weak_password"
    # 10003 already has online access and no e-mail on file: nothing is sent to anyone
    assert not list(private_server.mail_dir.glob("*.eml"))


async def test_password_reset_by_code(private_server):
    async with private_server.client() as api:
        await api.reset_password("10002", "anna.nowak@example.com")  # its password was changed above
        [mail] = [p for p in private_server.mail_dir.glob("*.eml") if "anna.nowak" in p.name]
        code = re.search(r"Kod: (\S+)", mail.read_text()).group(1)
        await api.confirm_password_reset("10002", code, "kran w kuchni cieknie")
        await api.login("10002", "kran w kuchni cieknie")


async def test_submit_reading_and_rejections(private_server):
    api = await logged_in(private_server, "10001")
    async with api:
        last = (await api.readings()).meters[0]
        assert last.number == "WM-1234567" and last.last_value == Decimal("1010.087")

        with pytest.raises(ValidationFailed) as below:
            await api.submit_reading("WM-1234567", Decimal("1000"))
        assert below.value.code == "reading_below_last"
        assert "niższy" in field_messages(PL, below.value)["value"]

        with pytest.raises(ValidationFailed) as implausible:
            await api.submit_reading("WM-1234567", Decimal("9999.000"))
        assert implausible.value.code == "reading_implausible"

        with pytest.raises(ValidationFailed) as unknown:
            await api.submit_reading("WM-0000000", Decimal("1011"))
        assert unknown.value.code == "unknown_meter"

        with pytest.raises(ValidationFailed) as too_precise:
            await api.submit_reading("WM-1234567", Decimal("1011.12345"))
        assert too_precise.value.code == "validation_error"
        assert "value" in field_messages(PL, too_precise.value)

        reading = await api.submit_reading("WM-1234567", Decimal("1015.5"))
        assert isinstance(reading, Reading)
        assert reading.value == Decimal("1015.500") and reading.type == "self" and reading.date == TODAY
        assert reading.consumption == Decimal("5.413")

        with pytest.raises(ValidationFailed) as again:
            await api.submit_reading("WM-1234567", Decimal("1016"))
        assert again.value.code == "reading_already_submitted"
        assert "następnym miesiącu" in error_message(PL, again.value)


async def test_efaktura_request_confirm_withdraw(private_server):
    api = await logged_in(private_server, "10004")
    async with api:
        with pytest.raises(ValidationFailed) as not_active:
            await api.efaktura_withdraw()
        assert not_active.value.code == "efaktura_not_active"
        terms = await api.efaktura_terms()
        assert terms.version == "2026-11" and set(terms.text) == {"pl", "en"}
        with pytest.raises(ValidationFailed) as bad:
            await api.efaktura_request("not-an-email", terms.version)
        assert bad.value.code == "validation_error" and "email" in field_messages(PL, bad.value)
        with pytest.raises(ValidationFailed) as old:
            await api.efaktura_request("k.wojcik@example.com", "2020-01")
        assert old.value.code == "efaktura_terms_outdated"

        asked = await api.efaktura_request("k.wojcik@example.com", terms.version)
        assert not asked.active and asked.pending is not None and asked.pending.attempts_left == 5
        (code,) = mailed_efaktura_codes(private_server.mail_dir, "k.wojcik@example.com")
        with pytest.raises(ValidationFailed) as wrong:
            await api.efaktura_confirm(f"{(int(code) + 1) % 10**6:06d}")
        assert wrong.value.code == "efaktura_wrong_code"
        on = await api.efaktura_confirm(code)
        assert on.active and on.email == "k.wojcik@example.com" and on.current_fee_gross == 100
        assert on.activated_at is not None and on.pending is None
        assert [(h.event, h.channel, h.terms_version) for h in on.history] == [("given", "app", "2026-11")]
        assert (await api.me()).efaktura_active is True
        off = await api.efaktura_withdraw()
        assert not off.active and off.current_fee_gross == 233 and off.history[0].event == "withdrawn"


async def test_create_thread_is_idempotent_and_reply(private_server):
    api = await logged_in(private_server, "10004")
    async with api:
        key = str(uuid.uuid4())
        report = ("failure_report", "Niskie ciśnienie wody", "Od wczoraj bardzo niskie ciśnienie.")
        details = {"contact_phone": "+48 600 000 000", "location": "ul. Zwycięstwa 20", "idempotency_key": key}
        created = await api.create_thread(*report, **details)
        assert isinstance(created, ThreadDetail)
        assert created.status == "sent" and created.message_count == 1
        assert created.contact_phone == "+48 600 000 000"
        again = await api.create_thread(*report, **details)  # the same key: the same thread
        assert again.id == created.id
        assert (await api.threads()).total == 2  # seed thread + this one, not three
        with pytest.raises(Conflict) as conflict:
            await api.create_thread("other", "Inny temat", "Inna treść", idempotency_key=key)
        assert conflict.value.status == 409 and error_message(PL, conflict.value)

        with pytest.raises(ValidationFailed) as blank:
            await api.create_thread("other", "Temat", "   ", idempotency_key=str(uuid.uuid4()))
        assert "body" in field_messages(PL, blank.value)

        msg_key = str(uuid.uuid4())
        message = await api.reply_thread(created.id, "Dodatkowo woda jest mętna.", msg_key)
        assert isinstance(message, Message) and message.author == "customer"
        same = await api.reply_thread(created.id, "Dodatkowo woda jest mętna.", msg_key)
        assert same.id == message.id
        detail = await api.thread(created.id)
        assert [m.body for m in detail.messages][-1] == "Dodatkowo woda jest mętna."
        assert detail.message_count == 2

        with pytest.raises(NotFound):
            await api.thread(999_999)


async def test_reply_to_closed_thread(private_server):
    api = await logged_in(private_server, "10001")
    async with api:
        closed = [t for t in (await api.threads()).items if t.status == "closed"]
        assert closed, "seed has a closed thread for 10001"
        with pytest.raises(ValidationFailed) as err:
            await api.reply_thread(closed[0].id, "Jeszcze jedno pytanie.", str(uuid.uuid4()))
    assert err.value.code == "thread_closed"
    assert "zamknięta" in error_message(PL, err.value) and "closed" in error_message(EN, err.value)
