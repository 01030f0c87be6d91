"""e-FAKTURA confirmed by a mailed code, and its consent history (issue 12 feature 7), against the
real app in process on SQLite and PostgreSQL: a demo-seeded database of each test's own, the
file mailer's folder read as the resident's mailbox, and a clock the test moves."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pyotp
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ebok_server.__main__ import prepare_database
from ebok_server.config import Settings
from ebok_server.db import make_engine
from ebok_server.efaktura import CODE_TTL, MAX_ATTEMPTS, TERMS_VERSION
from ebok_server.mailer import read_mailbox
from tests.asgi_server import LifespanASGITransport
from tests.databases import create_database, drop_database

from .helpers import DEMO_TODAY, assert_error, bearer, mailed_efaktura_codes

TODAY = dt.date.fromisoformat(DEMO_TODAY)
CLERK = ("urzednik", "urzednik-demo-2026", "EBOKDEMOURZEDNIKTOTPSEKRETBBBBBB")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def env(backend, tmp_path_factory):
    """(settings, clock): one demo-seeded database of this module (each test takes customers of
    its own), mails into the module's ``mail`` folder."""
    folder = tmp_path_factory.mktemp(f"efaktura_{backend}")
    url = create_database(backend, folder)
    clock = Clock()
    settings = Settings(db_url=url, today=TODAY, demo=True, mail_dir=folder / "mail", clock=clock)
    asyncio.run(prepare_database(settings, seed_demo=True, seed_large=None))
    yield settings, clock
    drop_database(url)


@asynccontextmanager
async def resident(settings: Settings, number: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=LifespanASGITransport(settings), base_url="http://ebok.test/api/v1") as c:
        r = await c.post("/auth/login", json={"customer_number": number, "password": f"woda-{number}"})
        assert r.status_code == 200, r.text
        c.headers.update(bearer(r.json()["token"]))
        yield c


def ask(c: httpx.AsyncClient, email: str, terms: str = TERMS_VERSION):
    return c.post("/efaktura/request", json={"email": email, "terms_version": terms})


async def test_terms_are_served_in_both_languages(env):
    settings, _ = env
    async with resident(settings, "10001") as c:
        r = await c.get("/efaktura/terms")
        assert r.status_code == 200
        body = r.json()
        assert body["version"] == TERMS_VERSION == (await c.get("/efaktura")).json()["terms_version"]
        assert "art. 106n" in body["text"]["pl"] and "art. 106n" in body["text"]["en"]


async def test_activation_only_once_the_code_from_that_address_is_confirmed(env):
    settings, _ = env
    async with resident(settings, "10003") as c:
        st = (await c.get("/efaktura")).json()
        assert st["active"] is False and st["pending"] is None and st["history"] == []
        assert_error(await ask(c, "jan@example.org", "2020-01"), 422, "efaktura_terms_outdated")
        assert_error(await ask(c, "jan@", TERMS_VERSION), 422, "validation_error")
        assert_error(await c.post("/efaktura/confirm", json={"code": "123456"}), 422, "efaktura_no_request")
        assert_error(await c.post("/efaktura/confirm", json={"code": "12345"}), 422, "validation_error")

        r = await ask(c, "jan@example.org")
        assert r.status_code == 200, r.text
        st = r.json()
        assert st["active"] is False  # not before the code is confirmed
        assert st["pending"]["email"] == "jan@example.org" and st["pending"]["attempts_left"] == MAX_ATTEMPTS
        (code,) = mailed_efaktura_codes(settings.mail_dir, "jan@example.org")
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        err = assert_error(await c.post("/efaktura/confirm", json={"code": wrong}), 422, "efaktura_wrong_code")
        assert f"{MAX_ATTEMPTS - 1} attempts left" in err["message"]
        assert (await c.get("/efaktura")).json()["pending"]["attempts_left"] == MAX_ATTEMPTS - 1

        r = await c.post("/efaktura/confirm", json={"code": code})
        assert r.status_code == 200, r.text
        st = r.json()
        assert st["active"] is True and st["email"] == "jan@example.org" and st["pending"] is None
        assert st["current_fee_gross"] == st["fee_with_gross"]
        assert [(h["event"], h["email"], h["terms_version"], h["channel"]) for h in st["history"]] == [
            ("given", "jan@example.org", TERMS_VERSION, "app")
        ]
        assert (await c.get("/me")).json()["efaktura_active"] is True
        # replay: the code worked once
        assert_error(await c.post("/efaktura/confirm", json={"code": code}), 422, "efaktura_no_request")
        assert_error(await ask(c, "jan@example.org"), 422, "efaktura_same_address")

        # a new address: the old one stays in force until the new one is confirmed
        st = (await ask(c, "jan.nowy@example.org")).json()
        assert st["email"] == "jan@example.org" and st["pending"]["email"] == "jan.nowy@example.org"
        (code,) = mailed_efaktura_codes(settings.mail_dir, "jan.nowy@example.org")
        st = (await c.post("/efaktura/confirm", json={"code": code})).json()
        assert st["email"] == "jan.nowy@example.org" and st["activated_at"] == st["history"][-1]["at"]
        assert [h["event"] for h in st["history"]] == ["address_changed", "given"]

        st = (await c.post("/efaktura/withdraw")).json()
        assert st["active"] is False and st["email"] is None and st["current_fee_gross"] == st["fee_without_gross"]
        assert [(h["event"], h["email"]) for h in st["history"]][0] == ("withdrawn", "jan.nowy@example.org")
        assert_error(await c.post("/efaktura/withdraw"), 422, "efaktura_not_active")
        assert [h["event"] for h in (await c.get("/efaktura")).json()["history"]] == [
            "withdrawn",
            "address_changed",
            "given",
        ]


