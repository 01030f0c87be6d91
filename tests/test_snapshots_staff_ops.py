"""80x24 snapshots of the staff correspondence queue, audit log and staff accounts, in Polish and
English, on the real server in-process (demo data, ``--today 2026-11-15``).

The queue is the helpdesk operator's (no TOTP code); the supervisor's screens each run on a database
of their own (``fresh_server``): a TOTP code logs in once per account and database. The audit log is
shown filtered to a member of staff with no entries (entries carry the real clock's time) and with a
fixed export path."""

from __future__ import annotations

from textual.widgets import Input

from tests.staff_support import open_staff_section
from tests.tui_support import screens, settle, snapshot, wait_until


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


async def accounts(pilot) -> None:
    await open_staff_section(pilot, "kierownik", "accounts")


@screens({"staff_queue": queue})
def test_screen(snap_compare, server, lang, run_before):
    assert snapshot(snap_compare, server, lang, run_before)


@screens({"staff_audit": audit, "staff_accounts": accounts})
def test_supervisor_screen(snap_compare, fresh_server, lang, run_before):
    assert snapshot(snap_compare, fresh_server, lang, run_before)
