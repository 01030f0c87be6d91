"""Staff mode on the server (issue 9): roles, TOTP, search, acting for a customer, audit log,
"who viewed my data". Runs on SQLite, and on PostgreSQL when EBOK_TEST_PG_URL is set."""

from __future__ import annotations

import importlib

import asyncio
import json
import os
import re
import time
import uuid

import httpx
import pyotp
import pytest

from tests.server_proc import running_server

from .helpers import assert_error, bearer, login

PG_URL = os.environ.get("EBOK_TEST_PG_URL")
DEMO = {
    "pomoc": ("pomoc-demo-2026", None),
    "urzednik": ("urzednik-demo-2026", "EBOKDEMOURZEDNIKTOTPSEKRETBBBBBB"),
    "kierownik": ("kierownik-demo-2026", "EBOKDEMOKIEROWNIKTOTPSEKRETAAAAA"),
}
ROLE_LOGIN = {"helpdesk": "pomoc", "clerk": "urzednik", "supervisor": "kierownik"}


def _sql(db_url: str, statement: str) -> None:
    from sqlalchemy import text

    from ebok_server.db import make_engine

    async def run():
        engine = make_engine(db_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text(statement))
        finally:  # also when the statement is refused: no connection outlives the loop
            await engine.dispose()

    asyncio.run(run())


def _pg_database(url: str, name: str, create: bool) -> str:
    """Create (or drop) database ``name`` next to the one in ``url``; returns its URL. A database of
    its own: other modules (test_postgres) wipe the EBOK_TEST_PG_URL database, possibly in parallel."""
    import asyncpg
    from sqlalchemy.engine import make_url

    base = make_url(url)

    async def run():
        conn = await asyncpg.connect(
            host=base.host, port=base.port or 5432, user=base.username, password=base.password, database=base.database
        )
        try:
            if create:
                await conn.execute(f'CREATE DATABASE "{name}"')
            else:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(run())
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def srv(request, tmp_path_factory):
    name = None
    kwargs = {}
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("set EBOK_TEST_PG_URL=postgresql+asyncpg://... to run")
        name = f"ebok_staff_{uuid.uuid4().hex[:12]}"
        kwargs["db_url"] = _pg_database(PG_URL, name, create=True)
    try:
        with running_server(
            tmp_path_factory.mktemp("staff"), "--seed-customers", "400", "--reply-deadline-days", "4", **kwargs
        ) as info:
            yield info
    finally:
        if name:
            _pg_database(PG_URL, name, create=False)


@pytest.fixture(scope="module")
def api(srv):
    with httpx.Client(base_url=srv.api, timeout=20) as c:
        yield c


def staff_login(api: httpx.Client, login_name: str) -> str:
    password, secret = DEMO[login_name]
    body = {"login": login_name, "password": password}
    if secret:
        body["totp_code"] = pyotp.TOTP(secret).now()
    r = api.post("/staff/auth/login", json=body)
    assert r.status_code == 200, r.text
    return r.json()["token"]


@pytest.fixture(scope="module")
def tokens(api):
    """One login per demo staff account for the module (a TOTP code is good for one login only)."""
    return {role: staff_login(api, name) for role, name in ROLE_LOGIN.items()}


def audit_page(api, tokens, **params) -> dict:
    r = api.get("/staff/audit", params={"limit": 200} | params, headers=bearer(tokens["supervisor"]))
    assert r.status_code == 200, r.text
    return r.json()


