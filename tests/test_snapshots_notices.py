"""80x24 snapshots of the notices (issue 12, feature 2) in Polish and English: the Notices screen of
10001 (a failure in force in his street, a planned interruption). The balance with the failure
above the figures is ``test_snapshots_core.test_screen[balance_*]``.

The real server in-process on this module's own demo database (``--today 2026-11-15``)."""

from __future__ import annotations

from tests.tui_support import opener, snapshot


def test_notices_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10001", "balance", "n"))


def test_notices_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10001", "balance", "n"))


# the failure-report form of 10001: the emergency number and the failure in force before he writes
def test_failure_report_form_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10001", "correspondence", "n", "enter", "down", "enter"))


def test_failure_report_form_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10001", "correspondence", "n", "enter", "down", "enter"))
