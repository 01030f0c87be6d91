"""One pass over the whole API with the large benchmark customer (``--seed-large 500``), on each
backend (SQLite, and PostgreSQL when EBOK_TEST_PG_URL is set): asyncpg's int4 bounds, the
idempotency race and the staff CLI on the same database."""

from __future__ import annotations

import threading
import uuid

import httpx
import pytest

from tests.server_proc import running_server

from .helpers import assert_error, bearer, efaktura_on, login


@pytest.fixture
def big_server(tmp_path, fresh_db_url):
    with running_server(
        tmp_path, "--seed-demo", "--today", "2026-11-15", "--seed-large", "500", db_url=fresh_db_url
    ) as srv:
        yield srv


def test_end_to_end_with_large_customer(big_server):
    with httpx.Client(base_url=big_server.api, timeout=20) as api:
        assert_error(
            api.post("/auth/login", json={"customer_number": "10001", "password": "zle"}), 401, "invalid_credentials"
        )
        t = login(api, "10001")
        h = bearer(t)
        b = api.get("/balance", headers=h).json()
        assert b["to_pay"] > b["overdue"] > 0 and b["next_due_date"] == "2026-11-24"
        page = api.get("/invoices", params={"year": 2025, "limit": 200}, headers=h).json()
        assert page["total"] == 12 and page["years"][0] == 2026
        assert api.get("/invoices", params={"status": "overdue"}, headers=h).json()["total"] == 1
        inv = page["items"][0]
        assert api.get(f"/invoices/{inv['id']}/pdf", headers=h).content.startswith(b"%PDF")
        assert api.get("/payments", headers=h).json()["total"] > 20

        readings = api.get("/readings", headers=h).json()
        last = float(readings["meters"][0]["last_value"])
        assert_error(
            api.post("/readings", json={"meter_number": "WM-1234567", "value": f"{last - 1:.3f}"}, headers=h),
            422,
            "reading_below_last",
        )
        r = api.post("/readings", json={"meter_number": "WM-1234567", "value": f"{last + 5:.3f}"}, headers=h)
        assert r.status_code == 201, r.text
        assert_error(
            api.post("/readings", json={"meter_number": "WM-1234567", "value": f"{last + 6:.3f}"}, headers=h),
            422,
            "reading_already_submitted",
        )
        corrected = api.put(f"/readings/{r.json()['id']}", json={"value": f"{last + 4.5:.3f}"}, headers=h)
        assert corrected.status_code == 200 and corrected.json()["consumption"] == "4.500", corrected.text
        assert api.get("/health").json()["server_id"] == "demo"

        before = api.get("/correspondence", headers=h).json()["total"]
        key = str(uuid.uuid4())
        body = {"kind": "other", "subject": "PG", "body": "Test"}
        results = []

        def fire():
            with httpx.Client(base_url=big_server.api, timeout=20) as c:
                results.append(c.post("/correspondence", json=body, headers=h | {"Idempotency-Key": key}))

        threads = [threading.Thread(target=fire) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert [x.status_code for x in results] == [201] * 4
        assert len({x.json()["id"] for x in results}) == 1
        assert api.get("/correspondence", headers=h).json()["total"] == before + 1
        assert_error(
            api.post("/correspondence", json=body | {"body": "Inny"}, headers=h | {"Idempotency-Key": key}),
            409,
            "idempotency_conflict",
        )

        for path in ("/invoices/99999999999999999999", "/correspondence/2147483648"):
            assert_error(api.get(path, headers=h), 404, "not_found")  # not an int4 overflow (500)
        assert_error(api.get("/payments", params={"offset": 10**19}, headers=h), 422, "validation_error")
        assert_error(
            api.post("/readings", json={"meter_number": "WM-1234567", "value": "9999999.000"}, headers=h),
            422,
            "validation_error",
        )
        other = login(api, "10002")
        assert_error(api.get(f"/invoices/{inv['id']}", headers=bearer(other)), 404, "not_found")

        assert efaktura_on(api, h, big_server.mail_dir, "jan@example.org")["active"] is True
        out = big_server.cli("issue-invoices", "--today", "2026-11-15", "--period", "2026-11")
        assert "issued 9 invoice(s)" in out.stdout, out.stdout  # 8 demo service points + the large one
        assert_error(
            api.put(f"/readings/{r.json()['id']}", json={"value": f"{last + 4:.3f}"}, headers=h),
            422,
            "reading_window_closed",
        )  # the period is billed now
        newest = api.get("/invoices", params={"limit": 1}, headers=h).json()["items"][0]
        d = api.get(f"/invoices/{newest['id']}", headers=h).json()
        assert d["efaktura"] is True and d["lines"][-1]["gross"] == 100

        big = login(api, "19999")
        page = api.get("/invoices", params={"limit": 200}, headers=bearer(big)).json()
        assert page["total"] == 501 and len(page["items"]) == 200
