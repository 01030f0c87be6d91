"""Helpers for the staff-mode tests: the demo staff accounts, TOTP codes (pyotp, as an authenticator
app computes them), logging in through the staff session or its login screen, opening a customer,
and what a clerk does for them (a reading, a letter)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pyotp
from textual.pilot import Pilot
from textual.widgets import Input

from ebok_tui.core.api.staff import Verification
from ebok_tui.ui.app import EbokApp
from tests.asgi_server import InProcessServer
from tests.tui_support import SIZE, make_app, open_settled, press_settled, settle, type_text

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


async def fill_staff_login(pilot: Pilot, login: str, code: str | None) -> None:
    """Fill the staff login screen (``login``'s demo password, ``code`` as the TOTP code) and press
    Enter in the code field."""
    screen = pilot.app.screen
    screen.query_one("#staff-login", Input).value = login
    screen.query_one("#staff-password", Input).value = DEMO_STAFF[login][0]
    screen.query_one("#staff-totp", Input).value = code or ""
    screen.query_one("#staff-totp", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


async def open_staff_section(pilot: Pilot, login: str, section: str) -> None:
    """Once the app has started, log in as ``login`` and open the staff ``section``."""
    await settle(pilot)
    await staff_login_as(pilot.app, login)
    await pilot.app.action_open_staff_section(section)
    await settle(pilot)


@asynccontextmanager
async def acting(
    server: InProcessServer,
    login: str = "pomoc",
    customer: str = "10001",
    reason: str = "counter_visit",
    section: str = "balance",
    *,
    lang: str = "pl",
) -> AsyncIterator[tuple[EbokApp, Pilot]]:
    """The app at 80x24 with ``login`` serving ``customer`` (``serve``), settled in ``section``."""
    app = make_app(server, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await staff_login_as(app, login)
        await serve(app, customer, reason, section)
        await settle(pilot)
        yield app, pilot


async def submit_reading(pilot: Pilot, value: str) -> None:
    """On the readings screen: ``n``, the value typed over the proposed one, Enter."""
    modal = await press_settled(pilot, "n")
    assert type(modal).__name__ == "SubmitReadingModal"
    modal.query_one("#value", Input).value = ""
    await type_text(pilot, value)
    await pilot.press("enter")
    await settle(pilot)


async def write_letter(pilot: Pilot, kind: str, subject: str, body: str) -> None:
    """Open the correspondence, write a new letter (``n``) and send it (ctrl+s)."""
    compose = await open_settled(pilot, "correspondence", "n")
    assert type(compose).__name__ == "ComposeScreen"
    compose.query_one("#kind").value = kind
    compose.query_one("#subject", Input).value = subject
    compose.query_one("#body-text").text = body
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ != "ComposeScreen"
