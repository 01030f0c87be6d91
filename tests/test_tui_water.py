"""Water and the year (issue 12, feature 3) in the client against the real demo server (business
date 2026-11-15): ``w`` on the balance shows the water quality of the resident's supply zone with
the limits and the server's verdict, then the last whole year's figures; ``[`` / ``]`` change the
year within the years the server has figures for."""

from __future__ import annotations

from textual.widgets import Static

from ebok_tui.ui.screens.billing.balance import BalanceScreen
from ebok_tui.ui.screens.water.water import WaterYearScreen
from tests.tui_support import logged_in, make_app, press_settled, settle, text_of, wait_until


async def test_water_quality_and_the_last_whole_year(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10001") as pilot:
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, WaterYearScreen))
        await settle(pilot)
        screen = app.screen
        body = text_of(screen.query_one("#water-body", Static))
        assert "ul. Grunwaldzka 12/4, Jaworzno — Strefa Centrum" in body
        assert "SPEŁNIA NORMY" in body and "badanie z 03.11.2026" in body
        for name in ("Bakterie E. coli", "Enterokoki", "Azotany", "Odczyn pH", "Twardość"):
            assert name in body
        assert "poza normą" not in body
        assert "Rok 2025" in body and "rok jeszcze trwa" not in body  # the last whole year first
        assert body.count(".2025 ") == 12  # one row a month
        assert "Litr wody z kranu: 1,52 gr" in body and "1,33 zł" in body
        assert screen.yearly is not None and screen.year == 2025

        await press_settled(pilot, "left_square_bracket")
        assert screen.year == 2024 and "Rok 2024" in text_of(screen.query_one("#water-body", Static))
        while screen.check_action("year", (-1,)):  # back to the first year with figures
            await press_settled(pilot, "left_square_bracket")
        assert screen.year == min(screen.yearly.years)
        await press_settled(pilot, "left_square_bracket")  # nothing before it: nothing happens
        assert screen.year == min(screen.yearly.years)

        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))
