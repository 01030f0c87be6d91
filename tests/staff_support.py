"""Helpers for the staff-mode tests: the demo staff accounts, TOTP codes (pyotp, as an authenticator
app computes them), logging in through the staff session, and opening a customer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pyotp
from textual.pilot import Pilot

from ebok_tui.core.api.staff import Verification
from ebok_tui.ui.app import EbokApp
from tests.tui_support import SIZE, make_app, settle

#: login -> (password, TOTP secret or None): the demo seed's staff (README "Demo staff logins")
DEMO_STAFF = {
    "pomoc": ("pomoc-demo-2026", None),
    "urzednik": ("urzednik-demo-2026", "EBOKDEMOURZEDNIKTOTPSEKRETBBBBBB"),
    "kierownik": ("kierownik-demo-2026", "EBOKDEMOKIEROWNIKTOTPSEKRETAAAAA"),
}


def totp_code(login: str) -> str | None:
    """The current code of ``login``'s authenticator (None for an account without TOTP). Each code
    logs in once per account: a test that logs one account in twice needs a server of its own per
    login (``fresh_server``) or a later time step."""
    secret = DEMO_STAFF[login][1]
    return pyotp.TOTP(secret).now() if secret else None


def wrong_code(login: str) -> str:
    """A six-digit code that is not the current one."""
    return f"{(int(totp_code(login) or 0) + 500_000) % 1_000_000:06d}"


async def staff_login_as(app: EbokApp, login: str = "pomoc") -> None:
    """Log in as a member of staff through the staff session (the login screen has its own tests)
    and open the first staff section, as the app does after the login screen."""
    app.staff_mode = True
    await app.staff.login(login, DEMO_STAFF[login][0], totp_code(login))
    await app._staff_logged_in()


@asynccontextmanager
async def staff_app(server, login: str) -> AsyncIterator[tuple[EbokApp, Pilot]]:
    """An 80x24 app on ``server`` with ``login`` logged in to the staff shell (its first section
    shown); the staff session is logged out at the end."""
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await staff_login_as(app, login)
        await settle(pilot)
        yield app, pilot
        await app.staff.logout()


async def serve(app: EbokApp, customer: str = "10001", reason: str = "counter_visit", section: str = "balance") -> None:
    """Open ``customer`` (a phone call passes verification) and show ``section`` in act-for mode."""
    verification = Verification(customer_number=True, address=True) if reason == "phone_call" else None
    await app.staff.open_customer(customer, reason, verification=verification)
    await app._customer_opened()
    if section != "balance":
        await app.action_open_section(section)
