"""The app shell: section keys, command palette, language switch, quitting closes the session."""

from __future__ import annotations

import gc

import pytest

from ebok_tui.ui.widgets.chrome import NavBar
from ebok_tui.ui.screens.auth.login import LoginScreen
from ebok_tui.ui.sections import SECTIONS
from tests.tui_support import SIZE, logged_in, login_as, make_app, settle, started, wait_until


def footer_descriptions(app) -> set[str]:
    return {active.binding.description for active in app.screen.active_bindings.values() if active.binding.show}


async def test_every_section_key_opens_its_screen(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10003") as pilot:
        for section in [*SECTIONS[1:], SECTIONS[0]]:
            await pilot.press(section.key)
            await wait_until(pilot, lambda s=section: getattr(app.screen, "SECTION", None) == s.id)
            await settle(pilot)
            assert type(app.screen) is section.load()
            assert app.screen.query_one(NavBar).current == section.id
        # the stack never grows: one section, in the login screen's place
        assert len(app.screen_stack) == 1


async def test_section_keys_work_from_a_sub_screen(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10003", section="invoices") as pilot:
        await pilot.press("enter")  # open the first invoice
        await wait_until(pilot, lambda: type(app.screen).__name__ == "InvoiceDetailScreen")
        await settle(pilot)
        await pilot.press("4")
        await wait_until(pilot, lambda: getattr(app.screen, "SECTION", None) == "contract")
        assert len(app.screen_stack) == 1  # the sub-screen went with the section it was over


async def test_language_switch_translates_screen_nav_and_footer(server, tmp_path):
    app = make_app(server, tmp_path, lang="pl")
    async with logged_in(app, "10003", section="contract") as pilot:
        assert "Odśwież" in footer_descriptions(app)
        assert "Wyjście" in footer_descriptions(app)
        await app.action_switch_language()
        await settle(pilot)
        assert app.i18n.lang == "en" and app.api.lang == "en"
        assert getattr(app.screen, "SECTION", None) == "contract"
        descriptions = footer_descriptions(app)
        assert {"Refresh", "Quit"} <= descriptions
        assert not {"Odśwież", "Wyjście"} & descriptions
        await app.action_switch_language()
        await settle(pilot)
        assert {"Odśwież", "Wyjście"} <= footer_descriptions(app)


async def test_palette_offers_sections_only_when_logged_in(server, tmp_path):
    app = make_app(server, tmp_path)
    async with started(app) as pilot:
        assert isinstance(app.screen, LoginScreen)
        before = [c.title for c in app.get_system_commands(app.screen)]
        assert not any(title.startswith("Przejdź do") for title in before)
        await login_as(app, "10003")
        await settle(pilot)
        after = [c.title for c in app.get_system_commands(app.screen)]
        assert sum(title.startswith("Przejdź do") for title in after) == len(SECTIONS)
        assert "Wyloguj i zapomnij mnie" in after


async def test_quitting_closes_the_session_on_the_server(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10003") as pilot:
        token = app.api.token
        assert token
        await pilot.press("ctrl+q")
        await pilot.pause()
    async with server.http() as http:
        reply = await http.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401


@pytest.mark.parametrize("lang", ["pl", "en"])
async def test_navigation_bar_fits_80_columns(server, tmp_path, lang):
    app = make_app(server, tmp_path, lang=lang)
    async with logged_in(app, "10003"):
        nav = app.screen.query_one(NavBar)
        assert nav.render().cell_len <= SIZE[0] - 2


async def test_garbage_collector_back_on_after_the_first_frame(server):
    """The program holds the collector off through its start-up (ebok_tui.__main__); the app turns
    it back on once the login screen has been drawn, or a long session would never collect."""
    gc.disable()
    try:
        app = make_app(server, demo=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_footer_is_not_rebuilt_for_the_same_keys(server):
    """Moving between fields whose keys are the same keeps the footer's key widgets (Textual's
    Footer built them all again after every focus change: issue 11, section switch)."""
    app = make_app(server, demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = list(app.screen.query("FooterKey"))
        assert [key.key_display for key in before] == ["^r", "^t", "^q", "^p"]
        await pilot.press("tab")
        await settle(pilot)
        assert app.screen.focused is not None and app.screen.focused.id == "password"
        assert list(app.screen.query("FooterKey")) == before
