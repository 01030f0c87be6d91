"""80x24 snapshots of the login (with the demo panel), registration request, password reset,
balance and account screens, in Polish and English.

A private demo server (``--today 2026-11-15``) so nothing another test changes can leak in; no
keyring (the account screen says so), so nothing depends on the machine."""

from __future__ import annotations

import pytest

from ebok_tui.api import EbokClient
from ebok_tui.app import EbokApp
from tests.core_support import paste, settle
from tests.server_proc import running_server
from tests.tui_support import SIZE, login_as


@pytest.fixture(scope="module")
def snap_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("snap_core")) as info:
        yield info.url


def app_for(url: str, lang: str) -> EbokApp:
    return EbokApp(EbokClient(url, lang=lang), lang=lang, credentials=None, drafts=None, demo=True)


async def on_login(pilot) -> None:
    await settle(pilot)


def section(customer: str, name: str):
    async def run_before(pilot) -> None:
        await login_as(pilot.app, customer, name)
        await settle(pilot)

    return run_before


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
    assert snap_compare(app_for(snap_server, "pl"), terminal_size=SIZE, run_before=on_login)


def test_login_en(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "en"), terminal_size=SIZE, run_before=on_login)


def test_register_pl(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "pl"), terminal_size=SIZE, run_before=register_with_errors)


def test_register_en(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "en"), terminal_size=SIZE, run_before=register_with_errors)


def test_password_reset_pl(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "pl"), terminal_size=SIZE, run_before=reset_form)


def test_password_reset_en(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "en"), terminal_size=SIZE, run_before=reset_form)


def test_balance_pl(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "pl"), terminal_size=SIZE, run_before=section("10001", "balance"))


def test_balance_en(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "en"), terminal_size=SIZE, run_before=section("10001", "balance"))


def test_account_pl(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "pl"), terminal_size=SIZE, run_before=section("10001", "account"))


def test_account_en(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "en"), terminal_size=SIZE, run_before=section("10001", "account"))
