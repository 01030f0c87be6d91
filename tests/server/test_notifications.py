"""Notifications and unread markers (issue 12 feature 6): the resident's read state of threads
(staff acting for the customer leave it alone), the "since your last visit" summary in the balance,
e-mail preferences, and the notification mails (a staff reply, a billing run's invoice; the
scheduled job's notices, reading windows and legalisations), sent once per event however many runs
there are. In-process server on a demo database of its own, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import shutil
import threading

import httpx
import pyotp
import pytest
from sqlalchemy import func, select, update

from ebok_server.__main__ import _settings, main as cli_main, parse_args, prepare_database
from ebok_server.config import Settings
from ebok_server.db import make_engine, make_sessionmaker
from ebok_server.mailer import FileMailer, read_mailbox
from ebok_server.models import Customer, CustomerVisit, MailOutbox, Meter, Notice, Thread
from ebok_server.notify import deliver, enqueue, record_login, run_due, unsent
from tests.asgi_server import LifespanASGITransport

from .helpers import DEMO_TODAY, bearer

TODAY = dt.date.fromisoformat(DEMO_TODAY)
JAN = "jan.kowalski@example.com"
SUPERVISOR_TOTP = "EBOKDEMOKIEROWNIKTOTPSEKRETAAAAA"


class Demo:
    """The demo on a database of its own, served in-process, with its mail folder."""

    def __init__(self, db_url: str, mail_dir) -> None:
        self.settings = Settings(db_url=db_url, today=TODAY, demo=True, mail_dir=mail_dir)
        self.mail_dir = mail_dir

    def http(self, today: dt.date = TODAY) -> httpx.AsyncClient:
        settings = dataclasses.replace(self.settings, today=today)
        return httpx.AsyncClient(transport=LifespanASGITransport(settings), base_url="http://ebok.test/api/v1")

    def mails(self, to: str = JAN) -> list[dict]:
        return [m for m in read_mailbox(self.mail_dir) if m["to"] == to]


@pytest.fixture
async def demo(fresh_db_url, tmp_path) -> Demo:
    d = Demo(fresh_db_url, tmp_path / "mail")
    await prepare_database(d.settings, seed_demo=True, seed_large=None)
    return d


async def resident(c: httpx.AsyncClient, number: str = "10001") -> dict[str, str]:
    r = await c.post("/auth/login", json={"customer_number": number, "password": f"woda-{number}"})
    assert r.status_code == 200, r.text
    return bearer(r.json()["token"])


async def helpdesk_access(c: httpx.AsyncClient, number: str = "10001") -> tuple[dict[str, str], int]:
    """The helpdesk account (no TOTP) and an act-for access to ``number``."""
    r = await c.post("/staff/auth/login", json={"login": "pomoc", "password": "pomoc-demo-2026"})
    assert r.status_code == 200, r.text
    staff = bearer(r.json()["token"])
    r = await c.post(f"/staff/customers/{number}/access", json={"reason": "counter_visit"}, headers=staff)
    assert r.status_code == 201, r.text
    return staff, r.json()["access_id"]


DEFAULTS = {"reply": True, "invoice": False, "notice": True, "reading_window": False, "legalisation": True}


def wants(**changed: bool) -> dict[str, bool]:
    """A whole preferences body: the defaults with ``changed``."""
    return DEFAULTS | changed


def by_subject(page: dict) -> dict[str, dict]:
    return {t["subject"]: t for t in page["items"]}


async def test_unread_replies_are_the_residents_own_and_staff_reading_does_not_clear_them(demo):
    async with demo.http() as c:
        h = await resident(c)
        page = (await c.get("/correspondence", headers=h)).json()
        threads = by_subject(page)
        assert {s for s, t in threads.items() if t["unread"]} == {"Brązowa woda z kranu"}
        assert page["unread"] == 1 and (await c.get("/balance", headers=h)).json()["unread_threads"] == 1
        assert (await c.get("/me", headers=h)).json()["unread_threads"] == 1

        # staff reply in the open question: a second unread thread
        staff, access = await helpdesk_access(c)
        question = threads["Pytanie o fakturę"]["id"]
        r = await c.post(
            f"/staff/access/{access}/correspondence/{question}/replies",
            json={"body": "Zużycie wzrosło latem.", "status": "answered"},
            headers=staff,
        )
        assert r.status_code == 201, r.text
        # staff opening the thread (act-for, and its list) change nothing
        assert (await c.get(f"/staff/access/{access}/correspondence/{question}", headers=staff)).status_code == 200
        staff_page = (await c.get(f"/staff/access/{access}/correspondence", headers=staff)).json()
        assert staff_page["unread"] == 2 and by_subject(staff_page)["Pytanie o fakturę"]["unread"] is True
        assert (await c.get("/correspondence", headers=h)).json()["unread"] == 2

        # the resident opens it: read; the resident's own follow-up keeps it read
        assert (await c.get(f"/correspondence/{question}", headers=h)).status_code == 200
        r = await c.post(
            f"/correspondence/{question}/messages", json={"body": "Dziękuję."}, headers=h | {"Idempotency-Key": "k1"}
        )
        assert r.status_code == 201, r.text
        page = (await c.get("/correspondence", headers=h)).json()
        assert page["unread"] == 1 and by_subject(page)["Pytanie o fakturę"]["unread"] is False
        # another resident's threads are not touched by any of this
        other = await resident(c, "10002")
        assert (await c.get(f"/correspondence/{question}", headers=other)).status_code == 404
        assert (await c.get("/balance", headers=h)).json()["unread_threads"] == 1


async def test_since_last_visit_lists_the_news_of_the_previous_login_and_moves_on(demo):
    async with demo.http() as c:
        h = await resident(c)
        since = (await c.get("/balance", headers=h)).json()["since_last_visit"]
        # the seed's last visit: 8 days ago, 19:30
        assert since["since"] == f"{TODAY - dt.timedelta(days=8)}T19:30:00Z"
        assert [i["issue_date"] for i in since["new_invoices"]] == [str(TODAY.replace(day=10))]
        assert [r["subject"] for r in since["new_replies"]] == ["Brązowa woda z kranu"]
        assert since["new_notices"] == 1  # the failure in Grunwaldzka street began yesterday
        assert since["reading_window_until"] == "2026-11-30"
        assert since["legalisation_expiring"] == []

        # logging in again within the hour is the same visit: the same news
        h = await resident(c)
        assert (await c.get("/balance", headers=h)).json()["since_last_visit"] == since
    # a visit later: nothing new since the first one, what needs doing stays
    async with demo.http(today=TODAY + dt.timedelta(days=1)) as c:
        h = await resident(c)
        again = (await c.get("/balance", headers=h)).json()["since_last_visit"]
        assert again["since"] is not None and again["since"].startswith(str(TODAY))
        assert (again["new_invoices"], again["new_replies"], again["new_notices"]) == ([], [], 0)
        assert again["reading_window_until"] == "2026-11-30"

        # a self-reading closes the window; the garden meter of 10004 has its legalisation ending
        meter = (await c.get("/readings", headers=h)).json()["meters"][0]
        value = f"{float(meter['last_value']) + 3:.3f}"
        r = await c.post("/readings", json={"meter_number": meter["number"], "value": value}, headers=h)
        assert r.status_code == 201, r.text
        assert (await c.get("/balance", headers=h)).json()["since_last_visit"]["reading_window_until"] is None
        first = (await c.get("/balance", headers=await resident(c, "10004"))).json()["since_last_visit"]
        assert first["since"] is None and first["new_invoices"] == [] and first["new_replies"] == []
        assert [m["number"] for m in first["legalisation_expiring"]] == ["WM-4567891"]


async def test_a_login_moves_the_visit_forward_only(demo):
    """``record_login`` is one upsert: the first login inserts, one a visit later shifts last to
    previous, one within the hour is the same visit (only last moves), one not after the stored last
    login (a parallel login that lost the race) changes nothing."""
    engine = make_engine(demo.settings.db_url)
    at = dt.datetime(2026, 11, 15, 12)
    async with make_sessionmaker(engine)() as db:
        anna = await db.scalar(select(Customer.id).where(Customer.customer_number == "10002"))

        async def visit(when: dt.datetime | None = None):
            if when is not None:
                await record_login(db, anna, when)
                await db.commit()
            row = await db.get(CustomerVisit, anna, populate_existing=True)
            return row.last_login_at, row.previous_login_at

        hour = dt.timedelta(hours=1)
        assert await visit(at) == (at, None)
        assert await visit(at + hour) == (at + hour, at)
        assert await visit(at + hour + dt.timedelta(minutes=59)) == (at + hour + dt.timedelta(minutes=59), at)
        assert await visit(at + hour) == (at + hour + dt.timedelta(minutes=59), at)
        assert await visit(at + 3 * hour) == (at + 3 * hour, at + hour + dt.timedelta(minutes=59))
    await engine.dispose()


async def test_preferences_default_and_store(demo):
    async with demo.http() as c:
        h = await resident(c)
        assert (await c.get("/notification-preferences", headers=h)).json() == DEFAULTS
        chosen = wants(reply=False, invoice=True, notice=False, reading_window=True)
        r = await c.put("/notification-preferences", json=chosen, headers=h)
        assert r.status_code == 200 and r.json() == chosen
        assert (await c.get("/notification-preferences", headers=h)).json() == chosen
        assert (await c.get("/me", headers=h)).json()["notifications"] == chosen
        # every kind is required (an older client's two kinds are refused, not half stored); unknown
        # kinds are ignored (as every request body's unknown keys); the values are booleans only
        for bad in (
            {"reply": True, "invoice": False},
            {**chosen, "reading_window": "yes"},
            {**chosen, "legalisation": 1},
        ):
            r = await c.put("/notification-preferences", json=bad, headers=h)
            assert r.status_code == 422, (bad, r.text)
        assert (await c.get("/notification-preferences", headers=h)).json() == chosen
        assert (await c.get("/notification-preferences")).status_code == 401
        # another resident keeps the defaults
        other = await resident(c, "10002")
        assert (await c.get("/notification-preferences", headers=other)).json() == DEFAULTS


async def test_a_staff_reply_is_mailed_once_and_only_when_wanted(demo):
    async with demo.http() as c:
        h = await resident(c)
        staff, access = await helpdesk_access(c)
        threads = by_subject((await c.get("/correspondence", headers=h)).json())
        question = threads["Pytanie o fakturę"]["id"]
        r = await c.post(f"/staff/queue/{question}/replies", json={"body": "Sprawdzamy."}, headers=staff)
        assert r.status_code == 201, r.text
        (mail,) = demo.mails()
        assert "Pytanie o fakturę" in mail["body"] and "odpowiedź" in mail["subject"]
        assert "Sprawdzamy" not in mail["body"]  # the reply itself stays behind the login

        r = await c.put("/notification-preferences", json=wants(reply=False), headers=h)
        assert r.status_code == 200
        r = await c.post(
            f"/staff/access/{access}/correspondence/{question}/replies",
            json={"body": "Zużycie wzrosło latem.", "status": "answered"},
            headers=staff,
        )
        assert r.status_code == 201, r.text
        assert len(demo.mails()) == 1


async def test_a_billing_run_mails_each_new_invoice_once_to_who_wants_it(demo):
    async with demo.http(today=dt.date(2026, 12, 2)) as c:  # November has ended
        h = await resident(c)
        r = await c.put("/notification-preferences", json=wants(invoice=True), headers=h)
        assert r.status_code == 200
        r = await c.post(
            "/staff/auth/login",
            json={
                "login": "kierownik",
                "password": "kierownik-demo-2026",
                "totp_code": pyotp.TOTP(SUPERVISOR_TOTP).now(),
            },
        )
        supervisor = bearer(r.json()["token"])
        for _ in range(2):  # a second run issues nothing and mails nothing
            r = await c.post("/staff/billing/run", json={"period": "2026-11"}, headers=supervisor)
            assert r.status_code == 200, r.text
        invoices = (await c.get("/invoices", params={"limit": 1}, headers=h)).json()["items"]
        (mail,) = demo.mails()
        assert invoices[0]["number"] in mail["subject"] and invoices[0]["number"] in mail["body"]
        assert not [m for m in read_mailbox(demo.mail_dir) if "faktura" in m["subject"] and m["to"] != JAN]


async def test_the_outbox_owes_one_mail_per_event_and_parallel_deliveries_send_it_once(demo):
    engine = make_engine(demo.settings.db_url)
    sessions = make_sessionmaker(engine)
    async with sessions() as db:
        jan = await db.scalar(select(Customer.id).where(Customer.customer_number == "10001"))
        for _ in range(2):
            await enqueue(db, jan, "reply", 1)
        await db.commit()
        assert await db.scalar(select(func.count()).select_from(MailOutbox)) == 1
    mailer = FileMailer(demo.mail_dir)

    async def one_delivery() -> int:
        async with sessions() as db:
            return await deliver(db, mailer)

    assert sum(await asyncio.gather(one_delivery(), one_delivery())) == 1
    assert len(demo.mails()) == 1
    await engine.dispose()


# ---- the scheduled job: notices, reading windows, legalisations ----------------------------------
ANNA = "anna.nowak@example.com"
WOJCIK = "k.wojcik@example.com"


async def outbox(db) -> set[tuple[str, str, str, bool]]:
    """(customer number, kind, event, sent) of every outbox row."""
    rows = await db.execute(
        select(Customer.customer_number, MailOutbox.kind, MailOutbox.event_id, MailOutbox.sent_at.is_not(None)).join(
            Customer, Customer.id == MailOutbox.customer_id
        )
    )
    return {tuple(r) for r in rows}


async def test_the_job_owes_each_kind_once_to_who_wants_it_even_run_twice_at_once(demo):
    async with demo.http() as c:  # 10001 asks for the reading window, 10002 refuses notices
        r = await c.put("/notification-preferences", json=wants(reading_window=True), headers=await resident(c))
        assert r.status_code == 200
        r = await c.put("/notification-preferences", json=wants(notice=False), headers=await resident(c, "10002"))
        assert r.status_code == 200
    engine = make_engine(demo.settings.db_url)
    sessions = make_sessionmaker(engine)
    mailer = FileMailer(demo.mail_dir)

    async def one_run():
        async with sessions() as db:
            return await run_due(db, mailer, demo.settings.business_now())

    first, second = await asyncio.gather(one_run(), one_run())  # two sessions, as two processes
    assert {k: first.owed[k] + second.owed[k] for k in first.owed} == {
        "notice": 2,
        "reading_window": 1,
        "legalisation": 1,
    }
    assert first.sent + second.sent == 4
    async with sessions() as db:
        # the demo's two notices in Jaworzno concern 10001 (both) and 10002 (refused); only 10001
        # wants the reading window (its meter has no November self-reading; 10004's two meters have
        # none either, but the default is off); 10004's garden meter is legalised until 2027-01-15
        assert await outbox(db) == {
            ("10001", "notice", "1", True),
            ("10001", "notice", "2", True),
            ("10001", "reading_window", "1/2026-11", True),
            ("10004", "legalisation", "5/2027-01-15", True),
        }
    sent = read_mailbox(demo.mail_dir)
    assert len(sent) == 4 == len({(m["to"], m["subject"]) for m in sent})  # each mail once
    subjects = [m["subject"] for m in demo.mails()]
    assert sum("odczyt" in s and "WM-1234567" in s for s in subjects) == 1
    assert sum("wyłączenie" in s or "awaria" in s for s in subjects) == 2
    async with sessions() as db:
        failure = await db.get(Notice, 1)
    # on the resident's clock: Warsaw is UTC+1 in November (stored in UTC)
    local = failure.starts_at.replace(tzinfo=None) + dt.timedelta(hours=1)
    assert any(local.strftime("%d.%m.%Y %H:%M") in m["body"] for m in demo.mails())
    assert not any("UTC" in m["body"] for m in demo.mails())
    (legalisation,) = demo.mails(WOJCIK)
    assert "WM-4567891" in legalisation["subject"] and "2027-01-15" in legalisation["body"]
    assert demo.mails(ANNA) == []

    again = await one_run()  # a later run owes and sends nothing
    assert again.owed == {"notice": 0, "reading_window": 0, "legalisation": 0} and again.sent == 0
    async with sessions() as db:  # the meter is legalised again: a new date is a new event
        await db.execute(update(Meter).where(Meter.id == 5).values(legalisation_valid_until=dt.date(2027, 2, 1)))
        await db.commit()
    assert (await one_run()).owed["legalisation"] == 1
    assert len(demo.mails(WOJCIK)) == 2
    await engine.dispose()


async def test_a_mail_the_mailer_fails_to_send_waits_for_the_next_run(demo):
    engine = make_engine(demo.settings.db_url)
    mailer = FileMailer(demo.mail_dir)
    shutil.rmtree(demo.mail_dir)  # the mailer cannot write: every send fails
    async with make_sessionmaker(engine)() as db:
        failed = await run_due(db, mailer, demo.settings.business_now())
        assert sum(failed.owed.values()) == 4 and failed.sent == 0
        assert await unsent(db) == 4
    FileMailer(demo.mail_dir)  # the mail folder is back
    async with demo.http() as c:  # a staff reply mails its own kind only, not the job's backlog
        h = await resident(c)
        staff, _ = await helpdesk_access(c)
        question = by_subject((await c.get("/correspondence", headers=h)).json())["Pytanie o fakturę"]["id"]
        r = await c.post(f"/staff/queue/{question}/replies", json={"body": "Sprawdzamy."}, headers=staff)
        assert r.status_code == 201, r.text
    assert [m["subject"] for m in read_mailbox(demo.mail_dir)] == [
        "eBOK – odpowiedź w Twojej sprawie / a reply to your message"
    ]
    async with make_sessionmaker(engine)() as db:
        assert await unsent(db) == 4
        again = await run_due(db, mailer, demo.settings.business_now())
        assert sum(again.owed.values()) == 0 and again.sent == 4 and await unsent(db) == 0
    await engine.dispose()
    assert len(read_mailbox(demo.mail_dir)) == 5


class GatedMailer(FileMailer):
    """The file mailer, holding each mail until ``go`` (a mail server that is slow to answer)."""

    def __init__(self, directory) -> None:
        super().__init__(directory)
        self.entered, self.go, self.done = threading.Event(), threading.Event(), threading.Event()

    def send(self, to: str, subject: str, body: str) -> None:
        self.entered.set()
        self.go.wait(30)
        super().send(to, subject, body)
        self.done.set()


async def test_a_job_stopped_while_mailing_gives_back_what_it_has_not_sent(demo):
    engine = make_engine(demo.settings.db_url)
    sessions = make_sessionmaker(engine)
    mailer = GatedMailer(demo.mail_dir)
    async with sessions() as db:
        job = asyncio.create_task(run_due(db, mailer, demo.settings.business_now()))
        await asyncio.to_thread(mailer.entered.wait, 30)  # the first of the four mails is with the mailer
        job.cancel()  # the server stops
        with pytest.raises(asyncio.CancelledError):
            await job
    mailer.go.set()
    async with sessions() as db:
        assert await unsent(db) == 3  # the one the mailer had stays claimed: it may have gone out
        again = await run_due(db, FileMailer(demo.mail_dir), demo.settings.business_now())
        assert again.sent == 3 and await unsent(db) == 0
    await engine.dispose()
    await asyncio.to_thread(mailer.done.wait, 30)  # the mail the cancelled job's thread still had
    sent = read_mailbox(demo.mail_dir)
    assert len(sent) == 4 == len({(m["to"], m["subject"]) for m in sent})  # each once


async def test_a_reply_from_the_command_line_is_mailed_by_notify_run(demo, capsys):
    url, mail_dir = demo.settings.db_url, str(demo.mail_dir)
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as db:
        thread = await db.scalar(select(Thread.id).where(Thread.subject == "Pytanie o fakturę"))
    await engine.dispose()
    assert (
        await asyncio.to_thread(cli_main, ["reply", "--db", url, "--today", DEMO_TODAY, str(thread), "Sprawdzamy."])
        == 0
    )
    assert demo.mails() == []  # owed, not sent: the command line does not mail
    assert (
        await asyncio.to_thread(cli_main, ["notify", "run", "--db", url, "--mail-dir", mail_dir, "--today", DEMO_TODAY])
        == 0
    )
    assert "owed: notice=3 reading_window=0 legalisation=1; sent: 5; left unsent: 0" in capsys.readouterr().out
    assert any("Pytanie o fakturę" in m["body"] for m in demo.mails())
    assert (
        await asyncio.to_thread(cli_main, ["notify", "run", "--db", url, "--mail-dir", mail_dir, "--today", DEMO_TODAY])
        == 0
    )
    assert "owed: notice=0 reading_window=0 legalisation=0; sent: 0; left unsent: 0" in capsys.readouterr().out


async def test_the_server_runs_the_job_on_its_own_schedule(demo):
    settings = dataclasses.replace(demo.settings, notify_interval_s=0.05)
    async with httpx.AsyncClient(transport=LifespanASGITransport(settings), base_url="http://ebok.test/api/v1") as c:
        assert (await c.get("/health")).status_code == 200  # the lifespan (and its job) has started
        async with asyncio.timeout(20):
            while len(read_mailbox(demo.mail_dir)) < 4:  # the job's mails, written by its worker thread
                await asyncio.sleep(0.02)
    assert len(demo.mails()) == 2 and len(demo.mails(ANNA)) == 1 and len(demo.mails(WOJCIK)) == 1


def test_the_server_runs_the_job_every_15_minutes_unless_told_otherwise():
    assert _settings(parse_args([])).notify_interval_s == 900
    assert _settings(parse_args(["--notify-every", "60"])).notify_interval_s == 60
    assert _settings(parse_args(["--notify-every", "0"])).notify_interval_s is None  # cron instead
    assert Settings().notify_interval_s is None  # an app made in a test runs no job
