"""Login, registration-request and password-reset screens, driven like a resident would, against
the real server."""

from __future__ import annotations

import re

import pytest
from textual import events
from textual.widgets import Button, Checkbox, Input, OptionList

from ebok_tui.core.credentials import KeyringProblem, SavedLogin
from ebok_tui.ui.screens.billing.balance import BalanceScreen
from ebok_tui.ui.widgets.chrome import ErrorBanner
from ebok_tui.ui.screens.auth.login import LoginScreen
from ebok_tui.ui.screens.auth.password_reset import PasswordResetScreen, ResetCodeScreen
from ebok_tui.ui.screens.auth.register import RegisterCodeScreen, RegisterScreen
from tests.asgi_server import InProcessServer, server_from_template
from tests.fixtures_client import closed_port_url  # noqa: F401 - a fixture
from tests.tui_support import (
    FakeCredentials,
    logged_in,
    make_app,
    paste,
    press_settled,
    settle,
    started,
    text_of,
    type_text,
    wait_until,
)


def banner_text(app) -> str:
    banner = app.screen.query_one(ErrorBanner)
    return text_of(banner) if banner.has_class("-visible") else ""


async def fill_login(pilot, number: str, password: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#customer-number", Input).focus()
    await type_text(pilot, number)
    await pilot.press("tab")
    await type_text(pilot, password)


async def test_typed_credentials_reach_the_balance_screen(server, tmp_path):
    app = make_app(server, tmp_path)
    async with started(app) as pilot:
        assert isinstance(app.screen, LoginScreen)
        await fill_login(pilot, "10001", "woda-10001")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))
        await settle(pilot)
        summary = text_of(app.screen.query_one("#balance-summary"))
        assert "237,48 zł" in summary
        assert app.me is not None and app.me.customer_number == "10001"


@pytest.mark.parametrize("move_on", ["\t", "\r"], ids=["tab", "enter"])
async def test_keys_typed_ahead_reach_the_password(server, tmp_path, move_on):
    """A fast typist, or a password manager's auto-type ("number{TAB}password{ENTER}"), sends the
    password right behind the Tab (or the Enter that moves on from the number), before the app has
    handled it: the terminal's keys arrive together, as here (posted at once, the way the terminal
    driver posts them). Every key after it belongs to the password field; none may land in the
    number field (whose digits-only filter would drop them) or be lost."""
    app = make_app(server, tmp_path)
    async with started(app) as pilot:
        screen = app.screen
        for char in f"10001{move_on}woda-10001":
            key = {"\t": "tab", "\r": "enter", "-": "minus"}.get(char, char)
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert screen.query_one("#customer-number", Input).value == "10001"
        assert screen.query_one("#password", Input).value == "woda-10001"
        assert screen.query_one("#password", Input).has_focus


async def test_enter_in_the_number_field_moves_to_the_password(server, tmp_path):
    app = make_app(server, tmp_path)
    async with started(app) as pilot:
        await type_text(pilot, "10001")
        await pilot.press("enter")
        assert app.focused is app.screen.query_one("#password", Input)
        assert isinstance(app.screen, LoginScreen)


async def test_customer_number_must_be_five_digits(server, tmp_path):
    app = make_app(server, tmp_path)
    async with started(app) as pilot:
        number = app.screen.query_one("#customer-number", Input)
        # letters are refused, and at most 5 digits fit
        await type_text(pilot, "1a2b3")
        assert number.value == "123"
        await type_text(pilot, "4567")
        assert number.value == "12345"
        # too short: a clear message, nothing sent, what was typed stays
        for _ in range(2):
            await pilot.press("backspace")
        await pilot.press("tab")
        await type_text(pilot, "sekret")
        await press_settled(pilot, "enter")
        assert isinstance(app.screen, LoginScreen)
        assert "dokładnie 5 cyfr" in text_of(app.screen.query_one("#number-error"))
        assert number.value == "123"
        assert app.screen.query_one("#password", Input).value == "sekret"
        assert app.focused is number
        assert app.api.token is None
        # fixing the number clears the message
        await type_text(pilot, "4")
        assert text_of(app.screen.query_one("#number-error")) == ""


async def test_empty_password_is_asked_for(server, tmp_path):
    app = make_app(server, tmp_path, lang="en")
    async with started(app) as pilot:
        await type_text(pilot, "10001")
        app.screen.query_one("#login", Button).press()
        await settle(pilot)
        assert text_of(app.screen.query_one("#password-error")) == "Enter your password."
        assert app.focused is app.screen.query_one("#password", Input)


async def test_wrong_password_keeps_the_number_and_focuses_the_password(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path)
    async with started(app) as pilot:
        await fill_login(pilot, "10001", "zle-haslo")
        await press_settled(pilot, "enter")
        assert isinstance(app.screen, LoginScreen)
        assert "Nieprawidłowy numer klienta lub hasło" in banner_text(app)
        assert app.screen.query_one("#customer-number", Input).value == "10001"
        password = app.screen.query_one("#password", Input)
        assert app.focused is password
        # the wrong password is still there, selected: typing replaces it
        assert password.value == "zle-haslo"
        await type_text(pilot, "woda-10001")
        assert password.value == "woda-10001"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))


