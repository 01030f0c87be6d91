"""80x24 snapshots of the water and year screen (issue 12, feature 3) in Polish and English: 10001's
supply zone (meets standards) and the top of 2025's figures.

The real server in-process on this module's own demo database (``--today 2026-11-15``)."""

from __future__ import annotations

from tests.tui_support import opener, snapshot


def test_water_year_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10001", "balance", "w"))


def test_water_year_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10001", "balance", "w"))
