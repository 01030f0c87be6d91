"""80x24 snapshots of the invoices and readings screens in Polish and English.

The real server in-process on this module's own demo database (``server``, ``--today 2026-11-15``),
so nothing another module changes can leak in."""

from __future__ import annotations

from tests.tui_support import opener, snapshot


def test_invoice_list_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10001", "invoices"))


def test_invoice_list_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10001", "invoices"))


def test_invoice_detail_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10004", "invoices", "enter"))


def test_invoice_detail_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10004", "invoices", "enter"))


def test_ksef_invoice_detail_pl(snap_compare, server):
    """10006's newest invoice: not yet accepted by KSeF (OFFLINE)."""
    assert snapshot(snap_compare, server, "pl", opener("10006", "invoices", "enter"))


def test_ksef_invoice_detail_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10006", "invoices", "enter"))


def test_ksef_code_pl(snap_compare, server):
    """The verification code of 10006's accepted invoice, its KSeF number beneath it."""
    assert snapshot(snap_compare, server, "pl", opener("10006", "invoices", "down", "enter", "q"))


def test_ksef_code_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10006", "invoices", "down", "enter", "q"))


def test_pay_one_invoice_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10004", "invoices", "enter", "p"))


def test_pay_one_invoice_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10004", "invoices", "enter", "p"))


def test_payments_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10002", "invoices", "p"))


def test_payments_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10002", "invoices", "p"))


def test_readings_table_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10004", "readings"))


def test_readings_table_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10004", "readings"))


def test_readings_chart_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10004", "readings", "g"))


def test_readings_chart_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10004", "readings", "g"))


def test_submit_reading_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10004", "readings", "n"))


def test_submit_reading_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10004", "readings", "n"))
