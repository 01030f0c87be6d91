"""Staff mode of the app against the real server in-process: the staff login (TOTP), search, opening
a customer for a phone call (failed, then passed verification), act-for mode with its banner and
role limits, closing the customer."""

from __future__ import annotations

from textual.widgets import Checkbox, DataTable, Input, RadioButton

from ebok_tui.core.api import NotFound
from ebok_tui.ui.screens.staff.login import StaffLoginScreen
from ebok_tui.ui.screens.staff.search import StaffSearchScreen
from ebok_tui.ui.widgets.chrome import ErrorBanner
from tests.staff_support import DEMO_STAFF, staff_login_as, totp_code, wrong_code
from tests.tui_support import SIZE, make_app, settle, text_of, type_text, wait_until


async def fill_staff_login(pilot, login: str, code: str | None) -> None:
    screen = pilot.app.screen
    screen.query_one("#staff-login", Input).value = login
    screen.query_one("#staff-password", Input).value = DEMO_STAFF[login][0]
    screen.query_one("#staff-totp", Input).value = code or ""
    screen.query_one("#staff-totp", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_staff_login_from_the_login_screen_with_totp(fresh_server):
    app = make_app(fresh_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")  # resident login -> staff login
        await settle(pilot)
        assert isinstance(app.screen, StaffLoginScreen)
        shown = text_of(app.screen.query_one("#not-stored"))
        assert "nie są zapamiętywane" in shown
        panel = app.screen.query_one("#demo-panel")  # the demo staff with the TOTP secrets
        prompts = " ".join(str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count))
        assert "kierownik" in prompts and "EBOKDEMOKIEROWNIKTOTPSEKRETAAAAA" in prompts and "pomoc" in prompts

        await fill_staff_login(pilot, "urzednik", None)
        banner = app.screen.query_one(ErrorBanner)
        assert "wymaga kodu" in text_of(banner)
        assert app.focused is app.screen.query_one("#staff-totp")

        await fill_staff_login(pilot, "urzednik", wrong_code("urzednik"))
        assert "nieprawidłowy albo został już użyty" in text_of(app.screen.query_one(ErrorBanner))
        assert not app.staff.active

        await fill_staff_login(pilot, "urzednik", totp_code("urzednik"))
        assert isinstance(app.screen, StaffSearchScreen)
        assert app.staff.me is not None and app.staff.me.role == "clerk"


async def test_staff_flag_opens_the_staff_login(server):
    app = make_app(server, lang="en")
    app.staff_mode = True  # what `ebok-tui --staff` passes
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StaffLoginScreen)
        assert "not remembered" in text_of(app.screen.query_one("#not-stored"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, StaffLoginScreen) and not app.staff_mode


async def test_search_finds_wisniewski_and_opens_after_verification(server):
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await staff_login_as(app, "pomoc")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StaffSearchScreen)
        await type_text(pilot, "wi")
        await settle(pilot)
        assert screen.query_one("#results", DataTable).row_count == 0
        await type_text(pilot, "sniewski")  # searched once the typing pauses (no Enter)
        table = screen.query_one("#results", DataTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        assert screen.page is not None and screen.page.items[0].full_name == "Piotr Wiśniewski"
        assert "1–1 z 1" in text_of(screen.query_one("#search-status"))

        await pilot.press("slash")  # back to the query
        assert app.focused is screen.query_one("#query")
        await pilot.press("enter")  # searches at once and moves to the results
        await settle(pilot)
        assert app.focused is table
        await pilot.press("enter")  # open the customer: the reason dialog
        await settle(pilot)
        modal = app.screen
        assert type(modal).__name__ == "OpenCustomerModal"
        assert modal.query_one("#reason-phone_call", RadioButton).value  # a phone call by default
        modal.query_one("#check-customer_number", Checkbox).value = True
        await modal.run_action("open")
        await settle(pilot)
        assert app.screen is modal and app.staff.access is None  # nothing opened
        assert "nie przeszedł weryfikacji" in text_of(modal.query_one(ErrorBanner))

        modal.query_one("#check-address", Checkbox).value = True
        await modal.run_action("open")
        await settle(pilot)
        assert app.acting is not None and app.acting.customer.customer_number == "10003"
        assert type(app.screen).__name__ == "BalanceScreen"
        banner = text_of(app.screen.query_one("ActingBanner"))
        assert "Obsługujesz: 10003 Piotr Wiśniewski — rozmowa telefoniczna" in banner

        access_id = app.acting.access_id
        await pilot.press("ctrl+f")  # close the customer
        await settle(pilot)
        assert app.acting is None and isinstance(app.screen, StaffSearchScreen)
        try:
            await app.staff.api.close_access(access_id)
        except NotFound as error:
            assert error.code == "access_not_live"
        else:
            raise AssertionError("the access was still live after closing the customer")
        await app.staff.logout()
