"""Notices (issue 12, feature 2) in the client against the real demo server (business date
2026-11-15): the failure in force in 10001's street on the balance screen, every notice with the
emergency number on the Notices screen (``n``), and a resident with none."""

from __future__ import annotations

from textual.widgets import Select, Static

from ebok_tui.ui.screens.billing.balance import BalanceScreen
from ebok_tui.ui.screens.notices.notices import NoticesScreen
from tests.tui_support import logged_in, make_app, settle, shown, text_of, wait_until


async def test_active_failure_on_the_balance_and_all_notices_on_n(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10001") as pilot:
        assert isinstance(app.screen, BalanceScreen)
        banner = app.screen.query_one("#balance-notices", Static)
        assert banner.display
        text = shown(app, "#balance-notices")
        assert "AWARIA" in text and "Grunwaldzkiej" in text and "994" in text
        assert "od 14.11.2026 07:00 do ok. 16.11.2026 17:00" in text  # UTC shown in local time (TZ Europe/Warsaw)
        assert "Planowane" not in text  # only what is in force now
        assert "DO ZAPŁATY" in shown(app, "#balance-summary")  # the balance is still there
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NoticesScreen))
        await settle(pilot)
        listed = shown(app, "#notices-body")
        assert "Pogotowie wodociągowe: 994" in listed
        assert listed.index("AWARIA") < listed.index("Planowane wyłączenie")
        assert "wymiana zasuw" in listed and "usunięta" not in listed  # the past one is not listed
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))


async def test_no_notices_no_banner(server, tmp_path):
    app = make_app(server, tmp_path, lang="en")
    async with logged_in(app, "10003") as pilot:
        assert isinstance(app.screen, BalanceScreen)
        assert not app.screen.query_one("#balance-notices", Static).display
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NoticesScreen))
        await settle(pilot)
        listed = shown(app, "#notices-body")
        assert "Water emergency service: 994" in listed and "no failures or planned interruptions" in listed


async def test_failure_report_form_shows_994_and_the_failure_first(server, tmp_path):
    from tests.test_tui_correspondence import fill, open_composer

    app = make_app(server, tmp_path)
    async with logged_in(app, "10001", section="correspondence") as pilot:
        composer = await open_composer(pilot)
        info = composer.query_one("#failure-info", Static)
        assert not info.display  # no kind chosen yet
        await fill(pilot, kind="failure_report")
        await settle(pilot)
        assert info.display
        text = text_of(info)
        assert "Pogotowie wodociągowe: 994" in text and "AWARIA" in text and "Grunwaldzkiej" in text
        assert "Planowane" not in text
        composer.query_one("#kind", Select).value = "water_quality"
        await wait_until(pilot, lambda: not info.display)
