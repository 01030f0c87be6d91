"""Invoices, payments, invoice detail and PDF saving, driven through the real app on the real server."""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Select, Static

from ebok_tui.ui.app import EbokApp
from ebok_tui.ui.screens.billing.invoice_detail import InvoiceDetailScreen, pdf_filename
from ebok_tui.ui.screens.billing.invoices import PAGE_SIZE, InvoicesScreen
from ebok_tui.ui.widgets.paged_table import PagedTable
from ebok_tui.core.files import default_path, write_private_atomic
from ebok_tui.ui.screens.billing.save_pdf import ConfirmOverwriteModal, SavePdfModal
from ebok_tui.core.payqr import build_payload
from ebok_tui.ui.screens.billing.pay_dialogs import PayModal, QrModal
from tests.qr_support import scan
from tests.asgi_server import InProcessServer, seed_template, server_from_template
from tests.tui_support import SIZE, logged_in, login_as, make_app, plain, press_settled, settle


def cells(table: PagedTable, column: str) -> list[str]:
    return [table.get_cell(row_key, column).plain.strip() for row_key in table.rows]


S = TypeVar("S", bound=Screen)


@asynccontextmanager
async def opened(app: EbokApp, kind: type[S], customer: str = "10001", *keys: str) -> AsyncIterator[tuple[Pilot, S]]:
    """Run ``app`` with ``customer`` logged in on the invoices screen, press ``keys`` there (Enter:
    the newest invoice's detail), settled; yields the pilot and the screen, a ``kind``."""
    async with logged_in(app, customer, "invoices") as pilot:
        if keys:
            await press_settled(pilot, *keys)
        screen = app.screen
        assert isinstance(screen, kind)
        yield pilot, screen


# --- list and filters ---------------------------------------------------------------------------


async def test_list_shows_invoices_with_translated_statuses(server):
    app = make_app(server)
    async with opened(app, InvoicesScreen) as (pilot, screen):
        table = screen.query_one("#invoices", PagedTable)
        assert table.row_count > 10
        statuses = cells(table, "status")
        assert statuses[0] == "nieopłacona"  # newest invoice, not yet due
        assert "po terminie" in statuses
        assert "opłacona" in statuses
        count = str(screen.query_one("#count", Static).content)
        assert count == f"{table.row_count} z {table.row_count}"
        assert cells(table, "number")[0].startswith("FV/2026/11/")
        assert table.has_focus


async def test_status_filter_by_keyboard_changes_the_rows(server):
    app = make_app(server)
    async with opened(app, InvoicesScreen) as (pilot, screen):
        everything = screen.query_one("#invoices", PagedTable).row_count
        await pilot.press("f")  # year filter
        assert screen.focused is screen.query_one("#year", Select)
        await pilot.press("tab")  # status filter
        assert screen.focused is screen.query_one("#status", Select)
        await pilot.press("enter", "down", "down", "enter")  # all, to pay, → overdue
        await settle(pilot)
        assert screen.query_one("#status", Select).value == "overdue"
        table = screen.query_one("#invoices", PagedTable)
        assert 0 < table.row_count < everything
        assert set(cells(table, "status")) == {"po terminie"}
        assert str(screen.query_one("#count", Static).content) == f"{table.row_count} z {table.row_count}"


@pytest.mark.parametrize("lang", ["pl", "en"])
async def test_to_pay_filter_is_everything_still_to_pay(server, lang):
    """ "Do zapłaty" shows the unpaid invoice and the overdue one (237,48 zł between them), which
    "nieopłacona" alone never did; it comes first after "all"."""
    app = make_app(server, lang=lang)
    async with opened(app, InvoicesScreen) as (pilot, screen):
        status = screen.query_one("#status", Select)
        labels = [str(label) for label, _ in status._options]
        assert labels[:2] == {"pl": ["wszystkie", "do zapłaty"], "en": ["all", "to pay"]}[lang]
        await pilot.press("f", "tab", "enter", "down", "enter")
        await settle(pilot)
        assert status.value == "to_pay"
        table = screen.query_one("#invoices", PagedTable)
        assert table.row_count == 2
        assert set(cells(table, "status")) == {"pl": {"nieopłacona", "po terminie"}, "en": {"unpaid", "overdue"}}[lang]
        total = sum(item.gross - item.paid for item in screen.feeds["invoices"].items.values())
        assert total == 23748


