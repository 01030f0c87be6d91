"""80x24 snapshots of the contract, e-FAKTURA and correspondence screens, in Polish and English.

Deterministic: the real server runs in-process on this module's own demo database (``server``,
``--today 2026-11-15``) and the seeded timestamps are fixed; times are shown in the local zone,
pinned to Europe/Warsaw by tests/conftest.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.asgi_server import server_from_template
from tests.tui_support import opener, screens, settle, snapshot

SCREENS = {
    # two meters, the garden one's legalisation expires within 6 months
    "contract": opener("10004", "contract"),
    "efaktura_inactive": opener("10001", "efaktura"),
    "efaktura_active": opener("10002", "efaktura"),
    # the terms dialog (inactive resident)
    "efaktura_terms": opener("10001", "efaktura", "e"),
    "correspondence": opener("10001", "correspondence"),
    # the third thread of 10001 has a reply from the utility
    "thread": opener("10001", "correspondence", "down", "down", "enter"),
    "compose": opener("10003", "correspondence", "n"),
}


@screens(SCREENS)
def test_screen(snap_compare, server, tmp_path, lang, run_before):
    assert snapshot(snap_compare, server, lang, run_before, tmp_path)


@pytest.fixture
def clocked_server(demo_template, tmp_path):
    """A server of this test's own whose clock stands still (the code's expiry time is shown)."""
    server = server_from_template(demo_template, tmp_path / "server")
    server.clock = lambda: dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC).timestamp()
    return server


async def _code_step(pilot) -> None:
    """10003 asks for e-FAKTURA at piotr@example.org: the screen waits for the mailed code."""
    await opener("10003", "efaktura", "e")(pilot)
    modal = pilot.app.screen
    modal.query_one("#accept").value = True
    modal.query_one("#email").value = "piotr@example.org"
    modal.query_one("#email").focus()
    await pilot.press("enter")
    await settle(pilot)


@screens({"efaktura_code_step": _code_step})
def test_screen_clocked(snap_compare, clocked_server, tmp_path, lang, run_before):
    assert snapshot(snap_compare, clocked_server, lang, run_before, tmp_path)
