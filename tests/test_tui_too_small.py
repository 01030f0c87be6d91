"""Below 80x24 a notice gives the current and the needed size instead of a cut UI (60x20 cut
sections 6 and 7 from the navigation bar and amounts to "122,52 z"); it goes when the window
grows, and the screen under it is as it was."""

from __future__ import annotations

import pytest

from ebok_tui.ui.screens.too_small import TooSmallScreen
from tests.tui_support import login_as, make_app, settle, text_of


@pytest.mark.parametrize("lang", ["pl", "en"])
async def test_notice_below_80x24_and_gone_when_it_fits(server, lang):
    app = make_app(server, lang=lang)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen), (app.size, app.screen_stack)
        said = text_of(app.screen.query_one("#too-small"))
        assert "60×20" in said and "80×24" in said
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert not isinstance(app.screen, TooSmallScreen)
        await login_as(app, "10001")
        await settle(pilot)
        await pilot.resize_terminal(79, 24)
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        assert "79×24" in text_of(app.screen.query_one("#too-small"))
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert app.screen.__class__.__name__ == "BalanceScreen"


async def test_no_notice_at_80x24(server):
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, TooSmallScreen)