async def test_year_filter_changes_the_rows_and_offers_the_years(server):
    app = make_app(server, lang="en")
    async with opened(app, InvoicesScreen) as (pilot, screen):
        year = screen.query_one("#year", Select)
        offered = [value for _, value in year._options]
        assert offered[0] == "all" and 2026 in offered and 2025 in offered
        year.value = 2025
        await settle(pilot)
        table = screen.query_one("#invoices", PagedTable)
        issued = cells(table, "issue_date")
        assert len(issued) == 12
        assert all(date.endswith("2025") for date in issued)
        # nothing matches → a clear message instead of an empty table
        screen.query_one("#status", Select).value = "partially_paid"
        await settle(pilot)
        assert table.row_count == 0
        message = screen.query_one("#empty-message", Static)
        assert str(message.content) == "No invoices match the filters (year, status). Press f to change them."
        assert str(screen.query_one("#count", Static).content) == ""
        # the whole message is on screen at 80 columns, not cut off beside the filters
        assert message.region.width >= len(str(message.content)) + 2 and message.region.right <= 80
        screen.query_one("#status", Select).value = "all"
        await settle(pilot)
        assert table.row_count == 12 and not message.display


async def test_payments_view(server):
    app = make_app(server)
    async with opened(app, InvoicesScreen, "10002") as (pilot, screen):
        await press_settled(pilot, "p")
        payments = screen.query_one("#payments", PagedTable)
        assert payments.display and not screen.query_one("#invoices").display
        assert payments.row_count > 10
        assert set(cells(payments, "method")) <= {"przelew", "gotówka", "karta"}
        assert "—" in cells(payments, "invoice_number")  # the overpayment is on no invoice
        assert cells(payments, "amount")[0].endswith("zł")
        await pilot.press("p")
        assert screen.query_one("#invoices").display


def footer_keys(screen) -> list[str]:
    return [f"{key.key_display} {key.description}" for key in screen.query("FooterKey")]


@pytest.mark.parametrize(
    "lang, invoices, payments, filter_, open_",
    [("pl", "Faktury", "Płatności", "Filtr", "Otwórz"), ("en", "Invoices", "Payments", "Filter", "Open")],
)
async def test_payments_view_is_titled_and_offers_only_what_works_there(
    server_url, lang, invoices, payments, filter_, open_
):
    app = make_app(server_url, lang=lang)
    async with opened(app, InvoicesScreen, "10002") as (pilot, screen):
        top = plain(screen.query_one("TopBar").render())
        assert f"eBOK · MPWiK · {invoices}" in top
        keys = " | ".join(footer_keys(screen))
        assert filter_ in keys, keys
        await press_settled(pilot, "p")
        top = plain(screen.query_one("TopBar").render())
        assert f"eBOK · MPWiK · {payments}" in top and invoices not in top
        keys = " | ".join(footer_keys(screen))
        assert filter_ not in keys and open_ not in keys, keys
        await pilot.press("f", "enter")  # nothing happens, nothing breaks
        await settle(pilot)
        assert app.screen is screen and screen.view == "payments"
        await press_settled(pilot, "p")
        assert f"· {invoices}" in plain(screen.query_one("TopBar").render())
        assert filter_ in " | ".join(footer_keys(screen))


# --- detail and PDF -----------------------------------------------------------------------------


async def test_detail_shows_lines_with_the_billing_fee(server):
    app = make_app(server)
    async with opened(app, InvoiceDetailScreen, "10001", "enter") as (pilot, screen):
        widget = screen.query_one("#lines", Static)
        lines = plain(widget.content, widget.size.width)
        words = lines.split()
        assert "Dostawa" in words and "Odprowadzanie" in words and "ścieków" in words
        assert "Opłata" in words and "abonamentowa" in words  # the billing fee line
        assert [line.description for line in screen.invoice.lines][-1].startswith("Opłata abonamentowa")
        assert "2,33 zł" in lines and "1 szt." in lines and "8%" in lines
        facts = plain(screen.query_one("#facts", Static).content)
        assert "FV/2026/11/" in facts and "nieopłacona" in facts
        assert "Brak wpłat" in plain(screen.query_one("#payments", Static).content)
        await pilot.press("escape")
        assert isinstance(app.screen, InvoicesScreen)


async def test_detail_lists_payments_applied(server):
    app = make_app(server, lang="en")
    async with opened(app, InvoiceDetailScreen, "10004", "enter") as (pilot, screen):  # newest invoice is half paid
        facts = plain(screen.query_one("#facts", Static).content)
        assert "partially paid" in facts
        payments = plain(screen.query_one("#payments", Static).content)
        assert "Payments applied" in payments and "PLN" in payments


