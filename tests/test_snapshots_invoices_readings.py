"""80x24 snapshots of the invoices and readings screens in Polish and English.

The real server in-process on this module's own demo database (``server``, ``--today 2026-11-15``),
so nothing another module changes can leak in."""

from __future__ import annotations

from tests.tui_support import opener, screens, snapshot

SCREENS = {
    "invoice_list": opener("10001", "invoices"),
    "invoice_detail": opener("10004", "invoices", "enter"),
    # 10006's newest invoice: not yet accepted by KSeF (OFFLINE)
    "ksef_invoice_detail": opener("10006", "invoices", "enter"),
    # the verification code of 10006's accepted invoice, its KSeF number beneath it
    "ksef_code": opener("10006", "invoices", "down", "enter", "q"),
    "pay_one_invoice": opener("10004", "invoices", "enter", "p"),
    "payments": opener("10002", "invoices", "p"),
    "readings_table": opener("10004", "readings"),
    "readings_chart": opener("10004", "readings", "g"),
    "submit_reading": opener("10004", "readings", "n"),
}


@screens(SCREENS)
def test_screen(snap_compare, server, lang, run_before):
    assert snapshot(snap_compare, server, lang, run_before)
