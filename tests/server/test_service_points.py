"""Several service points per customer (issue 12 feature 1): the list, the balance's breakdown per
point (adding up to the totals), one point for everyone else, and the staff's act-for twin."""

from __future__ import annotations

from decimal import Decimal

from .helpers import bearer, helpdesk_access, login


def test_a_housing_community_lists_its_three_points(api):
    h = bearer(login(api, "10005"))
    points = api.get("/service-points", headers=h).json()
    assert [p["code"] for p in points] == ["PP-10005-01", "PP-10005-02", "PP-10005-03"]
    assert [p["label"] for p in points] == ["Budynek A", "Budynek B", "Ogród"]
    assert [p["contract_number"] for p in points] == ["UM/2016/00501", "UM/2016/00502", "UM/2019/00503"]
    assert points[0]["address"] == "ul. Słoneczna 8A, Jaworzno"
    # the contract (one section, one contract): the first point's
    assert api.get("/contract", headers=h).json()["number"] == "UM/2016/00501"


def test_the_balance_breaks_down_per_point_and_adds_up(api):
    b = api.get("/balance", headers=bearer(login(api, "10005"))).json()
    points = b["points"]
    assert [p["code"] for p in points] == ["PP-10005-01", "PP-10005-02", "PP-10005-03"]
    assert all(p["to_pay"] > 0 for p in points)  # each point's two latest invoices are open
    assert sum(p["to_pay"] for p in points) == b["to_pay"]
    assert sum(p["overdue"] for p in points) == b["overdue"]
    assert b["balance"] == b["overpayment"] - b["to_pay"]
    # every point has the history a one-point customer has
    invoices = api.get("/invoices", params={"limit": 1}, headers=bearer(login(api, "10005"))).json()
    one = api.get("/invoices", params={"limit": 1}, headers=bearer(login(api, "10001"))).json()
    assert invoices["total"] == 3 * one["total"]


def test_a_customer_with_one_point_has_one_row_equal_to_the_total(api):
    for number in ("10001", "10004"):
        h = bearer(login(api, number))
        points = api.get("/service-points", headers=h).json()
        assert [p["code"] for p in points] == [f"PP-{number}-01"]
        assert points[0]["contract_number"] == api.get("/contract", headers=h).json()["number"]
        b = api.get("/balance", headers=h).json()
        assert [(p["to_pay"], p["overdue"]) for p in b["points"]] == [(b["to_pay"], b["overdue"])]


def test_staff_acting_for_the_community_see_the_same_points(api):
    h, a = helpdesk_access(api, "10005")
    prefix = f"/staff/access/{a}"
    resident = bearer(login(api, "10005"))
    assert api.get(f"{prefix}/service-points", headers=h).json() == (
        api.get("/service-points", headers=resident).json()
    )
    assert (
        api.get(f"{prefix}/balance", headers=h).json()["points"]
        == (api.get("/balance", headers=resident).json()["points"])
    )


def test_invoices_filtered_by_service_point(api):
    h = bearer(login(api, "10005"))
    every = api.get("/invoices", params={"limit": 1}, headers=h).json()["total"]
    totals = [
        api.get("/invoices", params={"service_point": f"PP-10005-0{i}", "limit": 1}, headers=h).json()["total"]
        for i in (1, 2, 3)
    ]
    assert totals == [every // 3] * 3
    open_ = api.get("/invoices", params={"service_point": "PP-10005-02", "status": "to_pay"}, headers=h).json()
    to_pay = {p["code"]: p["to_pay"] for p in api.get("/balance", headers=h).json()["points"]}
    assert sum(i["gross"] - i["paid"] for i in open_["items"]) == to_pay["PP-10005-02"]
    # another customer's point, or no such point: nothing (no disclosure)
    for code in ("PP-10001-01", "PP-99999-01"):
        assert api.get("/invoices", params={"service_point": code}, headers=h).json()["total"] == 0


def test_me_lists_the_points(api):
    """The client learns at login whether to offer a choice of point (no request per screen)."""
    h = bearer(login(api, "10005"))
    assert api.get("/me", headers=h).json()["service_points"] == api.get("/service-points", headers=h).json()
    one = api.get("/me", headers=bearer(login(api, "10001"))).json()["service_points"]
    assert [p["code"] for p in one] == ["PP-10001-01"]


def test_readings_and_contract_filtered_by_service_point(api):
    h = bearer(login(api, "10005"))
    staff, a = helpdesk_access(api, "10005")
    prefix = f"/staff/access/{a}"
    every = api.get("/readings", headers=h).json()
    assert [m["number"] for m in every["meters"]] == ["WM-5010001", "WM-5010002", "WM-5010003"]
    for code, meter, contract in (
        ("PP-10005-01", "WM-5010001", "UM/2016/00501"),
        ("PP-10005-02", "WM-5010002", "UM/2016/00502"),
        ("PP-10005-03", "WM-5010003", "UM/2019/00503"),
    ):
        mine = api.get("/readings", params={"service_point": code}, headers=h).json()
        assert [m["number"] for m in mine["meters"]] == [meter]
        assert {i["meter_number"] for i in mine["items"]} == {meter}
        assert mine["items"] == [i for i in every["items"] if i["meter_number"] == meter]
        c = api.get("/contract", params={"service_point": code}, headers=h).json()
        assert c["number"] == contract and [m["number"] for m in c["meters"]] == [meter]
        # the act-for twins answer the same
        assert api.get(f"{prefix}/readings", params={"service_point": code}, headers=staff).json() == mine
        assert api.get(f"{prefix}/contract", params={"service_point": code}, headers=staff).json() == c
    # another customer's point, or no such point: no meters, and no contract (no disclosure)
    for code in ("PP-10001-01", "PP-99999-01"):
        r = api.get("/readings", params={"service_point": code}, headers=h).json()
        assert r["meters"] == [] and r["items"] == [] and r["period"]["self_reading_submitted"] is False
        assert api.get("/contract", params={"service_point": code}, headers=h).status_code == 404
        assert api.get(f"{prefix}/contract", params={"service_point": code}, headers=staff).status_code == 404


def test_the_yearly_figures_per_point_add_up(api):
    h = bearer(login(api, "10005"))
    y = api.get("/yearly/2025", headers=h).json()
    assert [(p["code"], p["label"]) for p in y["points"]] == [
        ("PP-10005-01", "Budynek A"),
        ("PP-10005-02", "Budynek B"),
        ("PP-10005-03", "Ogród"),
    ]
    assert all(p["invoiced"] > 0 and Decimal(p["consumption"]) > 0 for p in y["points"])
    assert sum(p["invoiced"] for p in y["points"]) == y["invoiced"]
    assert sum(Decimal(p["consumption"]) for p in y["points"]) == Decimal(y["consumption"])
    # each point's consumption is its own meter's, as /readings counts it
    garden = api.get("/readings", params={"service_point": "PP-10005-03", "months": 120}, headers=h).json()
    in_2025 = [Decimal(i["consumption"]) for i in garden["items"] if i["date"].startswith("2025-") and i["consumption"]]
    assert sum(in_2025) == Decimal(y["points"][2]["consumption"])
    # one point: one row equal to the totals
    one = api.get("/yearly/2025", headers=bearer(login(api, "10001"))).json()
    assert [(p["invoiced"], p["consumption"]) for p in one["points"]] == [(one["invoiced"], one["consumption"])]