async def test_the_code_expires_and_five_wrong_codes_void_the_request(env):
    settings, clock = env
    async with resident(settings, "10004") as c:
        await ask(c, "ewa@example.org")
        (code,) = mailed_efaktura_codes(settings.mail_dir, "ewa@example.org")
        clock.now += CODE_TTL.total_seconds() + 1
        assert (await c.get("/efaktura")).json()["pending"] is None
        assert_error(await c.post("/efaktura/confirm", json={"code": code}), 422, "efaktura_code_expired")
        assert_error(await c.post("/efaktura/confirm", json={"code": code}), 422, "efaktura_no_request")

        await ask(c, "ewa@example.org")
        code = mailed_efaktura_codes(settings.mail_dir, "ewa@example.org")[0]
        wrong = f"{(int(code) + 500_000) % 10**6:06d}"
        for left in range(MAX_ATTEMPTS - 1, -1, -1):
            err = assert_error(await c.post("/efaktura/confirm", json={"code": wrong}), 422, "efaktura_wrong_code")
            assert f"{left} attempts left" in err["message"]
        # the right code after five wrong ones: the request is void
        assert_error(await c.post("/efaktura/confirm", json={"code": code}), 422, "efaktura_no_request")
        st = (await c.get("/efaktura")).json()
        assert st["active"] is False and st["pending"] is None and st["history"] == []


async def test_parallel_requests_leave_one_pending_request_and_one_code_works_once(env):
    settings, _ = env
    async with resident(settings, "10005") as c:
        answers = await asyncio.gather(*(ask(c, f"k{i}@example.com") for i in range(5)))
        assert [r.status_code for r in answers] == [200] * 5
        engine = make_engine(settings.db_url)
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT email FROM efaktura_pending"))).all()
        await engine.dispose()
        assert len(rows) == 1
        (address,) = rows[0]
        assert (await c.get("/efaktura")).json()["pending"]["email"] == address
        # every earlier code is dead; the last one, sent in parallel five times, works once
        for i in range(5):
            if f"k{i}@example.com" != address:
                (old,) = mailed_efaktura_codes(settings.mail_dir, f"k{i}@example.com")
                if old != mailed_efaktura_codes(settings.mail_dir, address)[0]:
                    err = await c.post("/efaktura/confirm", json={"code": old})
                    assert err.json()["error"]["code"] == "efaktura_wrong_code"
        (code,) = mailed_efaktura_codes(settings.mail_dir, address)
        tries = await asyncio.gather(*(c.post("/efaktura/confirm", json={"code": code}) for _ in range(5)))
        assert sorted(r.status_code for r in tries) == [200] + [422] * 4
        st = (await c.get("/efaktura")).json()
        assert st["active"] is True and st["email"] == address and len(st["history"]) == 1
        # the request limit (reusing the server's throttle): 5 per hour, the sixth is refused
        r = await ask(c, "kolejny@example.com")
        assert_error(r, 429, "rate_limited")
        assert int(r.headers["Retry-After"]) > 0


