"""80x24 snapshots of the contract, e-FAKTURA and correspondence screens, in Polish and English.

Deterministic: the real server runs in-process on this module's own demo database (``server``,
``--today 2026-11-15``) and the seeded timestamps are fixed; times are shown in the local zone, pinned here to Europe/Warsaw.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from tests.asgi_server import server_from_template
from tests.tui_support import opener, settle, snapshot


@pytest.fixture(autouse=True)
def warsaw_time():
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Warsaw"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


# contract: two meters, the garden one's legalisation expires within 6 months
def test_contract_pl(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "pl", opener("10004", "contract"), tmp_path)


def test_contract_en(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "en", opener("10004", "contract"), tmp_path)


def test_efaktura_inactive_pl(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "pl", opener("10001", "efaktura"), tmp_path)


def test_efaktura_inactive_en(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "en", opener("10001", "efaktura"), tmp_path)


def test_efaktura_active_pl(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "pl", opener("10002", "efaktura"), tmp_path)


def test_efaktura_active_en(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "en", opener("10002", "efaktura"), tmp_path)


# the terms dialog (inactive resident)
def test_efaktura_terms_pl(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "pl", opener("10001", "efaktura", "e"), tmp_path)


def test_efaktura_terms_en(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "en", opener("10001", "efaktura", "e"), tmp_path)


@pytest.fixture
def clocked_server(demo_template, tmp_path):
    """A server of this test's own whose clock stands still (the code's expiry time is shown)."""
    server = server_from_template(demo_template, tmp_path / "server")
    server.clock = lambda: dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC).timestamp()
    return server


def _code_step(address: str):
    """10003 asks for e-FAKTURA at ``address``: the screen waits for the mailed code."""

    async def run_before(pilot) -> None:
        await opener("10003", "efaktura", "e")(pilot)
        modal = pilot.app.screen
        modal.query_one("#accept").value = True
        modal.query_one("#email").value = address
        modal.query_one("#email").focus()
        await pilot.press("enter")
        await settle(pilot)

    return run_before


def test_efaktura_code_step_pl(snap_compare, clocked_server, tmp_path):
    assert snapshot(snap_compare, clocked_server, "pl", _code_step("piotr@example.org"), tmp_path)


def test_efaktura_code_step_en(snap_compare, clocked_server, tmp_path):
    assert snapshot(snap_compare, clocked_server, "en", _code_step("piotr@example.org"), tmp_path)


def test_correspondence_pl(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "pl", opener("10001", "correspondence"), tmp_path)


def test_correspondence_en(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "en", opener("10001", "correspondence"), tmp_path)


# the third thread of 10001 has a reply from the utility
def test_thread_pl(snap_compare, server, tmp_path):
    open_third = opener("10001", "correspondence", "down", "down", "enter")
    assert snapshot(snap_compare, server, "pl", open_third, tmp_path)


def test_thread_en(snap_compare, server, tmp_path):
    open_third = opener("10001", "correspondence", "down", "down", "enter")
    assert snapshot(snap_compare, server, "en", open_third, tmp_path)


def test_compose_pl(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "pl", opener("10003", "correspondence", "n"), tmp_path)


def test_compose_en(snap_compare, server, tmp_path):
    assert snapshot(snap_compare, server, "en", opener("10003", "correspondence", "n"), tmp_path)
