"""Invoices, payments, PDFs, contract, readings (read side) and the cross-customer sweep (shared server)."""

from __future__ import annotations

import pytest

from .helpers import assert_error, bearer, login

CUSTOMERS = ["10001", "10002", "10003", "10004"]


@pytest.fixture(scope="module")
def tokens(server_url):
    import httpx

    with httpx.Client(base_url=server_url + "/api/v1", timeout=15) as c:
        return {n: login(c, n) for n in CUSTOMERS}


def _all_invoices(api, token):
    items, offset = [], 0
    while True:
        page = api.get("/invoices", params={"offset": offset, "limit": 200}, headers=bearer(token)).json()
        items += page["items"]
        offset += page["limit"]
        if offset >= page["total"]:
            return items


def test_invoice_list_shape_and_order(api, tokens):
    r = api.get("/invoices", params={"limit": 5}, headers=bearer(tokens["10001"]))
    assert r.status_code == 200
    page = r.json()
    assert page["offset"] == 0 and page["limit"] == 5 and len(page["items"]) == 5
    assert page["total"] >= 25  # 24 months + a few older
    assert page["years"] == sorted(page["years"], reverse=True) and page["years"][0] == 2026
    dates = [i["issue_date"] for i in page["items"]]
    assert dates == sorted(dates, reverse=True)
    first = page["items"][0]
    assert set(first) == {
        "id",
        "number",
        "issue_date",
        "due_date",
        "period_from",
        "period_to",
        "gross",
        "paid",
        "status",
    }
    assert first["status"] == "unpaid" and page["items"][1]["status"] == "overdue"
    assert first["number"].startswith("FV/2026/11/")


def test_invoice_filters(api, tokens):
    h = bearer(tokens["10001"])
    all_items = _all_invoices(api, tokens["10001"])
    for status in ("paid", "unpaid", "overdue", "partially_paid"):
        page = api.get("/invoices", params={"status": status, "limit": 200}, headers=h).json()
        assert page["total"] == sum(1 for i in all_items if i["status"] == status)
        assert all(i["status"] == status for i in page["items"])
    y = api.get("/invoices", params={"year": 2025, "limit": 200}, headers=h).json()
    assert y["total"] == 12 and all(i["issue_date"].startswith("2025-") for i in y["items"])
    partial = api.get("/invoices", params={"status": "partially_paid"}, headers=bearer(tokens["10004"])).json()
    assert partial["total"] == 1 and 0 < partial["items"][0]["paid"] < partial["items"][0]["gross"]


@pytest.mark.parametrize("customer", ["10001", "10004", "10002"])
def test_status_to_pay_is_everything_still_to_pay(api, tokens, customer):
    """``to_pay`` = unpaid + partially_paid + overdue: 10001's unpaid and overdue invoices together,
    10004's partially paid one, nothing for 10002."""
    h = bearer(tokens[customer])
    all_items = _all_invoices(api, tokens[customer])
    page = api.get("/invoices", params={"status": "to_pay", "limit": 200}, headers=h).json()
    expected = [i for i in all_items if i["status"] in ("unpaid", "partially_paid", "overdue")]
    assert page["items"] == expected and page["total"] == len(expected)
    assert {i["status"] for i in page["items"]} == {
        "10001": {"unpaid", "overdue"},
        "10004": {"partially_paid"},
        "10002": set(),
    }[customer]
    assert sum(i["gross"] - i["paid"] for i in page["items"]) == api.get("/balance", headers=h).json()["to_pay"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"status": "lost"}, {"year": "abc"}])
def test_invoice_list_bad_params(api, tokens, params):
    assert_error(api.get("/invoices", params=params, headers=bearer(tokens["10001"])), 422, "validation_error")


def test_invoice_detail_lines_add_up(api, tokens):
    h = bearer(tokens["10001"])
    inv = api.get("/invoices", params={"limit": 1}, headers=h).json()["items"][0]
    d = api.get(f"/invoices/{inv['id']}", headers=h).json()
    assert {k: d[k] for k in inv} == inv
    kinds = [ln["description"] for ln in d["lines"]]
    assert len(kinds) == 3  # water, sewage, fee
    assert sum(ln["gross"] for ln in d["lines"]) == d["gross_total"] == d["gross"]
    assert sum(ln["net"] for ln in d["lines"]) == d["net_total"]
    assert sum(ln["vat"] for ln in d["lines"]) == d["vat_total"]
    assert all(ln["vat_rate"] == 8 and ln["net"] + ln["vat"] == ln["gross"] for ln in d["lines"])
    water, sewage, fee = d["lines"]
    assert water["unit"] == sewage["unit"] == "m3" and water["quantity"] == sewage["quantity"]
    assert fee["unit"] == "szt" and fee["gross"] == 233 and d["efaktura"] is False
    assert d["payments"] == []


def test_invoice_detail_transfer_pays_what_is_open_on_that_invoice(api, tokens):
    """Pay one invoice: the transfer carries the invoice's own remaining amount and number, to the
    customer's individual account (the same one the balance gives); nothing open -> amount 0."""
    seen = set()
    for number in ("10001", "10004"):
        h = bearer(tokens[number])
        balance = api.get("/balance", headers=h).json()
        for inv in _all_invoices(api, tokens[number]):
            d = api.get(f"/invoices/{inv['id']}", headers=h).json()
            tr = d["transfer"]
            assert tr["amount"] == max(d["gross"] - d["paid"], 0)
            assert tr["transfer_title"] == d["number"]
            for key in ("bank_account", "recipient_name", "recipient_address", "recipient_nip"):
                assert tr[key] == balance[key]
            seen.add((tr["amount"] > 0, 0 < d["paid"] < d["gross"]))
    # paid, unpaid and partly paid invoices (of the latter, only the rest is asked for)
    assert {(False, False), (True, False), (True, True)} <= seen


