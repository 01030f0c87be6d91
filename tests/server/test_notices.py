"""Notices of failures and planned interruptions (issue 12, feature 2): the matching to supply
addresses, the resident's list, a supervisor's publication (permission-checked, audited) and
``ebok-server notice add``. Runs on SQLite, and on PostgreSQL when EBOK_TEST_PG_URL is set."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys

import httpx
import pyotp
import pytest

from ebok_server.models import Notice
from ebok_server.notices import concerns, normalise_streets, place_of

from .helpers import assert_error, bearer, login

SUPERVISOR = ("kierownik", "kierownik-demo-2026", "EBOKDEMOKIEROWNIKTOTPSEKRETAAAAA")
CLERK = ("urzednik", "urzednik-demo-2026", "EBOKDEMOURZEDNIKTOTPSEKRETBBBBBB")


def staff_token(api: httpx.Client, account: tuple[str, str, str]) -> str:
    name, password, secret = account
    r = api.post("/staff/auth/login", json={"login": name, "password": password, "totp_code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200, r.text
    return r.json()["token"]


# ---- matching (pure) -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "address, streets, city, expected",
    [
        ("ul. Grunwaldzka 12/4, Jaworzno", "grunwaldzka", "Jaworzno", True),
        ("ul. Grunwaldzka 12/4, 43-600 Jaworzno", "Grunwaldzka", "JAWORZNO", True),
        ("UL. GRUNWALDZKA 7, Jaworzno", "", "Jaworzno", True),  # no streets: the whole city
        ("ul. Grunwaldzka 12/4, Katowice", "grunwaldzka", "Jaworzno", False),
        ("ul. Mickiewicza 5/12, Jaworzno", "grunwaldzka", "Jaworzno", False),
        ("ul. Grunwaldzkiego Parku 3, Jaworzno", "grunwaldzka", "Jaworzno", False),  # not a prefix match
        ("al. Piłsudskiego 3a, Jaworzno", "Aleja Piłsudskiego", "Jaworzno", True),
        ("ul. Grunwaldzka 12", "grunwaldzka", "Jaworzno", False),  # no city: never matched
    ],
)
def test_matching(address, streets, city, expected):
    notice = Notice(city=city, streets="\n".join(normalise_streets(streets.split(","))))
    assert concerns(notice, place_of(address)) is expected


# ---- the resident's list (the demo seed) ---------------------------------------------------------
def test_resident_sees_active_and_planned_notices_for_the_street(api):
    r = api.get("/notices", headers=bearer(login(api, "10001")))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["emergency_phone"] == "994"
    kinds = [(n["kind"], n["active"]) for n in body["items"]]
    assert kinds == [("failure", True), ("planned", False)]  # the past one is not listed
    assert "Grunwaldzkiej" in body["items"][0]["text_pl"]
    assert body["items"][0]["streets"] == ["grunwaldzka"]


def test_other_street_sees_only_what_concerns_it(api):
    items = api.get("/notices", headers=bearer(login(api, "10002"))).json()["items"]  # ul. Mickiewicza
    assert [(n["kind"], n["active"]) for n in items] == [("planned", False)]
    assert api.get("/notices", headers=bearer(login(api, "10003"))).json()["items"] == []  # ul. Leśna


def test_notices_need_a_login(api):
    assert_error(api.get("/notices"), 401, "unauthorized")


# ---- publication by a supervisor -----------------------------------------------------------------
@pytest.fixture(scope="module")
def supervisor(own_server):
    """One supervisor login for the module (a TOTP code is good for one login only)."""
    with httpx.Client(base_url=own_server.api, timeout=15) as c:
        return staff_token(c, SUPERVISOR)


def test_supervisor_publishes_a_notice_audited(own_api, supervisor):
    token = supervisor
    body = {
        "kind": "failure",
        "city": " Jaworzno ",
        "streets": ["ul. Leśna", "leśna 3", ""],
        "starts_at": "2026-11-14T08:00:00Z",
        "ends_at": "2026-11-16T20:00:00+01:00",
        "text_pl": "Awaria na ul. Leśnej.",
        "text_en": "Failure in Leśna Street.",
    }
    r = own_api.post("/staff/notices", json=body, headers=bearer(token))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["streets"] == ["leśna"] and out["city"] == "Jaworzno" and out["active"] is True
    assert out["ends_at"].startswith("2026-11-16T19:00")  # stored in UTC
    items = own_api.get("/notices", headers=bearer(login(own_api, "10003"))).json()["items"]
    assert [n["id"] for n in items] == [out["id"]]
    listed = own_api.get("/staff/notices", headers=bearer(token)).json()["items"]
    assert out["id"] in [n["id"] for n in listed]
    audit = own_api.get("/staff/audit", params={"limit": 50}, headers=bearer(token)).json()["items"]
    entry = next(e for e in audit if e["resource"] == f"notice:{out['id']}")
    assert entry["action"] == "change" and entry["after"]["streets"] == ["leśna"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"ends_at": "2026-11-14T08:00:00Z"}, "ends_at"),  # not after the start
        ({"kind": "rumour"}, "kind"),
        ({"city": "   "}, "city"),
        ({"text_en": " "}, "text_en"),
        ({"text_pl": "a\x00b"}, "text_pl"),
    ],
)
def test_invalid_notice_is_refused(own_api, supervisor, change, field):
    token = supervisor
    body = {
        "kind": "planned",
        "city": "Jaworzno",
        "starts_at": "2026-11-14T08:00:00Z",
        "ends_at": "2026-11-15T08:00:00Z",
        "text_pl": "x",
        "text_en": "x",
    } | change
    err = assert_error(own_api.post("/staff/notices", json=body, headers=bearer(token)), 422, "validation_error")
    assert field in str(err)


def test_clerk_and_resident_cannot_publish(own_api):
    body = {"kind": "planned", "city": "J", "starts_at": "2026-11-14T08:00", "ends_at": "2026-11-15T08:00"}
    body |= {"text_pl": "x", "text_en": "x"}
    clerk = staff_token(own_api, CLERK)
    assert_error(own_api.post("/staff/notices", json=body, headers=bearer(clerk)), 403, "forbidden")
    assert_error(own_api.get("/staff/notices", headers=bearer(clerk)), 403, "forbidden")
    resident = login(own_api, "10001")
    assert own_api.post("/staff/notices", json=body, headers=bearer(resident)).status_code == 401


# ---- the CLI -------------------------------------------------------------------------------------
def test_cli_notice_add(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    base = [sys.executable, "-m", "ebok_server", "notice", "add", "--db", url, "--city", "Jaworzno"]
    args = base + ["--kind", "planned", "--street", "ul. Grunwaldzka 12", "--start", "2026-12-01T08:00"]
    args += ["--end", "2026-12-01T14:00", "--text-pl", "Wyłączenie.", "--text-en", "Interruption."]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "notice 1 published" in done.stdout
    bad = base + ["--kind", "failure", "--start", "2026-12-01T08:00", "--end", "2026-12-01T07:00"]
    bad += ["--text-pl", "x", "--text-en", "x"]
    refused = subprocess.run(bad, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "ends_at" in refused.stderr

    async def rows():
        from sqlalchemy import select

        from ebok_server.db import make_engine, make_sessionmaker

        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as s:
                return (await s.scalars(select(Notice))).all()
        finally:
            await engine.dispose()

    (notice,) = asyncio.run(rows())
    assert (notice.kind, notice.city, notice.streets, notice.created_by) == (
        "planned",
        "Jaworzno",
        "grunwaldzka",
        "cli",
    )
    assert notice.starts_at == dt.datetime(2026, 12, 1, 8) and notice.ends_at == dt.datetime(2026, 12, 1, 14)
