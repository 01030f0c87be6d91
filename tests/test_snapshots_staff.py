"""80x24 snapshots of the staff screens, in Polish and English: the staff login (with the demo
staff panel), customer search with results, the open-customer dialog (phone call checklist) and one
act-for screen (the balance under the "Obsługujesz" banner).

The real server in-process on this module's own demo database (``server``, ``--today 2026-11-15``).
Logins are the helpdesk account's (no TOTP code: every snapshot logs in again, and a TOTP code logs
in only once)."""

from __future__ import annotations

from tests.staff_support import serve, staff_login_as
from tests.tui_support import press_settled, screens, settle, snapshot, type_text


async def staff_login(pilot) -> None:
    await settle(pilot)
    await pilot.press("ctrl+s")


async def search_results(pilot) -> None:
    await staff_login_as(pilot.app, "pomoc")
    await settle(pilot)
    await type_text(pilot, "nowak")
    await pilot.press("enter")


async def open_dialog(pilot) -> None:
    await search_results(pilot)
    await settle(pilot)
    await press_settled(pilot, "enter")
    pilot.app.screen.query_one("#check-customer_number").toggle()  # the checklist, partly done


async def acting_balance(pilot) -> None:
    await staff_login_as(pilot.app, "pomoc")
    await serve(pilot.app, "10001", "phone_call")


SCREENS = {
    "staff_login": staff_login,
    "staff_search": search_results,
    "open_customer": open_dialog,
    "acting_balance": acting_balance,
}


@screens(SCREENS)
def test_screen(snap_compare, server, lang, run_before):
    assert snapshot(snap_compare, server, lang, run_before)
