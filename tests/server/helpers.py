"""Small helpers for the server tests (plain httpx against the real server)."""

from __future__ import annotations

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


def helpdesk_access(api: httpx.Client, customer_number: str) -> tuple[dict[str, str], int]:
    """The demo helpdesk operator's headers and a live access to ``customer_number`` (counter visit):
    for the act-for twins, which must answer as the resident's own routes do."""
    r = api.post("/staff/auth/login", json={"login": "pomoc", "password": "pomoc-demo-2026"})
    assert r.status_code == 200, r.text
    headers = bearer(r.json()["token"])
    r = api.post(f"/staff/customers/{customer_number}/access", json={"reason": "counter_visit"}, headers=headers)
    assert r.status_code == 201, r.text
    return headers, r.json()["access_id"]
