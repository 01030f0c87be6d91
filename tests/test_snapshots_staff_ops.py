"""80x24 snapshots of the staff correspondence queue, audit log and staff accounts, in Polish and
English, on the real server in-process (demo data, ``--today 2026-11-15``).

The queue is the helpdesk operator's (no TOTP code); the supervisor's screens and the clerk's
customer-type form each run on a database of their own (``fresh_server``): a TOTP code logs in once per account and database. The audit log is
shown filtered to a member of staff with no entries (entries carry the real clock's time) and with a
fixed export path."""

from __future__ import annotations

from textual.widgets import Input

from tests.staff_support import serve, staff_login_as
from tests.tui_support import settle, snapshot, wait_until


async def queue(pilot) -> None:
    await staff_login_as(pilot.app, "pomoc")
    await pilot.app.action_open_staff_section("queue")
    await settle(pilot)


async def audit(pilot) -> None:
    await staff_login_as(pilot.app, "kierownik")
    await pilot.app.action_open_staff_section("audit")
    await settle(pilot)
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
    await pilot.press("k")
    await settle(pilot)
    await pilot.press("down", "enter")
    screen = pilot.app.screen
    screen.query_one("#nip", Input).value = "526-587-76-34"
    screen.query_one("#reason", Input).value = "Wpis do CEIDG"
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def accounts(pilot) -> None:
    await staff_login_as(pilot.app, "kierownik")
    await pilot.app.action_open_staff_section("accounts")
    await settle(pilot)


def test_staff_queue_pl(snap_compare, server):
    assert snapshot(snap_compare, server, "pl", queue)


def test_staff_queue_en(snap_compare, server):
    assert snapshot(snap_compare, server, "en", queue)


def test_staff_audit_pl(snap_compare, fresh_server):
    assert snapshot(snap_compare, fresh_server, "pl", audit)


def test_staff_audit_en(snap_compare, fresh_server):
    assert snapshot(snap_compare, fresh_server, "en", audit)


def test_staff_accounts_pl(snap_compare, fresh_server):
    assert snapshot(snap_compare, fresh_server, "pl", accounts)


def test_staff_accounts_en(snap_compare, fresh_server):
    assert snapshot(snap_compare, fresh_server, "en", accounts)


def test_staff_customer_type_pl(snap_compare, fresh_server):
    assert snapshot(snap_compare, fresh_server, "pl", customer_type)


def test_staff_customer_type_en(snap_compare, fresh_server):
    assert snapshot(snap_compare, fresh_server, "en", customer_type)