# ---- role matrix -------------------------------------------------------------------------------
H, C, S = "helpdesk", "clerk", "supervisor"
ALL = {H, C, S}
CONSENT = {"form": "phone", "note": "zgoda ustna"}
# (method, path, json, headers, roles allowed, (status, code) when allowed)
#: What every role may read about the customer being served (``/staff/access/{a}/...``).
ACT_FOR_READS = (
    "balance",
    "contract",
    "service-points",
    "efaktura",
    "notices",
    "invoices",
    "invoices/{inv}",
    "invoices/{inv}/pdf",
    "payments",
    "water-quality",
    "yearly/2025",
    "readings",
    "correspondence",
)
MATRIX = [
    ("GET", "/staff/me", None, {}, ALL, (200, None)),
    ("GET", "/staff/customers?q=kowal", None, {}, ALL, (200, None)),
    ("POST", "/staff/customers/10003/access", {"reason": "counter_visit"}, {}, ALL, (201, None)),
    *[("GET", f"/staff/access/{{a}}/{read}", None, {}, ALL, (200, None)) for read in ACT_FOR_READS],
    # changes: allowed roles reach the domain check, which refuses these particular requests
    ("POST", "/staff/access/{a}/correspondence/2147483647/replies", {"body": "x"}, {}, ALL, (404, "not_found")),
    (
        "POST",
        "/staff/access/{a}/readings",
        {"meter_number": "NO-SUCH", "value": "1"},
        {},
        {C, S},
        (422, "unknown_meter"),
    ),
    (
        "POST",
        "/staff/access/{a}/correspondence",
        {"kind": "other", "subject": "s", "body": "b"},
        {},
        {C, S},
        (422, "idempotency_key_required"),
    ),
    (
        "POST",
        "/staff/access/{a}/contact-change",
        {"phone": "+48 500 000 000"},
        {},
        {C, S},
        (422, "idempotency_key_required"),
    ),
    (
        "PUT",
        "/staff/access/{a}/customer-type",
        {"customer_type": "person", "nip": "5265877635", "reason": "test"},
        {},
        {C, S},
        (422, "nip_not_allowed"),
    ),
    (
        "PUT",
        "/staff/access/{a}/efaktura",
        {"active": False, "consent": CONSENT},
        {},
        {C, S},
        (422, "efaktura_not_active"),
    ),
    ("GET", "/staff/queue", None, {}, ALL, (200, None)),
    ("GET", "/staff/queue/{thr}", None, {}, ALL, (200, None)),
    ("POST", "/staff/queue/2147483647/take", None, {}, ALL, (404, "not_found")),
    ("POST", "/staff/queue/2147483647/replies", {"body": "x"}, {}, ALL, (404, "not_found")),
    ("POST", "/staff/queue/2147483647/status", {"status": "closed"}, {}, ALL, (404, "not_found")),
    ("POST", "/staff/queue/2147483647/assign", {"login": None}, {}, {S}, (404, "not_found")),
    ("GET", "/staff/audit", None, {}, {S}, (200, None)),
    ("GET", "/staff/audit/export?customer_number=10003", None, {}, {S}, (200, None)),
    # a period that has not ended: allowed roles reach the check, nothing is invoiced
    ("POST", "/staff/billing/run", {"period": "2099-01"}, {}, {S}, (422, "period_not_closed")),
    ("GET", "/staff/accounts", None, {}, {S}, (200, None)),
    ("GET", "/staff/notices", None, {}, {S}, (200, None)),
    # an empty body: allowed roles reach the validation, nothing is published
    ("POST", "/staff/notices", {}, {}, {S}, (422, "validation_error")),
    (
        "POST",
        "/staff/accounts",
        {"login": "x1", "full_name": "X", "role": "clerk", "password": "short"},
        {},
        {S},
        (422, "validation_error"),
    ),
    ("POST", "/staff/accounts/no-such-login/disable", None, {}, {S}, (404, "not_found")),
]


