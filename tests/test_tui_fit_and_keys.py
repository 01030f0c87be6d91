"""What a resident trying every screen at 80x24 ran into: text cut off, year labels run together,
Home/End and Left/Right doing nothing, a tick that only changed colour, error banners left over
from an earlier attempt, and example numbers that were a real customer's."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from textual.widgets import Button, DataTable, Input

from ebok_tui.core.api import EbokClient
from ebok_tui.core.credentials import SavedLogin
from ebok_tui.ui.screens.auth.login import LoginScreen, RememberMe
from ebok_tui.ui.screens.auth.register import RegisterScreen
from ebok_tui.ui.widgets.chrome import ErrorBanner
from ebok_tui.ui.screens.contract.efaktura import ConfirmWithdrawModal
from ebok_tui.ui.widgets.chart import ConsumptionChart
from tests.server_proc import running_server
from tests.tui_support import (
    SIZE,
    FakeCredentials,
    logged_in,
    login_as,
    make_app,
    paste,
    press_settled,
    settle,
    wait_until,
)


def screen_lines(app) -> list[str]:
    """The terminal as the resident sees it, line by line."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


async def test_english_message_times_are_whole_and_the_list_fits(server_url):
    app = make_app(server_url, lang="en")
    async with logged_in(app, "10001", "correspondence"):
        table = app.screen.query_one("#threads", DataTable)
        updated = [str(table.get_cell(key, "updated")) for key in table.rows]
        assert updated and all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}", u) for u in updated), updated
        assert table.max_scroll_x == 0  # no sideways scrolling: every column fits 80 columns
        shown = "\n".join(screen_lines(app))
        assert all(u in shown for u in updated)


async def test_chart_year_labels_never_run_together(server_url):
    """24 months from December 2024 (the window late in November): "2024" under the first bar
    touched "2025" one bar later."""
    app = make_app(server_url)
    async with logged_in(app, "10001", "readings") as pilot:
        await press_settled(pilot, "g")
        chart = app.screen.query_one("#chart", ConsumptionChart)
        months = [dt.date(2024 + (11 + i) // 12, (11 + i) % 12 + 1, 1) for i in range(24)]
        assert months[0] == dt.date(2024, 12, 1) and months[-1] == dt.date(2026, 11, 1)
        chart.set_data([(m, Decimal("7.5")) for m in months])
        await pilot.pause()
        years_line = chart.render().plain.splitlines()[-1]
        assert not re.search(r"\d{5,}", years_line), years_line
        assert re.findall(r"\d{4}", years_line) == ["2025", "2026"]


async def test_home_and_end_in_lists(server_url):
    app = make_app(server_url)
    async with app.run_test(size=SIZE) as pilot:
        for section, table_id in (("correspondence", "#threads"), ("readings", "#readings")):
            await login_as(app, "10001", section)
            await settle(pilot)
            table = app.screen.query_one(table_id, DataTable)
            table.focus()
            assert table.row_count > 2
            await pilot.press("end")
            assert table.cursor_row == table.row_count - 1, section
            await pilot.press("home")
            assert table.cursor_row == 0, section


async def test_left_and_right_move_between_dialog_buttons(tmp_path):
    with running_server(tmp_path / "server") as srv:  # 10002 has e-FAKTURA to withdraw
        app = make_app(srv.url)
        async with logged_in(app, "10002", "efaktura") as pilot:
            await pilot.press("w")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmWithdrawModal))
            assert app.focused.id == "confirm-no"
            await pilot.press("left")
            assert app.focused.id == "confirm-yes"
            await pilot.press("left")  # the first button stays focused
            assert app.focused.id == "confirm-yes"
            await pilot.press("right")
            assert app.focused.id == "confirm-no"
            await press_settled(pilot, "enter")
            assert not isinstance(app.screen, ConfirmWithdrawModal)


def box(widget: RememberMe) -> str:
    return widget.render().plain[:3]


