"""80x24 snapshots of the login (with the demo panel), registration request, password reset,
balance and account screens, in Polish and English.

A private demo server (``--today 2026-11-15``) so nothing another test changes can leak in; no
keyring (the account screen says so), so nothing depends on the machine."""

from __future__ import annotations

import pytest

from tests.server_proc import running_server
from tests.tui_support import opener, paste, settle, snapshot


@pytest.fixture(scope="module")
def snap_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("snap_core")) as info:
        yield info.url


async def register_with_errors(pilot) -> None:
    """The registration form at its tallest: every field with a message under it."""
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)
    await paste(pilot, "Jan Kowalski")
    await pilot.press("tab")
    await paste(pilot, "jan.kowalski(at)example")
    await pilot.app.screen.run_action("submit")
    await settle(pilot)


async def reset_form(pilot) -> None:
    await settle(pilot)
    await pilot.press(*"10001")
    await pilot.press("ctrl+t")
    await settle(pilot)


def test_login_pl(snap_compare, snap_server):
    assert snapshot(snap_compare, snap_server, "pl", settle)


def test_login_en(snap_compare, snap_server):
    assert snapshot(snap_compare, snap_server, "en", settle)


def test_register_pl(snap_compare, snap_server):
    assert snapshot(snap_compare, snap_server, "pl", register_with_errors)


def test_register_en(snap_compare, snap_server):
    assert snapshot(snap_compare, snap_server, "en", register_with_errors)


def test_password_reset_pl(snap_compare, snap_server):
    assert snapshot(snap_compare, snap_server, "pl", reset_form)


def test_password_reset_en(snap_compare, snap_server):
    assert snapshot(snap_compare, snap_server, "en", reset_form)


def test_balance_pl(snap_compare, snap_server):
    assert snapshot(snap_compare, snap_server, "pl", opener("10001", "balance"))


def test_balance_en(snap_compare, snap_server):
    assert snapshot(snap_compare, snap_server, "en", opener("10001", "balance"))


def test_account_pl(snap_compare, snap_server):
    assert snapshot(snap_compare, snap_server, "pl", opener("10001", "account"))


def test_account_en(snap_compare, snap_server):
    assert snapshot(snap_compare, snap_server, "en", opener("10001", "account"))