def test_water_only_customer_has_no_sewage_line(api, tokens):
    h = bearer(tokens["10003"])
    inv = api.get("/invoices", params={"limit": 1}, headers=h).json()["items"][0]
    d = api.get(f"/invoices/{inv['id']}", headers=h).json()
    assert [ln["unit"] for ln in d["lines"]] == ["m3", "szt"]
    assert d["status"] == "paid" and d["payments"][0]["amount"] == d["gross"]


def test_efaktura_customer_fee_is_1_zl(api, tokens):
    h = bearer(tokens["10002"])
    inv = api.get("/invoices", params={"limit": 1}, headers=h).json()["items"][0]
    d = api.get(f"/invoices/{inv['id']}", headers=h).json()
    assert d["efaktura"] is True and d["lines"][-1]["gross"] == 100
    oldest = _all_invoices(api, tokens["10002"])[-1]
    d_old = api.get(f"/invoices/{oldest['id']}", headers=h).json()
    assert d_old["efaktura"] is False and d_old["lines"][-1]["gross"] == 233  # before activation


def test_pdf(api, tokens):
    h = bearer(tokens["10001"])
    inv = api.get("/invoices", params={"limit": 1}, headers=h).json()["items"][0]
    r = api.get(f"/invoices/{inv['id']}/pdf", headers=h)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and len(r.content) > 1000
    expected = inv["number"].replace("/", "_") + ".pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="{expected}"'


def test_payments(api, tokens):
    page = api.get("/payments", params={"limit": 200}, headers=bearer(tokens["10002"])).json()
    dates = [p["date"] for p in page["items"]]
    assert dates == sorted(dates, reverse=True)
    assert page["total"] == len(page["items"]) > 20
    unallocated = [p for p in page["items"] if p["invoice_number"] is None]
    assert len(unallocated) == 1 and unallocated[0]["amount"] == 5000
    assert all(p["method"] in ("transfer", "cash", "card") for p in page["items"])


def test_contract(api, tokens):
    c = api.get("/contract", headers=bearer(tokens["10001"])).json()
    assert c["number"] == "UM/2015/00123" and c["concluded_on"] == "2015-03-02"
    assert c["services"] == ["water", "sewage"]
    assert c["meters"][0]["number"] == "WM-1234567"
    assert c["meters"][0]["legalisation_valid_until"] == "2029-05-10"
    c4 = api.get("/contract", headers=bearer(tokens["10004"])).json()
    assert len(c4["meters"]) == 2
    assert api.get("/contract", headers=bearer(tokens["10003"])).json()["services"] == ["water"]


def test_readings_read_side(api, tokens):
    r = api.get("/readings", headers=bearer(tokens["10001"])).json()
    items = r["items"]
    assert 23 <= len(items) <= 25  # about two years of monthly readings
    assert [i["date"] for i in items] == sorted((i["date"] for i in items), reverse=True)
    assert {i["type"] for i in items} <= {"collector", "self", "estimated"} and len({i["type"] for i in items}) >= 2
    for newer, older in zip(items, items[1:], strict=False):
        c = float(newer["consumption"])
        assert abs(float(newer["value"]) - float(older["value"]) - c) < 0.0005
        assert 2.0 <= c <= 15.0  # realistic household consumption per month
    assert r["meters"][0]["last_value"] == items[0]["value"]
    assert r["meters"][0]["max_daily_m3"] == "1.500"
    assert r["period"] == {"start": "2026-11-01", "end": "2026-11-30", "self_reading_submitted": False}
    short = api.get("/readings", params={"months": 3}, headers=bearer(tokens["10001"])).json()
    assert len(short["items"]) == 3


def test_cross_customer_sweep_is_404(api, tokens):
    """Every invoice/thread id of the other residents answers exactly like a missing one."""
    own: dict[str, dict[str, set[int]]] = {}
    for n, t in tokens.items():
        inv_ids = {i["id"] for i in _all_invoices(api, t)}
        thr_ids = {
            i["id"] for i in api.get("/correspondence", params={"limit": 200}, headers=bearer(t)).json()["items"]
        }
        own[n] = {"inv": inv_ids, "thr": thr_ids}
    missing = api.get("/invoices/999999999", headers=bearer(tokens["10001"]))
    assert_error(missing, 404, "not_found")
    for odd in ("0", "-1", "99999999999999999999", "2147483648"):  # never a DB overflow / 500
        for path in (f"/invoices/{odd}", f"/invoices/{odd}/pdf", f"/correspondence/{odd}"):
            r = api.get(path, headers=bearer(tokens["10001"]))
            assert r.status_code == 404 and r.content == missing.content, path
    checked = 0
    for n, t in tokens.items():
        h = bearer(t)
        foreign_inv = set().union(*(own[m]["inv"] for m in tokens if m != n))
        foreign_thr = set().union(*(own[m]["thr"] for m in tokens if m != n))
        assert foreign_inv and not (foreign_inv & own[n]["inv"])
        for i in sorted(foreign_inv)[::3] + [max(foreign_inv)]:
            for path in (f"/invoices/{i}", f"/invoices/{i}/pdf"):
                r = api.get(path, headers=h)
                assert r.status_code == 404 and r.content == missing.content, path
                checked += 1
        for i in foreign_thr:
            r = api.get(f"/correspondence/{i}", headers=h)
            assert r.status_code == 404 and r.content == missing.content
            r = api.post(
                f"/correspondence/{i}/messages", json={"body": "x"}, headers=h | {"Idempotency-Key": f"sweep-{n}-{i}"}
            )
            assert r.status_code == 404 and r.content == missing.content
            checked += 1
    assert checked > 50
