"""Small helpers for the server tests (plain httpx against the real server)."""

from __future__ import annotations

import re

import httpx

DEMO_TODAY = "2026-11-15"


def login(client: httpx.Client, number: str, password: str | None = None) -> str:
    r = client.post("/auth/login", json={"customer_number": number, "password": password or f"woda-{number}"})
    assert r.status_code == 200, r.text
    return r.json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def mailed_efaktura_codes(mail_dir, address: str) -> list[str]:
    """The e-FAKTURA confirmation codes the server mailed to ``address`` (its mail folder), newest first."""
    from ebok_server.mailer import read_mailbox

    mails = [m for m in read_mailbox(mail_dir) if m["to"] == address and "e-FAKTUR" in m["subject"]]
    return [re.search(r"Kod potwierdzenia: (\d{6})", m["body"]).group(1) for m in mails]


def efaktura_on(client: httpx.Client, headers: dict[str, str], mail_dir, address: str) -> dict:
    """Switch e-FAKTURA on at ``address`` as the resident does: request, the mailed code, confirm."""
    terms = client.get("/efaktura/terms", headers=headers).json()["version"]
    r = client.post("/efaktura/request", json={"email": address, "terms_version": terms}, headers=headers)
    assert r.status_code == 200, r.text
    r = client.post("/efaktura/confirm", json={"code": mailed_efaktura_codes(mail_dir, address)[0]}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def helpdesk_access(api: httpx.Client, customer_number: str) -> tuple[dict[str, str], int]:
    """The demo helpdesk operator's headers and a live access to ``customer_number`` (counter visit):
    for the act-for twins, which must answer as the resident's own routes do."""
    r = api.post("/staff/auth/login", json={"login": "pomoc", "password": "pomoc-demo-2026"})
    assert r.status_code == 200, r.text
    headers = bearer(r.json()["token"])
    r = api.post(f"/staff/customers/{customer_number}/access", json={"reason": "counter_visit"}, headers=headers)
    assert r.status_code == 201, r.text
    return headers, r.json()["access_id"]
