"""80x24 snapshots of several service points (issue 12, feature 1) in Polish and English: the
housing community 10005's balance with its three points, the point dialog over its invoices, the
contract of its first point (every point chosen: a contract is one point's) and its year per point;
and the yearly export's period dialog (issue 12, feature 8).

The real server in-process on this module's own demo database (``--today 2026-11-15``)."""

from __future__ import annotations

from tests.tui_support import opener, screens, snapshot

SCREENS = {
    "balance_points": opener("10005", "balance"),
    "point_picker": opener("10005", "invoices", "k"),
    "contract_of_the_first_point": opener("10005", "contract"),
    "csv_export_dialog": opener("10001", "balance", "w", "e"),
    "year_per_point": opener("10005", "balance", "w"),
}


@screens(SCREENS)
def test_screen(snap_compare, server, lang, run_before):
    assert snapshot(snap_compare, server, lang, run_before)
