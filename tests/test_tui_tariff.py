"""The tariff and an invoice line's calculation (issue 12, feature 4) in the client against the real
demo server (business date 2026-11-15): ``t`` on the contract screen opens the tariff of each of the
resident's tariff groups with the decided change; ``k`` on an invoice detail shows each line's
quantity × price, VAT and the tariff row that priced it, ↑/↓ moving through the lines."""

from __future__ import annotations

from textual.widgets import Static

from ebok_tui.ui.screens.billing.calculation import CalculationModal
from ebok_tui.ui.screens.billing.invoice_detail import InvoiceDetailScreen
from ebok_tui.ui.screens.contract.contract import ContractScreen
from ebok_tui.ui.screens.contract.tariff import TariffScreen
from tests.tui_support import SIZE, login_as, make_app, settle, text_of, wait_until


async def test_the_tariff_from_the_contract_screen(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await login_as(app, "10005", "contract")
        await settle(pilot)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TariffScreen))
        await settle(pilot)
        body = text_of(app.screen.query_one("#tariff-body", Static))
        assert "Grupa taryfowa G1" in body and "Punkty poboru: PP-10005-01, PP-10005-02" in body
        assert "Grupa taryfowa G2" in body and "Punkty poboru: PP-10005-03" in body
        assert "Woda" in body and "5,87 zł/m³" in body and "6,34 zł/m³" in body
        assert "01.01.2015–31.12.2026" in body and "od 01.01.2015" in body
        assert "2,16 zł/mies." in body and "2,33 zł/mies." in body and "0,93 zł/mies." in body
        assert body.count("Od 01.01.2027:") == 1  # only G1's change is decided
        assert "Woda 6,05 zł/m³ netto (6,53 zł/m³ brutto)" in body
        assert "Abonament (papier)." in body  # 10005 has no e-FAKTURA
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ContractScreen))


async def test_an_invoice_lines_calculation(server, tmp_path):
    app = make_app(server, tmp_path, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await login_as(app, "10002", "invoices")
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen) and app.screen.invoice is not None)
        await settle(pilot)
        invoice = app.screen.invoice
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, CalculationModal))
        await settle(pilot)
        modal = app.screen
        first = invoice.lines[0]
        body = text_of(modal.query_one("#calc-body", Static))
        assert f"line 1 of 3, invoice {invoice.number}" in body
        assert f"{first.quantity} m³ × PLN 5.87 = PLN {first.net / 100:.2f}" in body
        assert "group G1, Water" in body and "1 Jan 2015–31 Dec 2026" in body
        assert not modal.check_action("line", (-1,))
        await pilot.press("down", "down")
        await settle(pilot)
        body = text_of(modal.query_one("#calc-body", Static))
        assert "line 3 of 3" in body and "group G1, Fee (e-invoice)" in body and "from 1 Jan 2015" in body
        assert "1 pcs × PLN 0.93 = PLN 0.93" in body and "PLN 0.93 + PLN 0.07 = PLN 1.00" in body
        assert not modal.check_action("line", (1,))
        await pilot.press("down")  # nothing after the last line
        await settle(pilot)
        assert modal.index == 2 and first.tariff is not None
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))