def test_role_matrix(api, tokens):
    resident = login(api, "10003")
    access = {}
    for role, tok in tokens.items():
        r = api.post("/staff/customers/10003/access", json={"reason": "counter_visit"}, headers=bearer(tok))
        assert r.status_code == 201, r.text
        access[role] = r.json()["access_id"]
    inv = api.get("/invoices", params={"limit": 1}, headers=bearer(resident)).json()["items"][0]["id"]
    thr = api.get("/correspondence", headers=bearer(login(api, "10004"))).json()["items"][0]["id"]
    for method, path, body, headers, allowed, (ok_status, ok_code) in MATRIX:
        for who in (H, C, S, "resident", "nobody"):
            tok = tokens.get(who) or (resident if who == "resident" else None)
            url = path.format(a=access.get(who, access[H]), inv=inv, thr=thr)
            hdrs = headers | (bearer(tok) if tok else {})
            r = api.request(method, url, json=body, headers=hdrs)
            case = f"{method} {path} as {who}"
            if who in ("resident", "nobody"):
                assert_error(r, 401, "unauthorized")
            elif who in allowed:
                assert r.status_code == ok_status, (case, r.status_code, r.text)
                if ok_code:
                    assert r.json()["error"]["code"] == ok_code, (case, r.text)
            else:
                assert_error(r, 403, "forbidden")
    # an access is its owner's only: another role's token cannot use it
    assert_error(api.get(f"/staff/access/{access[C]}/balance", headers=bearer(tokens[H])), 404, "access_not_live")
    for role, tok in tokens.items():
        assert api.post(f"/staff/access/{access[role]}/close", headers=bearer(tok)).status_code == 204
        assert_error(api.get(f"/staff/access/{access[role]}/balance", headers=bearer(tok)), 404, "access_not_live")


def test_tokens_do_not_cross(api, tokens):
    resident = login(api, "10002")
    for path in ("/me", "/balance", "/invoices", "/readings", "/correspondence", "/account/data-access"):
        assert_error(api.get(path, headers=bearer(tokens[H])), 401, "unauthorized")
        assert api.get(path, headers=bearer(resident)).status_code == 200
    for path in ("/staff/me", "/staff/customers?q=nowak", "/staff/audit"):
        assert_error(api.get(path, headers=bearer(resident)), 401, "unauthorized")


# ---- TOTP ----------------------------------------------------------------------------------------
def test_totp_wrong_and_replayed_codes_are_refused(srv, api):
    out = srv.cli(
        "staff",
        "add",
        "operator.test",
        "--name",
        "Olga Test",
        "--role",
        "helpdesk",
        "--password",
        "bardzo-dlugie-haslo-1",
    ).stdout
    secret = re.search(r"^secret: ([A-Z2-7]+)$", out, re.M).group(1)
    assert "uri: otpauth://totp/" in out
    body = {"login": "operator.test", "password": "bardzo-dlugie-haslo-1"}
    assert_error(api.post("/staff/auth/login", json=body), 401, "totp_required")
    totp = pyotp.TOTP(secret)
    good = totp.now()
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    assert_error(api.post("/staff/auth/login", json=body | {"totp_code": wrong}), 401, "invalid_totp")
    assert_error(api.post("/staff/auth/login", json=body | {"totp_code": "12ab56"}), 401, "invalid_totp")
    assert_error(
        api.post("/staff/auth/login", json=body | {"password": "zle-haslo", "totp_code": good}),
        401,
        "invalid_credentials",
    )
    r = api.post("/staff/auth/login", json=body | {"totp_code": good})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "helpdesk" and r.json()["idle_timeout_seconds"] == 900
    assert_error(api.post("/staff/auth/login", json=body | {"totp_code": good}), 401, "invalid_totp")  # replay
    # an older code (previous step, still inside the drift window) is refused after a newer one was used
    older = totp.at(time.time() - 30)
    assert_error(api.post("/staff/auth/login", json=body | {"totp_code": older}), 401, "invalid_totp")

    # reset-totp: a new secret, old sessions end, the old secret no longer works
    token = r.json()["token"]
    out = srv.cli("staff", "reset-totp", "operator.test").stdout
    new_secret = re.search(r"^secret: ([A-Z2-7]+)$", out, re.M).group(1)
    assert new_secret != secret
    assert_error(api.get("/staff/me", headers=bearer(token)), 401, "unauthorized")
    r = api.post("/staff/auth/login", json=body | {"totp_code": pyotp.TOTP(new_secret).now()})
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert "disabled" in srv.cli("staff", "disable", "operator.test").stdout
    assert_error(api.get("/staff/me", headers=bearer(token)), 401, "unauthorized")
    assert_error(
        api.post("/staff/auth/login", json=body | {"totp_code": pyotp.TOTP(new_secret).now()}),
        401,
        "invalid_credentials",
    )
    assert srv.cli("staff", "reset-totp", "kierownik", "--off", check=False).returncode == 2  # supervisors keep TOTP


