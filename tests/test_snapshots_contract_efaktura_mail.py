"""80x24 snapshots of the contract, e-FAKTURA and correspondence screens, in Polish and English.

Deterministic: the real server runs in-process on this module's own demo database (``server``,
``--today 2026-11-15``) and the seeded timestamps are fixed; times are shown in the local zone,
pinned to Europe/Warsaw by tests/conftest.py.
"""

from __future__ import annotations

from tests.tui_support import opener, screens, snapshot

SCREENS = {
    # two meters, the garden one's legalisation expires within 6 months
    "contract": opener("10004", "contract"),
    "efaktura_inactive": opener("10001", "efaktura"),
    "efaktura_active": opener("10002", "efaktura"),
    "correspondence": opener("10001", "correspondence"),
    # the third thread of 10001 has a reply from the utility
    "thread": opener("10001", "correspondence", "down", "down", "enter"),
    "compose": opener("10003", "correspondence", "n"),
}


@screens(SCREENS)
def test_screen(snap_compare, server, tmp_path, lang, run_before):
    assert snapshot(snap_compare, server, lang, run_before, tmp_path)
