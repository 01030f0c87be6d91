"""The balance and the demo panel as the seeded data ages: seeded on 2026-11-15, the same database
served again on 2026-11-25, when every open invoice is past its due date."""

from __future__ import annotations

import httpx
import pytest

from ebok_server.seed import describe_invoices
from tests.server_proc import aged_server

from .helpers import bearer, login


@pytest.fixture(scope="module")
def aged(tmp_path_factory):
    """Two servers on one database: seeded on 2026-11-15, then served on 2026-11-25."""
    with aged_server(tmp_path_factory.mktemp("aging")) as later:
        with httpx.Client(base_url=later.api, timeout=15) as client:
            yield client


def _descriptions(client: httpx.Client, lang: str) -> dict[str, str]:
    return {c["customer_number"]: c[f"description_{lang}"] for c in client.get("/demo-info").json()["customers"]}


def test_everything_overdue_has_no_next_due_date_but_a_since(aged):
    b = aged.get("/balance", headers=bearer(login(aged, "10001"))).json()
    assert b["as_of"] == "2026-11-25"
    assert b["next_due_date"] is None and b["next_due_amount"] is None
    assert b["overdue"] == b["to_pay"] == 23748
    assert b["overdue_since"] == "2026-10-24"
    assert b["transfer_title"] == "Saldo 10001 na 25.11.2026"


def test_the_demo_panel_describes_the_invoices_as_they_are_today(aged, api):
    today_pl, later_pl = _descriptions(api, "pl"), _descriptions(aged, "pl")
    assert "dwie faktury do zapłaty (jedna po terminie)" in today_pl["10001"]
    assert "dwie faktury do zapłaty (obie po terminie)" in later_pl["10001"]
    assert "jedna faktura do zapłaty (opłacona częściowo)" in today_pl["10004"]
    assert "jedna faktura do zapłaty (po terminie, opłacona częściowo)" in later_pl["10004"]
    assert "wszystko opłacone, nadpłata 50,00 zł" in today_pl["10002"]
    assert "{" not in "".join(today_pl.values()) + "".join(later_pl.values())
    later_en = _descriptions(aged, "en")
    assert "two invoices to pay (both overdue)" in later_en["10001"]
    assert "everything paid, overpayment PLN 50.00" in later_en["10002"]


@pytest.mark.parametrize(
    ("counts", "pl", "en"),
    [
        ((1, 0, 0, 0), "jedna faktura do zapłaty", "one invoice to pay"),
        ((3, 3, 0, 0), "trzy faktury do zapłaty (wszystkie po terminie)", "three invoices to pay (all overdue)"),
        (
            (5, 2, 1, 0),
            "5 faktur do zapłaty (dwie po terminie, jedna opłacona częściowo)",
            "5 invoices to pay (two overdue, one partially paid)",
        ),
        ((22, 0, 0, 0), "22 faktury do zapłaty", "22 invoices to pay"),
        ((12, 0, 0, 0), "12 faktur do zapłaty", "12 invoices to pay"),
        ((0, 0, 0, 0), "wszystko opłacone", "everything paid"),
    ],
)
def test_invoice_words(counts, pl, en):
    assert describe_invoices(*counts, "pl") == pl
    assert describe_invoices(*counts, "en") == en
