"""80x24 snapshots of the supervisor's notices screen (issue 12 feature 2, staff side) in Polish and
English: the list of the demo's notices, and the publishing form after an empty send (each field's
message under it). Each on a database of its own (``fresh_server``: a TOTP code logs in once per
account and database)."""

from __future__ import annotations

from tests.staff_support import open_staff_section
from tests.tui_support import press_settled, screens, snapshot


async def notices(pilot) -> None:
    await open_staff_section(pilot, "kierownik", "notices")


async def empty_form(pilot) -> None:
    await notices(pilot)
    await press_settled(pilot, "n", "ctrl+s")


@screens({"staff_notices": notices, "staff_notice_form": empty_form})
def test_screen(snap_compare, fresh_server, lang, run_before):
    assert snapshot(snap_compare, fresh_server, lang, run_before)
