"""Several service points per customer (issue 12 feature 1): the list, the balance's breakdown per
point (adding up to the totals), one point for everyone else, and the staff's act-for twin."""

from __future__ import annotations

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
    resident = bearer(login(api, "10005"))
    assert api.get(f"/staff/access/{a}/service-points", headers=h).json() == (
        api.get("/service-points", headers=resident).json()
    )
    assert (
        api.get(f"/staff/access/{a}/balance", headers=h).json()["points"]
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