async def test_too_many_failed_logins_are_explained(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path, lang="en")
    async with started(app) as pilot:
        await fill_login(pilot, "10003", "wrong")
        messages = []
        # after 5 free attempts each one waits 1, 2, 4, 8 ... s: retyping soon meets a wait
        for _ in range(10):
            await press_settled(pilot, "enter")
            messages.append(banner_text(app))
            if "Too many" in messages[-1]:
                break
        assert "Incorrect customer number or password" in messages[0]
        assert re.search(r"Too many failed login attempts\. For your security, try again in \d+ s\.", messages[-1])
        assert app.screen.query_one("#customer-number", Input).value == "10003"


async def test_server_down_shows_the_connection_message(closed_port_url, tmp_path):
    app = make_app(closed_port_url, tmp_path)
    async with started(app) as pilot:
        assert isinstance(app.screen, LoginScreen)
        assert not app.screen.query(OptionList)  # no demo panel without demo info
        await fill_login(pilot, "10001", "woda-10001")
        await press_settled(pilot, "enter")
        assert isinstance(app.screen, LoginScreen)
        assert "Nie udało się połączyć z serwerem eBOK" in banner_text(app)
        assert app.screen.query_one("#customer-number", Input).value == "10001"
        assert app.screen.query_one("#password", Input).value == "woda-10001"
        assert app.focused is app.screen.query_one("#password", Input)


async def test_session_expired_mid_session_goes_back_to_login(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10004") as pilot:
        assert isinstance(app.screen, BalanceScreen)
        # the token is revoked behind the app's back (as another client logging it out would)
        token = app.api.token
        async with server.http() as other:
            reply = await other.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
            assert reply.status_code == 204
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await settle(pilot)
        assert text_of(app.screen.query_one("#login-message")) == "Sesja wygasła. Zaloguj się ponownie."
        assert app.me is None


async def test_demo_panel_lists_customers_and_fills_the_form(server, tmp_path):
    app = make_app(server, tmp_path, lang="en")
    async with started(app) as pilot:
        panel = app.screen.query_one("#demo-panel", OptionList)
        prompts = [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]
        assert prompts[0].startswith("10001 · password: woda-10001")
        assert "two invoices to pay (one overdue)" in prompts[0]  # the English description
        assert len(prompts) == 6  # 10001-10004, the housing community 10005, the company 10006
        panel.focus()
        await pilot.press("down", "enter")
        assert app.screen.query_one("#customer-number", Input).value == "10002"
        assert app.screen.query_one("#password", Input).value == "woda-10002"
        assert app.focused is app.screen.query_one("#login", Button)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))


async def test_without_a_keyring_remember_me_is_unavailable(server, tmp_path):
    app = make_app(server, tmp_path)  # credentials=None
    async with started(app):
        assert app.screen.query_one("#remember", Checkbox).disabled
        assert "niedostępne" in text_of(app.screen.query_one("#keyring-status"))


async def test_remembered_login_is_prefilled_and_saved_again(server, tmp_path):
    store = FakeCredentials(SavedLogin("10004", "woda-10004"))
    app = make_app(server, tmp_path, credentials=store)
    async with started(app) as pilot:
        assert app.screen.query_one("#customer-number", Input).value == "10004"
        assert app.screen.query_one("#password", Input).value == "woda-10004"
        assert app.screen.query_one("#remember", Checkbox).value is True
        assert app.focused is app.screen.query_one("#login", Button)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))
        assert ("save", "10004", "woda-10004") in store.calls


async def test_unticked_remember_me_forgets(server, tmp_path):
    store = FakeCredentials(None)
    app = make_app(server, tmp_path, credentials=store)
    async with started(app) as pilot:
        assert app.screen.query_one("#remember", Checkbox).value is False
        await fill_login(pilot, "10004", "woda-10004")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))
        assert ("forget",) in store.calls
        assert not [c for c in store.calls if c[0] == "save"]


async def test_keyring_refusing_to_save_is_said_and_login_continues(server, tmp_path):
    store = FakeCredentials(None, save_problem=KeyringProblem.NO_SECURE_KEYRING)
    app = make_app(server, tmp_path, lang="en", credentials=store)
    async with started(app) as pilot:
        await fill_login(pilot, "10004", "woda-10004")
        await pilot.press("tab", "space")  # tick "Remember me"
        assert app.screen.query_one("#remember", Checkbox).value is True
        await pilot.press("enter")  # Enter on the checkbox logs in (does not untick it)
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))
        notes = [str(n.message) for n in app._notifications]
        assert any("no secure keyring" in n for n in notes), notes


