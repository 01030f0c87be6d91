"""Health, demo-info, login/logout, /me, /balance against the shared demo server."""

from __future__ import annotations

import pytest

from .helpers import DEMO_TODAY, assert_error, bearer, login


def test_health(api):
    r = api.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": "0.1.0", "today": DEMO_TODAY, "server_id": "demo"}


def test_demo_info_lists_customers(api):
    r = api.get("/demo-info")
    assert r.status_code == 200
    customers = {c["customer_number"]: c for c in r.json()["customers"]}
    assert {"10001", "10002", "10003", "10004"} <= set(customers)
    assert customers["10001"]["password"] == "woda-10001"
    assert customers["10001"]["description_pl"] and customers["10001"]["description_en"]


def test_login_me_logout(api):
    r = api.post("/auth/login", json={"customer_number": "10001", "password": "woda-10001"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["customer_number"] == "10001"
    assert body["idle_timeout_seconds"] == 1800
    assert body["expires_at"].endswith("Z")
    assert len(body["token"]) >= 43  # 256 bits urlsafe
    token = body["token"]
    me = api.get("/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json() == {
        "customer_number": "10001",
        "full_name": "Jan Kowalski",
        "email": "jan.kowalski@example.com",
        "address": "ul. Grunwaldzka 12/4, 43-600 Jaworzno",
        "efaktura_active": False,
        "service_points": [
            {
                "code": "PP-10001-01",
                "label": "ul. Grunwaldzka 12/4, Jaworzno",
                "address": "ul. Grunwaldzka 12/4, Jaworzno",
                "contract_number": "UM/2015/00123",
            }
        ],
        "unread_threads": 1,  # the seed's unread reply (brown water)
        "notifications": {
            "reply": True,
            "invoice": False,
            "notice": True,
            "reading_window": False,
            "legalisation": True,
        },
    }
    assert api.post("/auth/logout", headers=bearer(token)).status_code == 204
    assert_error(api.get("/me", headers=bearer(token)), 401, "unauthorized")
    # logout with a revoked token is itself unauthorized
    assert_error(api.post("/auth/logout", headers=bearer(token)), 401, "unauthorized")


def test_wrong_password_and_unknown_account_are_identical(api):
    wrong = api.post("/auth/login", json={"customer_number": "10003", "password": "nope-nope"})
    unknown = api.post("/auth/login", json={"customer_number": "55555", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.content == unknown.content
    assert_error(wrong, 401, "invalid_credentials")


@pytest.mark.parametrize("number", ["1001", "100011", "abcde", "1000a", "", " 10001", "١٠٠٠١"])
def test_malformed_customer_number_is_422(api, number):
    err = assert_error(
        api.post("/auth/login", json={"customer_number": number, "password": "x"}), 422, "validation_error"
    )
    assert "customer_number" in err["fields"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic abc", "bearer " + "x" * 43])
def test_missing_or_bad_token(api, header):
    headers = {"Authorization": header} if header else {}
    assert_error(api.get("/me", headers=headers), 401, "unauthorized")


def test_balance_jan(api):
    token = login(api, "10001")
    b = api.get("/balance", headers=bearer(token)).json()
    assert b["as_of"] == DEMO_TODAY
    assert b["to_pay"] > 0 and b["overdue"] > 0 and b["to_pay"] > b["overdue"]
    assert b["overpayment"] == 0
    assert b["balance"] == b["overpayment"] - b["to_pay"]
    assert b["next_due_date"] == "2026-11-24"
    assert b["next_due_amount"] == b["to_pay"] - b["overdue"]
    assert b["overdue_since"] == "2026-10-24"  # the October invoice
    # the amount covers both open invoices; their two numbers do not fit the 2D code's 32 characters
    assert b["transfer_title"] == "Saldo 10001 na 15.11.2026"
    iban = b["bank_account"]
    assert iban.startswith("PL") and len(iban) == 28 and iban[2:].isdigit() and iban.endswith("10001")
    assert int(iban[4:] + "2521" + iban[2:4]) % 97 == 1
    assert b["recipient_name"] and b["recipient_nip"].isdigit()


def test_balance_anna_overpayment(api):
    token = login(api, "10002")
    b = api.get("/balance", headers=bearer(token)).json()
    assert b == b | {
        "to_pay": 0,
        "overdue": 0,
        "overpayment": 5000,
        "balance": 5000,
        "next_due_date": None,
        "next_due_amount": None,
        "overdue_since": None,
        "transfer_title": "Klient 10002",
    }


def test_balance_title_names_the_one_open_invoice(api):
    b = api.get("/balance", headers=bearer(login(api, "10004"))).json()
    assert b["transfer_title"] == "FV/2026/11/000004" and b["overdue_since"] is None
    assert b["to_pay"] == 7684  # the remainder of the partially paid invoice, not its gross