# ---- search --------------------------------------------------------------------------------------
def _search(api, tokens, q, **params):
    r = api.get("/staff/customers", params={"q": q} | params, headers=bearer(tokens[H]))
    assert r.status_code == 200, (q, r.text)
    return r.json()


def _numbers(page):
    return [i["customer_number"] for i in page["items"]]


@pytest.mark.parametrize(
    "q,number,match",
    [
        ("10003", "10003", "exact"),  # customer number
        ("FV/2026/11/000003", "10003", "exact"),  # invoice number
        ("wm-3456789", "10003", "exact"),  # meter serial, any case
        ("WM-34567", "10003", "prefix"),
        ("wisniewski", "10003", "prefix"),  # name without diacritics
        ("Wiśniewski", "10003", "prefix"),
        ("WIŚNIEW", "10003", "prefix"),
        ("isniews", "10003", "fragment"),
        ("lesna 3", "10003", "prefix"),  # address
        ("Leśna", "10003", "prefix"),
        ("anna.nowak@example", "10002", "prefix"),  # e-mail
        ("601 234 567", "10001", "prefix"),  # phone, as written
        ("601234567", "10001", "fragment"),  # phone, digits only
        ("wojcik", "10004", "prefix"),
        ("Wójcik", "10004", "prefix"),
    ],
)
def test_search_each_field(api, tokens, q, number, match):
    page = _search(api, tokens, q, limit=200)
    hit = next((i for i in page["items"] if i["customer_number"] == number), None)
    assert hit is not None, (q, page)
    assert hit["match"] == match, (q, hit)


def test_search_lodz_ranking_and_paging(api, tokens):
    with_diacritics = _search(api, tokens, "Łódź", limit=200)
    without = _search(api, tokens, "lodz", limit=200)
    assert with_diacritics["total"] > 5 and _numbers(with_diacritics) == _numbers(without)
    assert all("Łódź" in i["address"] for i in without["items"])
    # exact number first, then prefix, then fragment
    page = _search(api, tokens, "10001", limit=200)
    assert page["items"][0]["customer_number"] == "10001" and page["items"][0]["match"] == "exact"
    ranks = [
        ("exact", "prefix", "fragment").index(i["match"]) for i in _search(api, tokens, "nowak", limit=200)["items"]
    ]
    assert ranks == sorted(ranks) and ranks[0] == 1
    full = _search(api, tokens, "jaworzno", limit=200)
    part = _search(api, tokens, "jaworzno", offset=3, limit=4)
    assert part["total"] == full["total"] and _numbers(part) == _numbers(full)[3:7]
    assert_error(api.get("/staff/customers", params={"q": "ab"}, headers=bearer(tokens[H])), 422, "validation_error")
    assert _search(api, tokens, "zzqqxx")["total"] == 0


# ---- acting for a customer and the audit log -----------------------------------------------------
def _phone_call(api, h: dict, customer: str, *passed: str) -> httpx.Response:
    """Open ``customer`` for a phone call in which the caller passed the checks named in ``passed``."""
    checks = {check: check in passed for check in ("customer_number", "address", "last_invoice_amount")}
    return api.post(
        f"/staff/customers/{customer}/access", json={"reason": "phone_call", "verification": checks}, headers=h
    )