async def test_remember_me_shows_a_tick_only_when_ticked_and_usable(server_url):
    app = make_app(server_url, credentials=FakeCredentials())
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        remember = app.screen.query_one(RememberMe)
        assert not remember.value and box(remember) == "▐ ▌"  # not just a dimmer X
        remember.focus()
        await pilot.press("space")
        assert remember.value and box(remember) == "▐X▌"
    app = make_app(server_url, credentials=None)  # no keyring: remember-me is disabled
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        remember = app.screen.query_one(RememberMe)
        remember.value = True
        await pilot.pause()
        assert remember.disabled and box(remember) == "▐ ▌"


async def test_a_login_error_goes_once_the_field_is_fixed_or_after_coming_back(server_url):
    app = make_app(server_url, demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        screen = app.screen
        banner = screen.query_one(ErrorBanner)

        async def fail() -> None:
            screen.query_one("#customer-number", Input).value = "10003"
            screen.query_one("#password", Input).value = "zle-haslo"
            screen.query_one("#login", Button).press()
            await settle(pilot)
            assert banner.display

        await fail()
        screen.query_one("#password", Input).focus()
        await pilot.press("x")  # the resident starts retyping the password
        assert not banner.display
        await fail()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, RegisterScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.pause()
        assert not banner.display


async def test_a_load_error_stays_until_a_reload_works(tmp_path):
    """Only an action's error is stale after an edit; "could not load" stays true until a reload."""
    with running_server(tmp_path / "server") as srv:
        app = make_app(srv.url)
        app.health_interval = 3600
        app.retry_delays = (3600,)
        async with logged_in(app, "10004", "account") as pilot:
            srv.proc.kill()
            srv.proc.wait(timeout=10)
            await press_settled(pilot, "r")
            banner = app.screen.query_one(ErrorBanner)
            assert banner.display
            app.screen.query_one("#pw-current", Input).focus()  # into a field, and type
            await pilot.press("a")
            assert banner.display


async def test_account_result_and_keyring_lines_are_not_cut_off(tmp_path):
    with running_server(tmp_path / "server") as srv:
        store = FakeCredentials(backend="SecretService Keyring (keyring.backends.SecretService.Keyring)")
        store.saved = SavedLogin("10003", "woda-10003")  # so the result also reports the keyring update
        app = make_app(srv.url, credentials=store)
        async with logged_in(app, "10003", "account") as pilot:
            screen = app.screen
            await wait_until(pilot, lambda: "Magazyn haseł: SecretService" in "".join(screen_lines(app)))
            for field, value in (("current", "woda-10003"), ("new", "nowe-haslo-3"), ("repeat", "nowe-haslo-3")):
                screen.query_one(f"#pw-{field}", Input).focus()
                await pilot.pause()
                await paste(pilot, value)
            await press_settled(pilot, "enter")
            shown = " ".join(line.strip() for line in screen_lines(app)[3:-1])
            assert "wylogowane." in shown and "magazynie haseł." in shown, shown
            assert "SecretService.Keyrin" in shown


async def test_registration_examples_are_nobodys_real_numbers(server_url):
    real: set[str] = set()
    async with EbokClient(server_url) as api:
        for customer in (await api.demo_info()).customers:
            await api.login(customer.customer_number, customer.password)
            contract = await api.contract()
            real |= {contract.number, *(m.number for m in contract.meters)}
            real.add((await api.me()).email or "")
            await api.logout()
    real.discard("")
    for lang in ("pl", "en"):
        app = make_app(server_url, lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda app=app: isinstance(app.screen, LoginScreen))
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda app=app: isinstance(app.screen, RegisterScreen))
            screen = app.screen
            placeholders = [i.placeholder for i in screen.query(Input)]
            assert any("UM/" in p for p in placeholders) and any("WM-" in p for p in placeholders)
            texts = placeholders + [
                app.i18n.t(k) for k in ("register.error_contract_number", "register.error_meter_number")
            ]
            assert not [t for t in texts for number in real if number in t], (texts, real)