async def test_staff_record_consent_given_at_the_counter_without_a_code(env):
    settings, clock = env
    async with resident(settings, "10001") as c:
        await ask(c, "jan@example.net")  # the resident's own request is dropped by the counter's act
        login, password, secret = CLERK
        r = await c.post(
            "/staff/auth/login",
            json={"login": login, "password": password, "totp_code": pyotp.TOTP(secret).at(clock.now)},
        )
        staff = bearer(r.json()["token"])
        r = await c.post("/staff/customers/10001/access", json={"reason": "counter_visit"}, headers=staff)
        url = f"/staff/access/{r.json()['access_id']}/efaktura"
        consent = {"form": "counter", "note": "formularz podpisany"}
        body = {"active": True, "email": "jan.papier@example.org", "consent": consent}
        assert_error(await c.put(url, json=body, headers=staff), 422, "validation_error")  # no terms version
        r = await c.put(url, json=body | {"terms_version": TERMS_VERSION}, headers=staff)
        assert r.status_code == 200, r.text
        st = r.json()
        assert st["active"] is True and st["email"] == "jan.papier@example.org" and st["pending"] is None
        assert [(h["event"], h["channel"], h["terms_version"]) for h in st["history"]] == [
            ("given", "staff", TERMS_VERSION)
        ]
        (notice,) = [m for m in read_mailbox(settings.mail_dir) if m["to"] == "jan.papier@example.org"]
        assert "jan.papier@example.org" in notice["body"] and "Kod" not in notice["body"]
        assert (await c.get("/efaktura")).json()["history"] == st["history"]  # the resident sees it too
        assert_error(await c.post("/efaktura/confirm", json={"code": "000000"}), 422, "efaktura_no_request")
        r = await c.put(url, json={"active": False, "consent": consent}, headers=staff)
        assert [h["event"] for h in r.json()["history"]] == ["withdrawn", "given"]

        engine = make_engine(settings.db_url)
        async with engine.connect() as conn:
            staff_ids = (
                await conn.execute(text("SELECT staff_id FROM efaktura_consents WHERE channel = 'staff'"))
            ).all()
            audit = (await conn.execute(text("SELECT after FROM audit_log WHERE resource = 'efaktura'"))).all()
        await engine.dispose()
        assert len(staff_ids) == 2 and all(s is not None for (s,) in staff_ids)
        assert len(audit) == 2 and TERMS_VERSION in audit[0][0]


async def test_consent_history_is_append_only_in_the_database(env):
    settings, _ = env
    engine = make_engine(settings.db_url)
    revision = importlib.import_module("ebok_server.migrations.versions.0011_efaktura_consent")
    async with engine.connect() as conn:
        # the seed's resident with e-FAKTURA has consent on record
        seeded = await conn.execute(
            text(
                "SELECT h.event, h.channel, h.at = c.efaktura_activated_at FROM efaktura_consents h "
                "JOIN customers c ON c.id = h.customer_id WHERE c.customer_number = '10002'"
            )
        )
        assert seeded.all() == [("given", "app", True)]
        await conn.commit()
        statements = ["UPDATE efaktura_consents SET email = 'x@example.org'", "DELETE FROM efaktura_consents"]
        if conn.dialect.name == "postgresql":
            statements.append("TRUNCATE efaktura_consents")
        for statement in statements:
            with pytest.raises(DBAPIError, match=revision.MESSAGE):
                async with conn.begin():
                    await conn.execute(text(statement))
        # a customer with history cannot be deleted (the record outlives them)
        with pytest.raises(DBAPIError):
            async with conn.begin():
                await conn.execute(text("DELETE FROM customers WHERE customer_number = '10002'"))
    await engine.dispose()