def test_acting_writes_one_audit_entry_per_view_and_change(api, tokens):
    h = bearer(tokens[C])
    before = audit_page(api, tokens)["total"]
    r = _phone_call(api, h, "10004", "customer_number", "last_invoice_amount")
    assert r.status_code == 201, r.text
    a = r.json()["access_id"]
    assert r.json()["customer"]["full_name"] == "Katarzyna Wójcik"

    def new_entries():  # newest first
        page = audit_page(api, tokens)
        return page["items"][: page["total"] - before]

    assert len(new_entries()) == 1
    readings = api.get(f"/staff/access/{a}/readings", headers=h).json()
    api.get(f"/staff/access/{a}/balance", headers=h)
    invoice = api.get(f"/staff/access/{a}/invoices", params={"limit": 1}, headers=h).json()["items"][0]
    pdf = api.get(f"/staff/access/{a}/invoices/{invoice['id']}/pdf", headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert api.get(f"/staff/access/{a}/invoices/2147483647/pdf", headers=h).status_code == 404  # no entry
    meter = readings["meters"][0]
    value = f"{float(meter['last_value']) + 2:.3f}"
    assert (
        api.post(
            f"/staff/access/{a}/readings", json={"meter_number": meter["number"], "value": "0.000"}, headers=h
        ).status_code
        == 422
    )  # refused: no change, no entry
    r = api.post(f"/staff/access/{a}/readings", json={"meter_number": meter["number"], "value": value}, headers=h)
    assert r.status_code == 201, r.text
    entries = new_entries()
    assert [(e["resource"], e["action"]) for e in reversed(entries)] == [
        ("customer", "view"),
        ("readings", "view"),
        ("balance", "view"),
        ("invoices", "view"),
        (f"invoice_pdf:{invoice['number']}", "view"),
        ("reading", "change"),
    ]
    for e in entries:
        assert e["reason"] == "phone_call" and e["staff_login"] == "urzednik" and e["customer_number"] == "10004"
        assert e["access_id"] == a and e["source"] == "127.0.0.1"
    change = entries[0]
    assert change["before"]["last_value"] == meter["last_value"]
    assert change["after"] == {"meter_number": meter["number"], "value": value, "date": "2026-11-15", "type": "self"}
    # the resident sees the reading
    resident = login(api, "10004")
    mine = api.get("/readings", headers=bearer(resident)).json()
    assert mine["items"][0]["value"] == value
    assert api.post(f"/staff/access/{a}/close", headers=h).status_code == 204


def test_failed_phone_verification_opens_nothing(api, tokens):
    h = bearer(tokens[H])
    before = audit_page(api, tokens)["total"]
    assert_error(_phone_call(api, h, "10002", "customer_number"), 403, "verification_failed")
    assert audit_page(api, tokens)["total"] == before
    assert_error(
        api.post("/staff/customers/10002/access", json={"reason": "phone_call"}, headers=h), 422, "validation_error"
    )
    assert_error(
        api.post("/staff/customers/10002/access", json={"reason": "other"}, headers=h), 422, "validation_error"
    )
    assert_error(
        api.post("/staff/customers/99998/access", json={"reason": "counter_visit"}, headers=h), 404, "not_found"
    )


def test_resident_sees_dates_and_purposes_only_of_own_data(api, tokens):
    h = bearer(tokens[H])
    r = api.post("/staff/customers/10001/access", json={"reason": "other", "reason_text": "Pismo z sądu"}, headers=h)
    a = r.json()["access_id"]
    api.get(f"/staff/access/{a}/invoices", headers=h)
    api.post(f"/staff/access/{a}/close", headers=h)
    mine = api.get("/account/data-access", headers=bearer(login(api, "10001")))
    assert mine.status_code == 200
    items = mine.json()["items"]
    assert len(items) == 1
    item = items[0]
    assert set(item) == {"date", "opened_at", "purpose", "purpose_text", "resources", "changed"}
    assert item["purpose"] == "other" and item["purpose_text"] == "Pismo z sądu"
    assert item["resources"] == ["customer", "invoices"] and item["changed"] is False
    for name in ("pomoc", "Ewa", "Pomocna", "kierownik", "urzednik"):
        assert name not in mine.text
    # nobody opened 10002 (the failed phone verification disclosed nothing): an empty list
    assert api.get("/account/data-access", headers=bearer(login(api, "10002"))).json() == {"items": []}


def _dialect(db_url: str) -> str:
    return "postgresql" if db_url.startswith("postgresql") else "sqlite"


def test_audit_log_is_append_only_in_the_database(srv, api, tokens):
    """Not even SQL sent straight to the database changes or removes an entry (triggers)."""
    from sqlalchemy.exc import DBAPIError

    assert audit_page(api, tokens)["total"] >= 1
    statements = ["UPDATE audit_log SET source = '10.9.9.9' WHERE id = 1", "DELETE FROM audit_log WHERE id = 1"]
    if _dialect(srv.db_url) == "postgresql":
        statements.append("TRUNCATE audit_log")
    for statement in statements:
        with pytest.raises(DBAPIError, match="audit_log is append-only"):
            _sql(srv.db_url, statement)
    assert next(e for e in audit_page(api, tokens)["items"] if e["id"] == 1)["source"] != "10.9.9.9"
    assert srv.cli("audit", "verify").returncode == 0


def test_audit_verify_detects_a_changed_entry(srv, api, tokens):
    revision = importlib.import_module("ebok_server.migrations.versions.0003_audit_log_append_only")
    APPEND_ONLY_DDL, APPEND_ONLY_DROP = revision.APPEND_ONLY_DDL, revision.APPEND_ONLY_DROP

    assert audit_page(api, tokens)["total"] >= 3
    ok = srv.cli("audit", "verify")
    assert ok.returncode == 0 and "chain intact" in ok.stdout, ok.stdout
    original = next(e for e in audit_page(api, tokens)["items"] if e["id"] == 2)["source"]
    # an attacker with the schema owner's access to the database drops the append-only triggers first
    for statement in APPEND_ONLY_DROP[_dialect(srv.db_url)]:
        _sql(srv.db_url, statement)
    _sql(srv.db_url, "UPDATE audit_log SET source = '10.9.9.9' WHERE id = 2")
    broken = srv.cli("audit", "verify", check=False)
    assert broken.returncode == 1 and "BROKEN at entry 2" in broken.stdout, broken.stdout
    _sql(srv.db_url, f"UPDATE audit_log SET source = '{original}' WHERE id = 2")
    assert srv.cli("audit", "verify").returncode == 0
    # removing the newest entry is caught by the chain head
    newest, previous = audit_page(api, tokens)["items"][:2]
    _sql(srv.db_url, f"DELETE FROM audit_log WHERE id = {newest['id']}")
    gone = srv.cli("audit", "verify", check=False)
    assert gone.returncode == 1 and f"BROKEN at entry {newest['id']}" in gone.stdout, gone.stdout
    # (only someone with write access to the database could also rewind the head, as this does)
    _sql(srv.db_url, f"UPDATE audit_head SET last_id = {previous['id']}, last_hash = '{previous['hash']}'")
    assert srv.cli("audit", "verify").returncode == 0
    for statement in APPEND_ONLY_DDL[_dialect(srv.db_url)]:  # the rest of the module runs append-only again
        _sql(srv.db_url, statement)


def test_staff_login_is_throttled_like_residents(api):
    """The residents' progressive delay per account applies to staff login names (free attempts,
    then 429 with Retry-After), for names that exist or not alike."""
    body = {"login": "nie.ma.takiego", "password": "zle-haslo"}
    for _ in range(5):  # Limits.login_free_attempts
        assert_error(api.post("/staff/auth/login", json=body), 401, "invalid_credentials")
    r = api.post("/staff/auth/login", json=body)
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) >= 1


