"""Self-readings: every rejection leaves nothing behind (private server)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from .helpers import assert_error, bearer, login


@pytest.fixture(scope="module")
def tok(own_server):
    with httpx.Client(base_url=own_server.api, timeout=15) as c:
        return {n: login(c, n) for n in ("10001", "10003", "10004")}


def _state(api, token):
    r = api.get("/readings", headers=bearer(token))
    assert r.status_code == 200
    return r.json()


def _post(api, token, meter, value):
    return api.post("/readings", json={"meter_number": meter, "value": value}, headers=bearer(token))


def test_rejections_store_nothing_then_accept_once(own_api, tok):
    t = tok["10001"]
    before = _state(own_api, t)
    meter = before["meters"][0]
    last = float(meter["last_value"])
    assert meter["last_date"] == "2026-10-28"  # 18 days before today -> max 27.000 m3

    err = assert_error(_post(own_api, t, "WM-1234567", f"{last - 0.001:.3f}"), 422, "reading_below_last")
    assert meter["last_value"] in err["fields"]["value"]
    err = assert_error(_post(own_api, t, "WM-1234567", f"{last + 27.001:.3f}"), 422, "reading_implausible")
    assert f"{last + 27:.3f}" in err["fields"]["value"]
    assert_error(_post(own_api, t, "WM-0000000", f"{last + 1:.3f}"), 422, "unknown_meter")
    assert_error(_post(own_api, t, "WM-2345678", "400.000"), 422, "unknown_meter")  # Anna's meter
    for bad in ("-1.000", "12.3456", "abc", "", "1e3", "12,5", " 12.5", "1234567.000", "9" * 30):
        err = assert_error(_post(own_api, t, "WM-1234567", bad), 422, "validation_error")
        assert "value" in err["fields"]
    assert_error(
        own_api.post("/readings", json={"meter_number": "WM-1234567", "value": 1015.5}, headers=bearer(t)),
        422,
        "validation_error",
    )
    assert _state(own_api, t) == before  # nothing changed

    value = f"{last + 27.0:.3f}"  # exactly the plausible maximum is accepted
    r = _post(own_api, t, "WM-1234567", value)
    assert r.status_code == 201, r.text
    item = r.json()
    assert item | {"id": 0} == {
        "id": 0,
        "date": "2026-11-15",
        "meter_number": "WM-1234567",
        "value": value,
        "type": "self",
        "consumption": "27.000",
    }
    after = _state(own_api, t)
    assert after["items"][0] == item
    assert after["meters"][0]["last_value"] == value and after["meters"][0]["self_reading_submitted"] is True
    assert after["period"]["self_reading_submitted"] is True

    err = assert_error(_post(own_api, t, "WM-1234567", f"{last + 27.5:.3f}"), 422, "reading_already_submitted")
    assert _state(own_api, t) == after


def test_equal_value_is_allowed_and_meters_are_independent(own_api, tok):
    t = tok["10004"]
    st = _state(own_api, t)
    main, garden = st["meters"]
    r = _post(own_api, t, main["number"], main["last_value"])
    assert r.status_code == 201 and r.json()["consumption"] == "0.000"
    st2 = _state(own_api, t)
    assert st2["period"]["self_reading_submitted"] is False  # garden meter still open
    assert _post(own_api, t, garden["number"], garden["last_value"]).status_code == 201
    assert _state(own_api, t)["period"]["self_reading_submitted"] is True


def test_reading_requires_auth(own_api):
    assert_error(own_api.post("/readings", json={"meter_number": "WM-3456789", "value": "1.000"}), 401, "unauthorized")


async def test_parallel_identical_self_readings_store_exactly_one(own_server):
    """50 identical submissions per meter at once (a double-click, a retry storm): the database's
    unique index lets exactly one through; the others get the clean 422, never a 500."""
    async with httpx.AsyncClient(base_url=own_server.api, timeout=60, limits=httpx.Limits(max_connections=100)) as c:
        # A fresh token: its first 10 s of use write nothing, so the requests are not serialised
        # by the session's last-use update and really race to the insert.
        r = await c.post("/auth/login", json={"customer_number": "10002", "password": "woda-10002"})
        # (10002: the correction tests below use 10003)
        t = r.json()["token"]
        before = (await c.get("/readings", headers=bearer(t))).json()
        meters = before["meters"]
        assert meters and not any(m["self_reading_submitted"] for m in meters)
        value = {m["number"]: f"{float(m['last_value']) + 1:.3f}" for m in meters}
        n = 50 * len(meters)
        # Open the connections first (keep-alive), so the submissions arrive together, not one per handshake.
        await asyncio.gather(*(c.get("/health") for _ in range(n)))
        replies = await asyncio.gather(
            *(
                c.post("/readings", json={"meter_number": m["number"], "value": value[m["number"]]}, headers=bearer(t))
                for _ in range(50)
                for m in meters
            )
        )
        after = (await c.get("/readings", headers=bearer(t))).json()
    assert sorted(r.status_code for r in replies) == sorted([201] * len(meters) + [422] * 49 * len(meters))
    for r in replies:
        if r.status_code == 422:
            assert_error(r, 422, "reading_already_submitted")
    stored = [i for i in after["items"] if i["type"] == "self" and i["date"] == "2026-11-15"]
    assert sorted(i["meter_number"] for i in stored) == sorted(m["number"] for m in meters)
    assert len(after["items"]) == len(before["items"]) + len(meters)
    assert all(m["self_reading_submitted"] for m in after["meters"])


def _put(api, token, reading_id, value):
    return api.put(f"/readings/{reading_id}", json={"value": value}, headers=bearer(token))


def test_correct_this_periods_self_reading_in_place(own_api, tok):
    t = tok["10003"]
    before = _state(own_api, t)
    meter = before["meters"][0]
    assert meter["self_reading_id"] is None and meter["self_reading_submitted"] is False
    last = float(meter["last_value"])
    old_items = before["items"]
    # neither a collector reading nor an older self-reading can be corrected
    for item in old_items:
        assert_error(_put(own_api, t, item["id"], f"{last + 1:.3f}"), 422, "reading_window_closed")
    r = _post(own_api, t, meter["number"], f"{last + 1:.3f}")
    assert r.status_code == 201, r.text
    first = r.json()
    st = _state(own_api, t)
    assert st["meters"][0]["self_reading_id"] == first["id"]

    # rejections change nothing
    assert_error(_put(own_api, t, first["id"], f"{last - 0.001:.3f}"), 422, "reading_below_last")
    assert_error(_put(own_api, t, first["id"], f"{last + 500:.3f}"), 422, "reading_implausible")
    assert_error(_put(own_api, t, first["id"], "12,5"), 422, "validation_error")
    assert_error(_put(own_api, t, first["id"], ""), 422, "validation_error")
    assert_error(_put(own_api, t, 2_147_483_648, "1.000"), 404, "not_found")
    assert_error(_put(own_api, tok["10001"], first["id"], f"{last + 2:.3f}"), 404, "not_found")  # not hers
    assert_error(own_api.put(f"/readings/{first['id']}", json={"value": f"{last + 2:.3f}"}), 401, "unauthorized")
    assert _state(own_api, t) == st

    # a correction updates the same row: still one self-reading of this meter in this period
    r = _put(own_api, t, first["id"], f"{last + 2.5:.3f}")
    assert r.status_code == 200, r.text
    assert r.json() == first | {"value": f"{last + 2.5:.3f}", "consumption": "2.500"}
    r = _put(own_api, t, first["id"], f"{last:.3f}")  # down to the previous reading: allowed
    assert r.status_code == 200 and r.json()["consumption"] == "0.000"
    after = _state(own_api, t)
    assert [i for i in after["items"] if i["id"] != first["id"]] == old_items
    assert after["items"][0]["id"] == first["id"] and after["items"][0]["value"] == f"{last:.3f}"
    assert after["meters"][0]["self_reading_id"] == first["id"]
    assert_error(_post(own_api, t, meter["number"], f"{last + 1:.3f}"), 422, "reading_already_submitted")


def test_no_correction_once_the_period_is_billed(own_server, own_api, tok):
    t = tok["10003"]
    reading_id = _state(own_api, t)["meters"][0]["self_reading_id"]
    assert reading_id is not None  # from the previous test
    value = _state(own_api, t)["meters"][0]["last_value"]
    own_server.cli("issue-invoices", "--today", "2026-11-15", "--period", "2026-11")  # an early billing run
    err = assert_error(_put(own_api, t, reading_id, value), 422, "reading_window_closed")
    assert "invoice" in err["message"]
