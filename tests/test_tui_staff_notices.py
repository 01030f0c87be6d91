"""The supervisor's notices screen (issue 12 feature 2, staff side) against the real demo server
(business date 2026-11-15): section 5 of the staff shell for the ``notices`` permission only; the
list of the demo's notices (in force, planned, ended) with the text of the highlighted one; the
publishing form's field checks (Textual ``Input`` validators, messages under the fields) and a
publication the list then shows and the residents at that street get."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input, Static

from ebok_tui.ui.screens.staff.notices import PublishNoticeModal, StaffNoticesScreen
from tests.staff_support import staff_app
from tests.tui_support import settle, text_of, wait_until


async def test_only_a_supervisor_gets_the_notices_section(fresh_server):
    async with staff_app(fresh_server, "urzednik") as (app, pilot):
        assert "notices" not in [s.id for s in app.staff_sections()]
        before = app.screen
        await app.action_open_staff_section("notices")
        await settle(pilot)
        assert app.screen is before and not isinstance(app.screen, StaffNoticesScreen)


async def test_a_supervisor_lists_and_publishes_notices(fresh_server):
    async with staff_app(fresh_server, "kierownik") as (app, pilot):
        assert [s.id for s in app.staff_sections()][-1] == "notices"
        await app.action_open_staff_section("notices")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffNoticesScreen) and bool(app.screen.notices))
        await settle(pilot)
        screen = app.screen
        states = [screen.table.get_row_at(i)[0].plain.strip() for i in range(screen.table.row_count)]
        assert states == ["planowany", "trwa", "zakończony"]  # newest start first
        assert text_of(screen.query_one("#notice-text", Static)) == screen.notices[0].text_pl
        await pilot.press("down")  # the highlighted one's text
        await settle(pilot)
        assert "Grunwaldzkiej" in text_of(screen.query_one("#notice-text", Static))

        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PublishNoticeModal))
        modal = app.screen
        await pilot.press("ctrl+s")  # nothing filled in: every required field says so
        await settle(pilot)
        errors = {
            f: text_of(modal.query_one(f"#{f}-error", Static)) for f in ("city", "starts_at", "ends_at", "text_pl")
        }
        assert errors == {
            "city": "Podaj miejscowość.",
            "starts_at": "Podaj datę i godzinę.",
            "ends_at": "Podaj datę i godzinę.",
            "text_pl": "Wpisz treść komunikatu.",
        }
        assert app.screen.focused is modal.query_one("#city", Input)

        async def fill(**values: str) -> None:
            for field, value in values.items():
                modal.query_one(f"#{field}", Input).value = value
            await settle(pilot)  # editing a field clears its message: before sending again

        await fill(
            city="Jaworzno", streets="Mickiewicza, Lwowska", starts_at="31.11.2026 08:00", ends_at="16.11.2026 7:00"
        )
        await fill(text_pl="Wymiana zasuwy.", text_en="Valve replacement.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(modal.query_one("#starts_at-error", Static)).startswith("Data i godzina w postaci DD.MM.RRRR")
        await fill(starts_at="16.11.2026 08:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(modal.query_one("#ends_at-error", Static)) == "Przewidywany koniec musi być po początku."
        await fill(ends_at="16.11.2026 14:30")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen and len(screen.notices) == 4)
        await settle(pilot)
        assert "Opublikowano komunikat dla: Jaworzno." in text_of(screen.query_one("#notices-result", Static))
        [first] = [n for n in screen.notices if n.text_en == "Valve replacement."]
        assert (first.kind, first.streets, first.text_pl) == ("failure", ["mickiewicza", "lwowska"], "Wymiana zasuwy.")
        assert first.starts_at.astimezone() == dt.datetime(2026, 11, 16, 8, 0).astimezone()

    # a resident at ul. Mickiewicza (10002) gets it
    async with fresh_server.client() as resident:
        await resident.login("10002", "woda-10002")
        assert "Wymiana zasuwy." in [n.text_pl for n in (await resident.notices()).items]
