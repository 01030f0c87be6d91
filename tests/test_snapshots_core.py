"""80x24 snapshots of the login (with the demo panel), registration request, password reset (both steps),
balance and account screens, in Polish and English.

The real server in-process on this module's own demo database (``server``, ``--today 2026-11-15``),
so nothing another module changes can leak in; no
keyring (the account screen says so), so nothing depends on the machine."""

from __future__ import annotations

from tests.tui_support import opener, paste, press_settled, screens, settle, snapshot


async def paste_and_submit(pilot, *values: str | None) -> None:
    """Paste ``values`` into the form's fields from the focused one on, a tab between them
    (``None`` leaves a field empty), and submit the form."""
    for i, value in enumerate(values):
        if i:
            await pilot.press("tab")
        if value is not None:
            await paste(pilot, value)
    await pilot.app.screen.run_action("submit")
    await settle(pilot)


async def register_with_errors(pilot) -> None:
    """The registration form with messages under the meter number and the invoice amount."""
    await settle(pilot)
    await press_settled(pilot, "ctrl+r")
    await paste_and_submit(pilot, "UM/2015/00123", None, "12,345")


async def reset_form(pilot) -> None:
    await settle(pilot)
    await pilot.press(*"10001")
    await press_settled(pilot, "ctrl+t")


async def reset_code_with_errors(pilot) -> None:
    """The reset's second step (code + new password twice) with the passwords differing."""
    await reset_form(pilot)
    await pilot.app.screen.run_action("back")
    await settle(pilot)
    from ebok_tui.ui.screens.auth.password_reset import ResetCodeScreen

    await pilot.app.push_screen(ResetCodeScreen("10001"))
    await settle(pilot)
    await paste_and_submit(pilot, "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567", "długie hasło", "dlugie haslo")


SCREENS = {
    "login": settle,
    "register": register_with_errors,
    "password_reset": reset_form,
    "reset_code": reset_code_with_errors,
    "balance": opener("10001", "balance"),
    "account": opener("10001", "account"),
}


@screens(SCREENS)
def test_screen(snap_compare, server, lang, run_before):
    assert snapshot(snap_compare, server, lang, run_before)
