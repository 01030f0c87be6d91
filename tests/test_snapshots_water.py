"""80x24 snapshots of the water and year screen (issue 12, feature 3) in Polish and English: 10001's
supply zone (meets standards) and the top of 2025's figures.

The real server in-process on this module's own demo database (``--today 2026-11-15``)."""

from __future__ import annotations

from tests.tui_support import opener, screens, snapshot


@screens({"water_year": opener("10001", "balance", "w")})
def test_screen(snap_compare, server, lang, run_before):
    assert snapshot(snap_compare, server, lang, run_before)