async def test_pay_one_invoice_shows_the_qr_for_what_is_left_on_it(server):
    app = make_app(server, lang="en")
    async with opened(app, InvoiceDetailScreen, "10004", "enter") as (pilot, screen):  # newest invoice is half paid
        inv = screen.invoice
        assert inv is not None and inv.transfer is not None and 0 < inv.paid < inv.gross
        assert "p Pay" in " | ".join(footer_keys(screen))
        modal = await press_settled(pilot, "p")
        assert isinstance(modal, PayModal)
        # the code a banking app reads asks for the rest of this invoice, titled with its number
        payload = build_payload(
            account=inv.transfer.bank_account,
            amount_grosze=inv.gross - inv.paid,
            recipient=inv.transfer.recipient_name,
            title=inv.number,
            nip=inv.transfer.recipient_nip,
            company=True,
        )
        assert modal.lines is not None and scan(modal.lines) == [payload]
        details = plain(modal.query_one("#pay-details", Static).content)
        assert inv.number in details and app.i18n.money(inv.gross - inv.paid) in details
        await press_settled(pilot, "q")
        assert app.screen is screen


async def test_a_ksef_invoice_shows_its_number_or_offline_and_q_its_verification_code(server):
    """10006's newest invoice is not yet accepted (OFFLINE), the one before has its KSeF number; q
    shows KSeF's verification QR code, which scans to the invoice's link, with the label beneath."""
    app = make_app(server, lang="en")
    async with opened(app, InvoiceDetailScreen, "10006", "enter") as (pilot, screen):
        ksef = screen.invoice.ksef
        assert ksef is not None and ksef.status == "offline" and ksef.number is None
        shown = plain(screen.query_one("#ksef", Static).content)
        assert shown.startswith("KSeF  OFFLINE") and "not yet accepted" in shown
        assert "q KSeF code" in " | ".join(footer_keys(screen))
        for expected in ("OFFLINE", None):
            await pilot.press("q")
            await settle(pilot)
            modal = app.screen
            assert isinstance(modal, QrModal) and scan(modal.lines) == [screen.invoice.ksef.url]
            label = expected or screen.invoice.ksef.number
            assert modal.caption.startswith(f"{label} · ")
            await pilot.press("escape", "escape")  # the code, then the invoice
            await settle(pilot)
            if expected:  # the invoice before: accepted
                await pilot.press("down", "enter")
                await settle(pilot)
                screen = app.screen
                assert isinstance(screen, InvoiceDetailScreen) and screen.invoice.ksef.accepted
                number = screen.invoice.ksef.number
                assert plain(screen.query_one("#ksef", Static).content).strip() == f"KSeF  {number}"


async def test_a_persons_invoice_has_no_ksef_line_and_no_q(server):
    app = make_app(server)
    async with opened(app, InvoiceDetailScreen, "10001", "enter") as (pilot, screen):
        assert screen.invoice.ksef is None and not screen.query_one("#ksef", Static).display
        assert not any(key.startswith("q ") for key in footer_keys(screen))
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is screen


async def test_pay_a_paid_invoice_says_there_is_nothing_to_pay(server):
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await login_as(app, "10001")
        paid = (await app.api.invoices(status="paid", limit=1)).items[0]
        await app.push_screen(InvoiceDetailScreen(paid.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InvoiceDetailScreen) and screen.invoice is not None
        await press_settled(pilot, "p")
        assert app.screen is screen  # no code for nothing
        notes = [str(n.message) for n in app._notifications]
        assert f"Na fakturze {paid.number} nie ma nic do zapłaty." in notes


async def save_via_modal(pilot, path: str) -> SavePdfModal:
    modal = pilot.app.screen
    assert isinstance(modal, SavePdfModal)
    modal.query_one("#path", Input).value = path
    await press_settled(pilot, "enter")
    return modal


async def test_save_pdf_writes_a_private_file_and_asks_before_overwriting(server, tmp_path):
    app = make_app(server)
    async with opened(app, InvoiceDetailScreen, "10001", "enter") as (pilot, detail):
        await pilot.press("s")
        modal = app.screen
        assert isinstance(modal, SavePdfModal)
        assert modal.query_one("#path", Input).value.endswith(pdf_filename(detail.invoice.number))
        target = tmp_path / "faktura.pdf"
        await save_via_modal(pilot, str(target))
        assert app.screen is detail
        assert target.read_bytes().startswith(b"%PDF")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert str(target) in str(detail.query_one("#saved", Static).content)
        assert [p.name for p in tmp_path.iterdir()] == ["faktura.pdf"]  # no temp file left behind

        # the same path again: asks; "n" keeps the old file and the typed path
        target.write_bytes(b"old")
        await pilot.press("s")
        await save_via_modal(pilot, str(target))
        assert isinstance(app.screen, ConfirmOverwriteModal)
        modal = await press_settled(pilot, "n")
        assert isinstance(modal, SavePdfModal)
        assert target.read_bytes() == b"old"
        assert "nie został nadpisany" in str(modal.query_one("#message", Static).content)
        assert modal.query_one("#path", Input).value == str(target)
        # …and an explicit yes overwrites
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmOverwriteModal)
        await press_settled(pilot, "t")
        assert app.screen is detail
        assert target.read_bytes().startswith(b"%PDF")


