"""The tariff (issue 12 feature 4): ``GET /tariff`` per tariff group of the customer's service points,
and each invoice line's calculation with the tariff row that priced it (the shared demo server)."""

from __future__ import annotations

from .helpers import bearer, helpdesk_access, login

G1_NOW = [
    ("water", "m3", 587, 8, 634, "2015-01-01", "2026-12-31"),
    ("sewage", "m3", 824, 8, 890, "2015-01-01", "2026-12-31"),
    ("fee_efaktura", "szt", 93, 8, 100, "2015-01-01", None),
    ("fee_paper", "szt", 216, 8, 233, "2015-01-01", None),
]
RATE_KEYS = ("component", "unit", "unit_price_net", "vat_rate", "unit_price_gross", "valid_from", "valid_to")


def _rates(rates: list[dict]) -> list[tuple]:
    return [tuple(r[k] for k in RATE_KEYS) for r in rates]


def test_the_tariff_in_force_with_the_decided_change(api):
    body = api.get("/tariff", headers=bearer(login(api, "10001"))).json()
    assert body["as_of"] == "2026-11-15" and body["efaktura_active"] is False
    [group] = body["groups"]
    assert group["tariff_group"] == "G1" and group["points"] == ["PP-10001-01"]
    assert _rates(group["rates"]) == G1_NOW
    assert _rates(group["upcoming"]) == [
        ("water", "m3", 605, 8, 653, "2027-01-01", None),
        ("sewage", "m3", 851, 8, 919, "2027-01-01", None),
    ]


def test_points_in_different_groups_get_a_group_each(api):
    body = api.get("/tariff", headers=bearer(login(api, "10005"))).json()
    assert [(g["tariff_group"], g["points"]) for g in body["groups"]] == [
        ("G1", ["PP-10005-01", "PP-10005-02"]),
        ("G2", ["PP-10005-03"]),
    ]
    g2 = body["groups"][1]
    assert [r[:5] for r in _rates(g2["rates"])] == [r[:5] for r in G1_NOW] and g2["upcoming"] == []
    assert {r["valid_to"] for r in g2["rates"]} == {None}


def test_an_invoice_line_shows_its_calculation_and_tariff_row(api):
    h = bearer(login(api, "10002"))  # e-FAKTURA: the cheaper fee
    inv = api.get("/invoices", headers=h).json()["items"][0]
    detail = api.get(f"/invoices/{inv['id']}", headers=h).json()
    tariffs = [(ln["tariff"]["tariff_group"], ln["tariff"]["component"]) for ln in detail["lines"]]
    assert tariffs == [("G1", "water"), ("G1", "sewage"), ("G1", "fee_efaktura")]
    for ln in detail["lines"]:
        quantity_milli = int(ln["quantity"].replace(".", ""))
        assert ln["net"] == (quantity_milli * ln["unit_price_net"] * 2 + 1000) // 2000  # x unit price, rounded
        assert ln["vat"] == (ln["net"] * ln["vat_rate"] * 2 + 100) // 200 and ln["gross"] == ln["net"] + ln["vat"]
        assert ln["tariff"]["valid_from"] == "2015-01-01"
    assert sum(ln["gross"] for ln in detail["lines"]) == detail["gross_total"]


def test_staff_acting_for_a_customer_see_the_same_tariff(api):
    h, a = helpdesk_access(api, "10005")
    resident = bearer(login(api, "10005"))
    assert api.get(f"/staff/access/{a}/tariff", headers=h).json() == api.get("/tariff", headers=resident).json()
    assert api.get("/tariff").status_code == 401