# --- registration request and password reset ------------------------------------------------------
async def test_registration_request_validates_then_confirms(server, tmp_path):
    app = make_app(server, tmp_path)
    async with started(app) as pilot:
        screen = await press_settled(pilot, "ctrl+r")
        assert isinstance(screen, RegisterScreen)
        await paste(pilot, "UM/1999/99999")
        await pilot.press("tab", "tab")
        await paste(pilot, "12,345")
        screen.query_one("#submit", Button).press()
        await settle(pilot)
        assert "numer wodomierza" in text_of(screen.query_one("#e-meter_number"))
        assert "kwotę brutto" in text_of(screen.query_one("#e-invoice_gross"))
        assert text_of(screen.query_one("#e-contract_number")) == ""
        assert app.focused is screen.query_one("#f-meter_number", Input)
        # nothing typed was lost; fill in the rest (no such contract: the same answer, no mail)
        assert screen.query_one("#f-contract_number", Input).value == "UM/1999/99999"
        await paste(pilot, "WM-0000000")
        screen.query_one("#f-invoice_gross", Input).value = "123,45 zł"
        screen.query_one("#f-invoice_gross", Input).focus()
        await press_settled(pilot, "enter")
        done = text_of(screen.query_one("#done-text"))
        assert "kod dostępu" in done and "listem" in done
        assert screen.has_class("-done")
        await press_settled(pilot, "enter")  # "Mam kod" has the focus: the second step replaces this screen
        code_screen = app.screen
        assert isinstance(code_screen, RegisterCodeScreen)
        assert app.focused is code_screen.query_one("#f-customer_number", Input)
        await press_settled(pilot, "escape")
        assert isinstance(app.screen, LoginScreen)


@pytest.fixture(scope="module")
def reset_server(demo_template, tmp_path_factory) -> InProcessServer:
    """A database of our own: the reset changes 10004's password (the tests build on each other)."""
    return server_from_template(demo_template, tmp_path_factory.mktemp("reset_server"))


async def test_password_reset_in_two_steps(reset_server, tmp_path):
    app = make_app(reset_server, tmp_path, lang="en")
    async with started(app) as pilot:
        await type_text(pilot, "10004")
        app.screen.query_one("#reset", Button).focus()
        screen = await press_settled(pilot, "enter")
        assert isinstance(screen, PasswordResetScreen)
        # the number typed on the login screen is carried over; the e-mail is asked for next
        assert screen.query_one("#f-customer_number", Input).value == "10004"
        assert app.focused is screen.query_one("#f-email", Input)
        await paste(pilot, "not-an-email")
        await press_settled(pilot, "enter")
        assert "valid e-mail" in text_of(screen.query_one("#e-email"))
        screen.query_one("#f-customer_number", Input).value = "100"
        screen.query_one("#f-email", Input).value = "K.Wojcik@example.com"
        await press_settled(pilot, "enter")
        assert "exactly 5 digits" in text_of(screen.query_one("#e-customer_number"))
        screen.query_one("#f-customer_number", Input).value = "10004"
        screen.query_one("#f-email", Input).focus()
        await press_settled(pilot, "enter")
        done = text_of(screen.query_one("#done-text"))
        assert "K.Wojcik@example.com" in done and "30 minutes" in done
        [mail] = list(reset_server.mail_dir.glob("*.eml"))
        code = re.search(r"Kod: (\S+)", mail.read_text()).group(1)

        await press_settled(pilot, "enter")  # "I have a code"
        step2 = app.screen
        assert isinstance(step2, ResetCodeScreen)
        assert step2.query_one("#f-customer_number", Input).value == "10004"
        assert app.focused is step2.query_one("#f-code", Input)
        await paste(pilot, code.lower())
        await pilot.press("tab")
        await paste(pilot, "woda-10004")
        await pilot.press("tab")
        await paste(pilot, "woda-10005")
        await press_settled(pilot, "enter")
        assert "differ" in text_of(step2.query_one("#e-new_password_confirm"))
        step2.query_one("#f-new_password_confirm", Input).value = "woda-10004"
        step2.query_one("#f-new_password_confirm", Input).focus()
        await press_settled(pilot, "enter")
        assert "too easy to guess" in text_of(step2.query_one("#e-new_password"))  # the server's rule
        for name in ("new_password", "new_password_confirm"):
            step2.query_one(f"#f-{name}", Input).value = "ogród za domem w Jaworznie"
        step2.query_one("#f-new_password_confirm", Input).focus()
        await press_settled(pilot, "enter")
        assert "has been changed" in text_of(step2.query_one("#done-text"))
        await press_settled(pilot, "enter")  # "Back to log in"
        assert isinstance(app.screen, LoginScreen)
        await fill_login(pilot, "10004", "ogród za domem w Jaworznie")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))


async def test_a_used_code_is_refused_with_a_field_message(reset_server, tmp_path):
    app = make_app(reset_server, tmp_path)
    async with started(app) as pilot:
        app.push_screen(ResetCodeScreen("10004"))
        await settle(pilot)
        screen = app.screen
        screen.query_one("#f-code", Input).value = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"
        for name in ("new_password", "new_password_confirm"):
            screen.query_one(f"#f-{name}", Input).value = "inne długie hasło"
        screen.query_one("#submit", Button).press()
        await settle(pilot)
        assert "nieprawidłowy, wygasł albo został już użyty" in text_of(screen.query_one("#e-code"))
        assert not screen.has_class("-done")
