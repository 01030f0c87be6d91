"""80x24 snapshots of the e-mail notification preferences on the account screen (``e`` brings them
into view), in Polish and English. 10001's unread reply (the correspondence list and the navigation
bar's count) and "since your last visit" (the balance) are in the core and correspondence snapshots.
The real server in-process on this module's own demo database."""

from __future__ import annotations

from tests.tui_support import opener, screens, snapshot


@screens({"notification_preferences": opener("10001", "account", "e")})
def test_screen(snap_compare, server, lang, run_before, tmp_path):
    assert snapshot(snap_compare, server, lang, run_before, tmp_path)
