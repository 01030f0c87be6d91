"""80x24 snapshots of the supervisor's notices screen (issue 12 feature 2, staff side) in Polish and
English: the list of the demo's notices, and the publishing form after an empty send (each field's
message under it). Each on a database of its own (``fresh_server``: a TOTP code logs in once per
account and database)."""

from __future__ import annotations

import pytest

from tests.staff_support import staff_login_as
from tests.tui_support import settle, snapshot


async def notices(pilot) -> None:
    await staff_login_as(pilot.app, "kierownik")
    await pilot.app.action_open_staff_section("notices")
    await settle(pilot)


async def empty_form(pilot) -> None:
    await notices(pilot)
    for key in ("n", "ctrl+s"):
        await pilot.press(key)
        await settle(pilot)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_staff_notices(snap_compare, fresh_server, lang):
    assert snapshot(snap_compare, fresh_server, lang, notices)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_staff_notice_form(snap_compare, fresh_server, lang):
    assert snapshot(snap_compare, fresh_server, lang, empty_form)
