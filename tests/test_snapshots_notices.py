"""80x24 snapshots of the notices (issue 12, feature 2) in Polish and English: the Notices screen of
10001 (a failure in force in his street, a planned interruption). The balance with the failure
above the figures is ``test_snapshots_core.test_screen[balance_*]``.

The real server in-process on this module's own demo database (``--today 2026-11-15``)."""

from __future__ import annotations

from tests.tui_support import opener, screens, snapshot

SCREENS = {
    "notices": opener("10001", "balance", "n"),
    # the failure-report form of 10001: the emergency number and the failure in force before he writes
    "failure_report_form": opener("10001", "correspondence", "n", "enter", "down", "enter"),
}


@screens(SCREENS)
def test_screen(snap_compare, server, lang, run_before):
    assert snapshot(snap_compare, server, lang, run_before)