def test_concurrent_audit_appends_keep_one_chain(srv, api, tokens):
    """Parallel requests each append an entry: ids stay contiguous and the chain verifies."""
    import threading

    h = bearer(tokens[S])
    a = api.post("/staff/customers/10002/access", json={"reason": "written_request"}, headers=h).json()["access_id"]
    before = audit_page(api, tokens)["total"]
    results: list[int] = []
    go = threading.Barrier(8)

    def fire():
        with httpx.Client(base_url=srv.api, timeout=30) as c:
            go.wait()
            results.append(c.get(f"/staff/access/{a}/balance", headers=h).status_code)

    threads = [threading.Thread(target=fire) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 8
    page = audit_page(api, tokens)
    assert page["total"] == before + 8
    ids = [e["id"] for e in page["items"]]
    assert ids == list(range(ids[0], ids[0] - len(ids), -1))  # no gaps, no duplicates
    api.post(f"/staff/access/{a}/close", headers=h)
    ok = srv.cli("audit", "verify")
    assert ok.returncode == 0 and "chain intact" in ok.stdout, ok.stdout


def test_correspondence_queue(api, tokens):
    """Overdue first (deadline 4 days on this server: the 5-day-old open thread of 10001 is overdue);
    take, assign, reply (the resident sees it), close; each change audited with reason correspondence."""
    page = api.get("/staff/queue", params={"limit": 200}, headers=bearer(tokens[H])).json()
    items = page["items"]
    overdue = [i for i in items if i["overdue"]]
    assert overdue and items[: len(overdue)] == overdue
    first = overdue[0]
    assert first["customer_number"] == "10001" and first["status"] == "in_progress" and first["age_days"] == 5
    assert first["deadline"] == "2026-11-14" and first["assignee"] is None
    not_overdue_open = [i for i in items if not i["overdue"] and i["status"] in ("sent", "in_progress")]
    assert not_overdue_open and all(i["deadline"] >= "2026-11-15" for i in not_overdue_open)
    tid = first["id"]

    before = audit_page(api, tokens)["total"]
    taken = api.post(f"/staff/queue/{tid}/take", headers=bearer(tokens[C]))
    assert taken.status_code == 200 and taken.json()["assignee"] == "urzednik", taken.text
    assert_error(api.post(f"/staff/queue/{tid}/take", headers=bearer(tokens[H])), 409, "already_taken")
    r = api.post(f"/staff/queue/{tid}/assign", json={"login": "pomoc"}, headers=bearer(tokens[S]))
    assert r.status_code == 200 and r.json()["assignee"] == "pomoc"
    mine = api.get("/staff/queue", params={"assignee": "me"}, headers=bearer(tokens[H])).json()
    assert [i["id"] for i in mine["items"]] == [tid]
    r = api.post(
        f"/staff/queue/{tid}/replies", json={"body": "Wynik badania: woda zdatna do picia."}, headers=bearer(tokens[H])
    )
    assert r.status_code == 201 and r.json()["author"] == "utility", r.text
    resident = bearer(login(api, "10001"))
    thread = api.get(f"/correspondence/{tid}", headers=resident).json()
    assert thread["status"] == "answered" and thread["messages"][-1]["body"] == "Wynik badania: woda zdatna do picia."
    r = api.post(f"/staff/queue/{tid}/status", json={"status": "closed"}, headers=bearer(tokens[H]))
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["overdue"] is False
    assert_error(
        api.post(f"/staff/queue/{tid}/replies", json={"body": "x"}, headers=bearer(tokens[H])), 422, "thread_closed"
    )
    entries = audit_page(api, tokens)["items"][: audit_page(api, tokens)["total"] - before]
    assert [(e["staff_login"], e["action"]) for e in reversed(entries)] == [
        ("urzednik", "change"),
        ("kierownik", "change"),
        ("pomoc", "change"),
        ("pomoc", "change"),
    ]
    assert {e["reason"] for e in entries} == {"correspondence"} and {e["resource"] for e in entries} == {
        f"thread:{tid}"
    }
    seen = api.get("/account/data-access", headers=resident).json()["items"]
    assert seen[0]["purpose"] == "correspondence" and seen[0]["changed"] is True and seen[0]["resources"] == ["thread"]


def test_staff_idle_timeout_is_15_minutes():
    import datetime as dt

    from ebok_server.staff import staff_session_is_expired
    from ebok_server.staff_models import StaffSession

    t0 = dt.datetime(2026, 11, 15, 8, 0)
    sess = StaffSession(created_at=t0, last_used_at=t0)
    assert not staff_session_is_expired(sess, t0 + dt.timedelta(minutes=14, seconds=59))
    assert staff_session_is_expired(sess, t0 + dt.timedelta(minutes=15))
    sess.last_used_at = t0 + dt.timedelta(hours=11, minutes=50)
    assert staff_session_is_expired(sess, t0 + dt.timedelta(hours=12))  # absolute limit


# ---- supervisor extras ---------------------------------------------------------------------------
def _csv(text: str) -> list[dict]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_audit_export_csv(api, tokens):
    """The filtered entries oldest first as CSV, the export itself recorded as the last row; a cell a
    spreadsheet would run as a formula is defused."""
    h = bearer(tokens[S])
    a = api.post(
        "/staff/customers/10004/access",
        json={"reason": "other", "reason_text": '=HYPERLINK("http://x")'},
        headers=h,
    ).json()["access_id"]
    assert api.get(f"/staff/access/{a}/balance", headers=h).status_code == 200
    api.post(f"/staff/access/{a}/close", headers=h)
    r = api.get("/staff/audit/export", params={"customer_number": "10004"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="audit-')
    rows = _csv(r.text)
    listed = audit_page(api, tokens, customer_number="10004")["items"]
    export = rows[-1]
    assert export["resource"] == "audit_export" and export["staff_login"] == "kierownik"
    assert json.loads(export["after"]) == {"customer_number": "10004"} and export["customer_number"] == ""
    ours = rows[:-1]
    assert [int(x["id"]) for x in ours] == sorted(e["id"] for e in listed if e["id"] < int(export["id"]))
    assert all(x["customer_number"] == "10004" for x in ours)
    assert ours[-1]["resource"] == "balance" and ours[-1]["reason_text"] == '\'=HYPERLINK("http://x")'
    assert [x["hash"] for x in ours] == [e["hash"] for e in reversed(listed) if e["id"] < int(export["id"])]
    # the export is in the log (what the supervisor exported), not in the resident's "who viewed my data"
    assert audit_page(api, tokens, staff_login="kierownik")["items"][0]["resource"] == "audit_export"
    mine = api.get("/account/data-access", headers=bearer(login(api, "10004"))).json()["items"]
    assert all("audit_export" not in i["resources"] for i in mine)


def test_billing_run_once_per_period(srv, api, tokens):
    """Two supervisors start the same period at once: every customer is invoiced once (the database's
    unique constraint), a third run issues nothing; the runs are audited. (Last in the module: it adds
    invoices.)"""
    import threading

    h = bearer(tokens[S])
    results: list[dict] = []
    go = threading.Barrier(2)

    def run():
        with httpx.Client(base_url=srv.api, timeout=120) as c:
            go.wait()
            r = c.post("/staff/billing/run", json={"period": "2019-01"}, headers=h)
            assert r.status_code == 200, r.text
            results.append(r.json())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2
    issued = sum(r["issued"] for r in results)
    # --seed-customers 400: the demo customers and the bulk ones, one invoice per service point
    # (each has one, the housing community 10005 three)
    assert issued == 402
    assert sum(r["gross_total"] for r in results) > 0
    again = api.post("/staff/billing/run", json={"period": "2019-01"}, headers=h).json()
    assert again == {"period": "2019-01", "issued": 0, "gross_total": 0}
    invoices = api.get("/invoices", params={"limit": 200}, headers=bearer(login(api, "10002"))).json()["items"]
    assert [i["period_from"] for i in invoices].count("2019-01-01") == 1
    runs = [e for e in audit_page(api, tokens)["items"] if e["resource"] == "billing_run:2019-01"]
    assert sorted(e["after"]["issued"] for e in runs) == sorted([0, *(r["issued"] for r in results)])
    assert_error(api.post("/staff/billing/run", json={"period": "2019-13"}, headers=h), 422, "validation_error")
