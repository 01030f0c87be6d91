"""Balance screen (Saldo) against the real demo server (business date 2026-11-15), and against
the same data ten days later, when every open invoice is overdue."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Static

from ebok_tui.core.payqr import half_block_lines, make_qr
from ebok_tui.ui.screens.auth.login import LoginScreen
from ebok_tui.ui.screens.billing.balance import BalanceScreen
from ebok_tui.ui.screens.billing.pay_dialogs import QrModal
from tests.server_proc import aged_server
from tests.qr_support import scan, utility_payload
from tests.tui_support import (
    SIZE,
    logged_in,
    login_as,
    make_app,
    options_text,
    press_settled,
    settle,
    shown,
    text_of,
    wait_until,
)


@pytest.fixture(scope="module")
def aged_url(tmp_path_factory):
    """The demo data seeded on 2026-11-15, served on 2026-11-25: both of 10001's invoices overdue."""
    with aged_server(tmp_path_factory.mktemp("aged")) as later:
        yield later.url


async def test_amounts_formatted_and_overdue_highlighted(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10001"):
        assert isinstance(app.screen, BalanceScreen)
        summary = shown(app, "#balance-summary")
        assert "DO ZAPŁATY" in summary
        assert "-237,48 zł" in summary  # balance
        assert "237,48 zł" in summary  # to pay
        assert "w tym po terminie    114,96 zł" in summary
        assert "24.11.2026" in summary and "122,52 zł" in summary  # next due date and amount
        assert "Stan na 15.11.2026" in summary
        transfer = shown(app, "#transfer-details")
        assert "MPWiK Sp. z o.o." in transfer
        assert "ul. Wodna 1, 43-600 Jaworzno" in transfer
        assert "PL86 1090 1014 7000 0000 0001 0001" in transfer
        # the amount pays both open invoices: the title says so, not just one invoice number
        assert "Saldo 10001 na 15.11.2026" in transfer
        assert "Kwota 237,48 zł" in transfer
        assert re.search(r"po terminie od +24\.10\.2026", summary)


async def test_the_qr_code_is_the_zbp_payload_and_fits_80x24(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10001"):
        screen = app.screen
        assert isinstance(screen, BalanceScreen)
        payload = utility_payload("PL86109010147000000000010001", 23748, "Saldo 10001 na 15.11.2026", company=True)
        assert (
            payload == "6320001234|PL|86109010147000000000010001|023748|MPWiK Sp. z o.o.|Saldo 10001 na 15.11.2026|||"
        )
        assert screen.qr_lines == half_block_lines(make_qr(payload).matrix)
        assert scan(screen.qr_lines) == [payload]  # a real reader, quiet zone as drawn
        panel = screen.query_one("#qr-panel")
        assert panel.display and not panel.has_class("-hidden")
        qr = screen.query_one("#qr", Static)
        # the whole symbol is on screen, inside the 80x24 terminal
        assert qr.region.height == len(screen.qr_lines) == 21
        assert qr.region.width == len(screen.qr_lines[0]) == 41
        assert qr.region.right <= 80 and qr.region.bottom <= 23  # above the footer
        assert "Zeskanuj kod QR" in shown(app, "#balance-hint")


async def test_small_terminal_offers_the_qr_in_a_dialog(server, tmp_path):
    app = make_app(server, tmp_path, lang="en")
    async with logged_in(app, "10004", size=(70, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, BalanceScreen)
        assert screen.query_one("#qr-panel").has_class("-hidden")
        assert "press q" in shown(app, "#balance-hint")
        await press_settled(pilot, "q")
        assert isinstance(app.screen, QrModal)
        assert app.screen.lines == screen.qr_lines
        caption = text_of(app.screen.query_one("#qr-caption", Static))
        assert "PLN 76.84" in caption and "MPWiK Sp. z o.o.\n" in caption and "o.o.." not in caption
        await press_settled(pilot, "escape")
        assert app.screen is screen
        # growing the terminal brings the code back next to the details
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert not screen.query_one("#qr-panel").has_class("-hidden")


async def test_overpayment_shows_no_qr(server, tmp_path):
    app = make_app(server, tmp_path, lang="en")
    async with logged_in(app, "10002") as pilot:
        screen = app.screen
        summary = shown(app, "#balance-summary")
        assert "OVERPAID" in summary and "PLN 50.00" in summary
        assert screen.qr_lines is None
        assert screen.query_one("#qr-panel").has_class("-hidden")
        assert "nothing to pay" in shown(app, "#balance-hint")
        await press_settled(pilot, "q")  # no code: nothing opens
        assert app.screen is screen


async def test_settled_account(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10003"):
        summary = shown(app, "#balance-summary")
        assert "ROZLICZONE" in summary
        assert "Najbliższy termin    brak" in summary


async def test_copy_account_number_and_title(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10001") as pilot:
        await pilot.press("c")
        assert app.clipboard == "86109010147000000000010001"
        notes = [str(n.message) for n in app._notifications]
        # what was copied, shown to select; sent, not claimed to be in the clipboard (OSC 52)
        assert any("86109010147000000000010001" in n and "jeśli terminal" in n for n in notes), notes
        await pilot.press("t")
        assert app.clipboard == "Saldo 10001 na 15.11.2026"


async def test_reload_keeps_working_and_section_keys_navigate(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10004") as pilot:
        await press_settled(pilot, "r")
        assert "76,84 zł" in shown(app, "#balance-summary")
        await pilot.press("7")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "AccountScreen")
        await pilot.press("1")
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))


async def test_the_qr_pays_what_remains_of_a_partly_paid_invoice(server_url, tmp_path):
    app = make_app(server_url, tmp_path)
    async with logged_in(app, "10004"):
        screen = app.screen
        assert isinstance(screen, BalanceScreen)
        assert scan(screen.qr_lines) == [
            "6320001234|PL|05109010147000000000010004|007684|MPWiK Sp. z o.o.|FV/2026/11/000004|||"
        ]
        invoice = (await app.api.invoices(status="partially_paid")).items[0]
        assert invoice.number == "FV/2026/11/000004" and invoice.gross - invoice.paid == 7684 < invoice.gross
        assert "FV/2026/11/000004" in shown(app, "#transfer-details")


async def test_everything_overdue_says_since_when_not_no_due_date(aged_url, tmp_path):
    app = make_app(aged_url, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await settle(pilot)
        panel = "\n".join(options_text(app.screen.query_one("#demo-panel")))
        assert "dwie faktury do zapłaty (obie po terminie)" in panel, panel
        await login_as(app, "10001")
        await settle(pilot)
        summary = shown(app, "#balance-summary")
        assert re.search(r"w tym po terminie +237,48 zł", summary)
        assert re.search(r"po terminie od +24\.10\.2026", summary)
        assert "Najbliższy termin" not in summary and "brak" not in summary
        assert "Saldo 10001 na 25.11.2026" in shown(app, "#transfer-details")
        assert not app.screen.query_one("#qr-panel").has_class("-hidden")  # still fits 80x24


async def test_everything_overdue_in_english(aged_url, tmp_path):
    app = make_app(aged_url, tmp_path, lang="en")
    async with logged_in(app, "10001"):
        summary = shown(app, "#balance-summary")
        assert re.search(r"overdue since +24 Oct 2026", summary) and "Next due date" not in summary
