"""80x24 snapshots of several service points (issue 12, feature 1) in Polish and English: the
housing community 10005's balance with its three points, the point dialog over its invoices, and
the contract of its first point (every point chosen: a contract is one point's); and the yearly
export's period dialog (issue 12, feature 8).

The real server in-process on this module's own demo database (``--today 2026-11-15``)."""

from __future__ import annotations

from tests.tui_support import opener, snapshot


def test_balance_points_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10005", "balance"))


def test_balance_points_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10005", "balance"))


def test_point_picker_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10005", "invoices", "k"))


def test_point_picker_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10005", "invoices", "k"))


def test_contract_of_the_first_point_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10005", "contract"))


def test_contract_of_the_first_point_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10005", "contract"))


def test_csv_export_dialog_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10001", "balance", "w", "e"))


def test_csv_export_dialog_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10001", "balance", "w", "e"))


def test_year_per_point_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10005", "balance", "w"))


def test_year_per_point_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10005", "balance", "w"))
