"""80x24 snapshots of the login (with the demo panel), registration request, password reset (both steps),
balance and account screens, in Polish and English.

The real server in-process on this module's own demo database (``server``, ``--today 2026-11-15``),
so nothing another module changes can leak in; no
keyring (the account screen says so), so nothing depends on the machine."""

from __future__ import annotations


from tests.tui_support import opener, paste, settle, snapshot


async def register_with_errors(pilot) -> None:
    """The registration form with messages under the meter number and the invoice amount."""
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)
    await paste(pilot, "UM/2015/00123")
    await pilot.press("tab", "tab")
    await paste(pilot, "12,345")
    await pilot.app.screen.run_action("submit")
    await settle(pilot)


async def reset_code_with_errors(pilot) -> None:
    """The reset's second step (code + new password twice) with the passwords differing."""
    await settle(pilot)
    await pilot.press(*"10001")
    await pilot.press("ctrl+t")
    await settle(pilot)
    await pilot.app.screen.run_action("back")
    await settle(pilot)
    from ebok_tui.ui.screens.auth.password_reset import ResetCodeScreen

    await pilot.app.push_screen(ResetCodeScreen("10001"))
    await settle(pilot)
    await paste(pilot, "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567")
    await pilot.press("tab")
    await paste(pilot, "długie hasło")
    await pilot.press("tab")
    await paste(pilot, "dlugie haslo")
    await pilot.app.screen.run_action("submit")
    await settle(pilot)


async def reset_form(pilot) -> None:
    await settle(pilot)
    await pilot.press(*"10001")
    await pilot.press("ctrl+t")
    await settle(pilot)


def test_login_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", settle)


def test_login_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", settle)


def test_register_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", register_with_errors)


def test_register_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", register_with_errors)


def test_password_reset_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", reset_form)


def test_password_reset_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", reset_form)


def test_reset_code_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", reset_code_with_errors)


def test_reset_code_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", reset_code_with_errors)


def test_balance_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10001", "balance"))


def test_balance_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10001", "balance"))


def test_account_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", opener("10001", "account"))


def test_account_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", opener("10001", "account"))
