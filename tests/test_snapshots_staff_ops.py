"""80x24 snapshots of the staff correspondence queue, audit log and staff accounts, and of the
clerk's customer-type form, in Polish and English, on the real server in-process (demo data,
``--today 2026-11-15``).

The queue is the helpdesk operator's (no TOTP code); the supervisor's screens and the clerk's form
each run on a database of their own (``fresh_server``): a TOTP code logs in once per account and database. The audit log is
shown filtered to a member of staff with no entries (entries carry the real clock's time) and with a
fixed export path."""

from __future__ import annotations

from textual.widgets import Input

from tests.staff_support import open_staff_section, serve, staff_login_as
from tests.tui_support import press_settled, screens, settle, snapshot, wait_until


async def queue(pilot) -> None:
    await open_staff_section(pilot, "pomoc", "queue")


async def audit(pilot) -> None:
    await open_staff_section(pilot, "kierownik", "audit")
    screen = pilot.app.screen
    screen.query_one("#audit-export", Input).value = "~/Downloads/audit.csv"
    screen.query_one("#audit-staff", Input).value = "pomoc"
    screen.query_one("#audit-staff", Input).focus()
    await pilot.pause()
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen.filters["staff_login"] == "pomoc")
    await settle(pilot)


async def customer_type(pilot) -> None:
    """The clerk's form for 10001 from the contract screen: business chosen, a NIP with a wrong
    check digit refused under the field."""
    await staff_login_as(pilot.app, "urzednik")
    await serve(pilot.app, "10001", "counter_visit", "contract")
    await settle(pilot)
    await press_settled(pilot, "k")
    await pilot.press("down", "enter")
    screen = pilot.app.screen
    screen.query_one("#nip", Input).value = "526-587-76-34"
    screen.query_one("#reason", Input).value = "Wpis do CEIDG"
    await settle(pilot)
    await press_settled(pilot, "ctrl+s")


async def accounts(pilot) -> None:
    await open_staff_section(pilot, "kierownik", "accounts")


@screens({"staff_queue": queue})
def test_screen(snap_compare, server, lang, run_before):
    assert snapshot(snap_compare, server, lang, run_before)


@screens({"staff_audit": audit, "staff_accounts": accounts, "staff_customer_type": customer_type})
def test_supervisor_screen(snap_compare, fresh_server, lang, run_before):
    assert snapshot(snap_compare, fresh_server, lang, run_before)
