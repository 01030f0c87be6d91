"""Password change/reset, registration, e-FAKTURA + invoice issuing, login delay (private server).

The attacks of issue 6 are reproduced in test_auth_security.py (in process, clock injected)."""

from __future__ import annotations

import email
import email.policy
import re


from .helpers import efaktura_on, assert_error, bearer, login


def _mails_to(mail_dir, address):
    out = []
    for p in sorted(mail_dir.glob("*.eml")):
        msg = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        if msg["To"] == address:
            out.append(msg)
    return out


def test_password_change_revokes_other_sessions(own_api):
    a = login(own_api, "10003")
    b = login(own_api, "10003")
    assert_error(
        own_api.post(
            "/auth/password", json={"current_password": "bad", "new_password": "nowe-haslo-1"}, headers=bearer(a)
        ),
        422,
        "wrong_password",
    )
    for weak in ("short", "woda-10003"):
        assert_error(
            own_api.post(
                "/auth/password", json={"current_password": "woda-10003", "new_password": weak}, headers=bearer(a)
            ),
            422,
            "weak_password",
        )
    assert own_api.get("/me", headers=bearer(b)).status_code == 200  # failures changed nothing
    r = own_api.post(
        "/auth/password", json={"current_password": "woda-10003", "new_password": "nowe-haslo-1"}, headers=bearer(a)
    )
    assert r.status_code == 204
    assert own_api.get("/me", headers=bearer(a)).status_code == 200  # caller stays logged in
    assert_error(own_api.get("/me", headers=bearer(b)), 401, "unauthorized")
    assert_error(
        own_api.post("/auth/login", json={"customer_number": "10003", "password": "woda-10003"}),
        401,
        "invalid_credentials",
    )
    login(own_api, "10003", "nowe-haslo-1")


def test_password_reset_by_code_against_the_subprocess_server(own_server, own_api):
    old = login(own_api, "10004")
    wrong = own_api.post("/auth/password-reset", json={"customer_number": "10004", "email": "nobody@example.com"})
    assert wrong.status_code == 202 and wrong.json() == {"status": "accepted"}
    unknown = own_api.post("/auth/password-reset", json={"customer_number": "55555", "email": "k.wojcik@example.com"})
    assert unknown.status_code == 202 and unknown.content == wrong.content
    assert _mails_to(own_server.mail_dir, "nobody@example.com") == []

    r = own_api.post("/auth/password-reset", json={"customer_number": "10004", "email": "K.Wojcik@example.com"})
    assert r.status_code == 202
    mails = _mails_to(own_server.mail_dir, "k.wojcik@example.com")
    assert len(mails) == 1
    assert own_api.get("/me", headers=bearer(old)).status_code == 200  # a request alone changes nothing
    login(own_api, "10004")
    code = re.search(r"Kod: (\S+)", mails[0].get_content()).group(1)
    r = own_api.post(
        "/auth/password-reset/confirm",
        json={"customer_number": "10004", "code": code, "new_password": "kran w kuchni cieknie"},
    )
    assert r.status_code == 204, r.text
    assert_error(own_api.get("/me", headers=bearer(old)), 401, "unauthorized")  # all sessions revoked
    assert_error(
        own_api.post("/auth/login", json={"customer_number": "10004", "password": "woda-10004"}),
        401,
        "invalid_credentials",
    )
    login(own_api, "10004", "kran w kuchni cieknie")
    assert_error(
        own_api.post("/auth/password-reset", json={"customer_number": "10004", "email": "not-an-email"}),
        422,
        "validation_error",
    )


def test_registration_of_a_customer_with_access_only_notifies(own_server, own_api):
    req = {"contract_number": "UM/2015/00123", "meter_number": "WM-1234567", "invoice_gross": 12345}
    token = login(own_api, "10001")
    r = own_api.post("/auth/register", json=req | {"email": "intruz@example.com", "full_name": "X"})
    assert r.status_code == 202 and r.json() == {"status": "accepted"}
    assert _mails_to(own_server.mail_dir, "intruz@example.com") == []
    [notice] = _mails_to(own_server.mail_dir, "jan.kowalski@example.com")
    assert "Nic nie zmieniliśmy" in notice.get_content()
    assert own_api.get("/me", headers=bearer(token)).json()["email"] == "jan.kowalski@example.com"
    login(own_api, "10001")
    err = assert_error(own_api.post("/auth/register", json=req | {"invoice_gross": "12,34"}), 422, "validation_error")
    assert "invoice_gross" in err["fields"]


def _latest_invoice(api, token):
    inv = api.get("/invoices", params={"limit": 1}, headers=bearer(token)).json()["items"][0]
    return api.get(f"/invoices/{inv['id']}", headers=bearer(token)).json()


