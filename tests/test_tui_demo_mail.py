"""Demo mode: the mail the demo server "sent" is readable inside the app (ctrl+o, Poczta demo),
and the login panel never shows a demo password that was changed."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from ebok_tui.ui.screens.auth.demo_mail import DemoMailScreen
from ebok_tui.ui.screens.auth.login import LoginScreen
from tests.server_proc import running_server
from tests.tui_support import make_app, press_settled, settle, started, text_of, wait_until


@pytest.fixture
def demo_srv(tmp_path):
    with running_server(tmp_path / "server") as srv:
        yield srv


def footer_keys(screen) -> str:
    return " | ".join(f"{key.key_display} {key.description}" for key in screen.query("FooterKey"))


@pytest.mark.parametrize(
    "lang, key, empty, subject_label",
    [
        ("pl", "Poczta demo", "nie wysłał jeszcze żadnej wiadomości", "Temat: "),
        ("en", "Demo mail", "has not sent any mail yet", "Subject: "),
    ],
)
async def test_demo_mailbox_shows_the_mail_the_server_sent(demo_srv, tmp_path, lang, key, empty, subject_label):
    app = make_app(demo_srv.url, tmp_path, lang=lang)
    async with started(app) as pilot:
        assert isinstance(app.screen, LoginScreen)
        assert key in footer_keys(app.screen)
        await pilot.press(*"100")  # typed on the login form before looking at the mail
        await press_settled(pilot, "ctrl+o")
        assert isinstance(app.screen, DemoMailScreen)
        assert empty in text_of(app.screen.query_one("#mail-text"))

        # a password reset request: the demo server mails the address on file
        await app.api.reset_password("10001", "jan.kowalski@example.com")
        await press_settled(pilot, "r")
        listing = app.screen.query_one("#mail-list", OptionList)
        assert listing.option_count == 1
        assert "jan.kowalski@example.com" in str(listing.get_option_at_index(0).prompt)
        shown = text_of(app.screen.query_one("#mail-text"))
        assert "jan.kowalski@example.com" in shown and subject_label in shown and "ebok@mpwik.example" in shown
        (eml,) = demo_srv.mail_dir.glob("*.eml")
        assert "10001" in shown  # the body, whatever it says, names the customer

        await press_settled(pilot, "escape")
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#customer-number", Input).value == "100"  # nothing typed was lost


async def test_no_demo_mailbox_outside_demo_mode(demo_srv, tmp_path):
    app = make_app(demo_srv.url, tmp_path, demo=False)
    async with started(app) as pilot:
        assert "Poczta demo" not in footer_keys(app.screen)
        await press_settled(pilot, "ctrl+o")
        assert isinstance(app.screen, LoginScreen)


async def test_login_panel_stops_showing_a_changed_demo_password(demo_srv, tmp_path):
    app = make_app(demo_srv.url, tmp_path)
    async with started(app) as pilot:
        panel = app.screen.query_one("#demo-panel", OptionList)
        assert str(panel.get_option_at_index(1).prompt).startswith("10002 · hasło: woda-10002")
        # log in as 10002 and change the password; back on the login screen the panel says so
        login = app.screen
        login.query_one("#customer-number", Input).value = "10002"
        login.query_one("#password", Input).value = "woda-10002"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.me is not None)
        await settle(pilot)
        await app.api.change_password("woda-10002", "zielona-konewka-na-balkonie")
        await app.logout()
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await wait_until(
            pilot,
            lambda: "zmienione" in str(app.screen.query_one("#demo-panel", OptionList).get_option_at_index(1).prompt),
        )
        panel = app.screen.query_one("#demo-panel", OptionList)
        prompts = [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]
        assert "woda-10002" not in " ".join(prompts)
        assert prompts[0].startswith("10001 · hasło: woda-10001")  # the others are still true
        panel.focus()
        panel.highlighted = 1
        await pilot.press("enter")
        assert app.screen.query_one("#customer-number", Input).value == "10002"
        assert app.screen.query_one("#password", Input).value == ""  # never the stale password
        assert app.focused is app.screen.query_one("#password", Input)
