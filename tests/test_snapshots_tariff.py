"""80x24 snapshots of the tariff screen (from the contract, ``t``) and of an invoice line's
calculation (``k`` on the invoice detail) in Polish and English (issue 12, feature 4).

The real server in-process on this module's own demo database (``--today 2026-11-15``)."""

from __future__ import annotations

from tests.tui_support import opener, screens, snapshot

SCREENS = {
    "tariff": opener("10001", "contract", "t"),
    "line_calculation": opener("10002", "invoices", "enter", "k"),
}


@screens(SCREENS)
def test_screen(snap_compare, server, lang, run_before):
    assert snapshot(snap_compare, server, lang, run_before)