def test_efaktura_activation_changes_fee_of_next_invoice(own_server, own_api):
    t = login(own_api, "10002")
    h = bearer(t)
    st = own_api.get("/efaktura", headers=h).json()
    assert st["active"] is True and st["current_fee_gross"] == 100 and st["email"] == "anna.nowak@example.com"
    assert st["fee_with_gross"] == 100 and st["fee_without_gross"] == 233
    # withdraw, then an invalid e-mail changes nothing
    off = own_api.post("/efaktura/withdraw", headers=h)
    assert off.status_code == 200
    assert {k: off.json()[k] for k in ("active", "email", "activated_at", "current_fee_gross", "pending")} == {
        "active": False,
        "email": None,
        "activated_at": None,
        "current_fee_gross": 233,
        "pending": None,
    }
    assert_error(own_api.post("/efaktura/withdraw", headers=h), 422, "efaktura_not_active")
    for bad in ("anna", "anna@", "@example.com", "", "a b@example.com"):
        r = own_api.post("/efaktura/request", json={"email": bad, "terms_version": st["terms_version"]}, headers=h)
        assert_error(r, 422, "validation_error")
    assert own_api.get("/efaktura", headers=h).json()["active"] is False
    assert own_api.get("/me", headers=h).json()["efaktura_active"] is False

    out = own_server.cli("issue-invoices", "--today", "2026-11-15", "--period", "2026-11")
    assert "issued 8 invoice(s)" in out.stdout, out.stdout  # one per service point: 4 + 10005's 3 + 10006
    inv = _latest_invoice(own_api, t)
    assert inv["period_from"] == "2026-11-01" and inv["issue_date"] == "2026-11-15"
    assert inv["efaktura"] is False and inv["lines"][-1]["gross"] == 233

    on = efaktura_on(own_api, h, own_server.mail_dir, "anna@example.org")
    assert on["active"] is True and on["email"] == "anna@example.org"
    assert on["activated_at"].startswith("2026-11-15T") and on["current_fee_gross"] == 100
    changed = efaktura_on(own_api, h, own_server.mail_dir, "anna2@example.org")
    assert changed["email"] == "anna2@example.org" and changed["activated_at"] == on["activated_at"]

    out = own_server.cli("issue-invoices", "--today", "2026-12-10", "--period", "2026-12")
    assert "issued 8 invoice(s)" in out.stdout
    inv = _latest_invoice(own_api, t)
    fee = inv["lines"][-1]
    assert inv["efaktura"] is True and fee["gross"] == 100 and fee["net"] + fee["vat"] == 100
    assert inv["number"].startswith("FV/2026/12/")
    # the same period is not issued twice
    assert (
        "issued 0 invoice(s)" in own_server.cli("issue-invoices", "--today", "2026-12-10", "--period", "2026-12").stdout
    )

    assert own_api.post("/efaktura/withdraw", headers=h).status_code == 200
    own_server.cli("issue-invoices", "--today", "2027-01-10", "--period", "2027-01")
    inv = _latest_invoice(own_api, t)
    assert inv["efaktura"] is False and inv["lines"][-1]["gross"] == 233


def test_login_delay_instead_of_lock(own_api):
    for _ in range(5):
        assert_error(
            own_api.post("/auth/login", json={"customer_number": "10001", "password": "zle-haslo"}),
            401,
            "invalid_credentials",
        )
    # the sixth attempt has to wait one second (not 15 minutes); Retry-After says so
    r = own_api.post("/auth/login", json={"customer_number": "10001", "password": "woda-10001"})
    assert_error(r, 429, "rate_limited")
    assert r.headers["Retry-After"] == "1"
    # other numbers are unaffected
    assert_error(
        own_api.post("/auth/login", json={"customer_number": "10002", "password": "zle-haslo"}),
        401,
        "invalid_credentials",
    )


async def test_parallel_efaktura_withdrawals_agree(own_server):
    """20 parallel withdrawals: exactly one succeeds (an UPDATE conditional on the state it was
    decided from) and the history has one "withdrawn" row."""
    import asyncio

    import httpx

    async with httpx.AsyncClient(base_url=own_server.api, timeout=60) as c:
        r = await c.post("/auth/login", json={"customer_number": "10005", "password": "woda-10005"})
        h = bearer(r.json()["token"])
        with httpx.Client(base_url=own_server.api, timeout=60) as sync:
            on = efaktura_on(sync, h, own_server.mail_dir, "k@example.com")
        assert on["active"] is True
        off = await asyncio.gather(*(c.post("/efaktura/withdraw", headers=h) for _ in range(20)))
        assert sorted(r.status_code for r in off) == [200] + [422] * 19
        final = (await c.get("/efaktura", headers=h)).json()
        assert final["active"] is False and final["email"] is None and final["current_fee_gross"] == 233
        assert [e["event"] for e in final["history"]] == ["withdrawn", "given"]