async def test_save_pdf_into_a_directory_uses_the_server_file_name(server, tmp_path):
    app = make_app(server, lang="en")
    async with opened(app, InvoiceDetailScreen, "10001", "enter") as (pilot, detail):
        await pilot.press("s")
        await save_via_modal(pilot, str(tmp_path))
        saved = tmp_path / pdf_filename(detail.invoice.number)
        assert saved.read_bytes().startswith(b"%PDF")
        assert "PDF saved" in str(detail.query_one("#saved", Static).content)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("missing-dir/faktura.pdf", "nie istnieje"),
        ("/proc/faktura.pdf", "Nie udało się zapisać pliku"),
        ("  ", "Podaj ścieżkę"),
    ],
)
async def test_save_pdf_errors_keep_the_dialog_and_the_typed_path(server, tmp_path, where, expected):
    app = make_app(server)
    async with opened(app, InvoiceDetailScreen, "10001", "enter") as (pilot, _):
        await pilot.press("s")
        typed = where if where.startswith(("/", " ")) else str(tmp_path / where)
        modal = await save_via_modal(pilot, typed)
        assert app.screen is modal
        assert expected in str(modal.query_one("#message", Static).content)
        assert modal.query_one("#path", Input).value == typed
        assert modal.query_one("#path", Input).has_class("-invalid")
        await pilot.press("escape")
        assert isinstance(app.screen, InvoiceDetailScreen)


def test_default_path_prefers_downloads(tmp_path):
    assert default_path("FV_1.pdf", tmp_path) == "~/FV_1.pdf"
    (tmp_path / "Downloads").mkdir()
    assert default_path("FV_1.pdf", tmp_path) == "~/Downloads/FV_1.pdf"
    assert pdf_filename("FV/2026/11/000123") == "FV_2026_11_000123.pdf"
    assert pdf_filename("../../etc/passwd") == "etc_passwd.pdf"


def test_atomic_write_replaces_and_is_private(tmp_path):
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")
    os.chmod(target, 0o644)
    write_private_atomic(target, b"%PDF-new")
    assert target.read_bytes() == b"%PDF-new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(OSError):
        write_private_atomic(tmp_path / "no" / "a.pdf", b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]


# --- paging with 10 000 invoices ----------------------------------------------------------------


@pytest.fixture(scope="module")
def large_server(tmp_path_factory) -> InProcessServer:
    """The demo plus customer 19999 with 10 000 invoices (``--seed-large 10000``)."""
    folder = tmp_path_factory.mktemp("large")
    return server_from_template(seed_template(folder, seed_large=10000), folder)


async def test_large_customer_pages_on_demand_without_duplicates(large_server):
    app = make_app(large_server)
    async with opened(app, InvoicesScreen, "19999") as (pilot, screen):
        table = screen.query_one("#invoices", PagedTable)
        assert table.row_count == PAGE_SIZE  # only the first page up front
        assert str(screen.query_one("#count", Static).content) == f"{PAGE_SIZE} z 10 000"

        seen = PAGE_SIZE
        for _ in range(3):  # End: to the last loaded row, which fetches the next page
            await press_settled(pilot, "end")
            assert table.row_count == seen + PAGE_SIZE
            seen = table.row_count
        assert table.cursor_row == seen - PAGE_SIZE - 1  # appending did not move the cursor
        for _ in range(30):  # PageDown all the way through what is loaded and beyond
            await press_settled(pilot, "pagedown")
        assert table.row_count > seen
        numbers = cells(table, "number")
        assert len(numbers) == len(set(numbers)) == table.row_count
        assert str(screen.query_one("#count", Static).content) == f"{table.row_count} z 10 000"
        # rows are in the server's order: the same as asking the API directly for that range
        page = await app.api.invoices(offset=PAGE_SIZE, limit=5)
        assert numbers[PAGE_SIZE : PAGE_SIZE + 5] == [inv.number for inv in page.items]


async def test_concurrent_page_requests_are_guarded(large_server):
    app = make_app(large_server)
    async with opened(app, InvoicesScreen, "19999") as (pilot, screen):
        table = screen.query_one("#invoices", PagedTable)
        table.move_cursor(row=table.row_count - 1)
        feed = screen.feeds["invoices"]
        for _ in range(5):
            screen.maybe_fetch_more(feed)
        await settle(pilot)
        assert table.row_count == 2 * PAGE_SIZE
        # a filter change while a page is in flight: the stale page is dropped
        table.move_cursor(row=table.row_count - 1)
        screen.maybe_fetch_more(feed)
        screen.query_one("#status", Select).value = "paid"
        await settle(pilot)
        assert set(cells(table, "status")) == {"opłacona"}
        numbers = cells(table, "number")
        assert len(numbers) == len(set(numbers))
