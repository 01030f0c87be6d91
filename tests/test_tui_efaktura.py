"""e-FAKTURA screen against the real server: status, fees, activate / change / withdraw."""

from __future__ import annotations

from textual.widgets import Button, Input

from ebok_tui.core.validation import email_problem
from ebok_tui.ui.screens.contract.efaktura import ConfirmWithdrawModal, EFakturaScreen
from tests.contract_mail_support import text_of
from tests.tui_support import logged_in, make_app, press_settled, settle


async def type_email(pilot, text: str) -> None:
    await pilot.press("e")  # focus the e-mail field
    field = pilot.app.screen.query_one("#email", Input)
    field.value = ""
    await pilot.press(*text)
    await press_settled(pilot, "enter")


def test_email_shape_check():
    """The shape check the screen's e-mail validator uses (each problem has its efaktura.email_* text)."""
    assert email_problem("") == "empty"
    assert email_problem("   ") == "empty"
    for bad in ("jan", "jan@", "jan@example", "@example.com", "jan kowalski@example.com", "jan@example.c"):
        assert email_problem(bad) == "invalid", bad
    assert email_problem("jan.kowalski@example.pl") is None


async def test_inactive_status_shows_both_fees(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10001", "efaktura"):
        screen = app.screen
        assert isinstance(screen, EFakturaScreen)
        assert "nieaktywna" in text_of(screen.query_one("#status"))
        fees = text_of(screen.query_one("#fees"))
        assert "z e-FAKTURĄ" in fees and "1,00 zł" in fees
        assert "bez e-FAKTURY" in fees and "2,33 zł" in fees
        assert "obowiązuje Cię teraz" in fees.split("bez e-FAKTURY")[1]  # marker on the 2,33 zł row
        now = text_of(screen.query_one("#fee-now"))
        assert "Teraz płacisz 2,33 zł" in now and "1,00 zł" in now
        assert screen.query_one("#withdraw", Button).display is False


async def test_activate_bad_email_then_good(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path)
    async with logged_in(app, "10003", "efaktura") as pilot:
        screen = app.screen
        await type_email(pilot, "piotr@wisniewski")
        assert "nie wygląda na adres e-mail" in text_of(screen.query_one("#email-error"))
        assert screen.query_one("#email", Input).value == "piotr@wisniewski"  # nothing lost
        assert (await app.api.efaktura()).active is False  # nothing sent

        await type_email(pilot, "piotr.wisniewski@example.com")
        assert text_of(screen.query_one("#email-error")) == ""
        status = text_of(screen.query_one("#status"))
        assert "aktywna od 15.11.2026" in status
        assert "piotr.wisniewski@example.com" in status
        assert "Teraz płacisz 1,00 zł" in text_of(screen.query_one("#fee-now"))
        assert screen.query_one("#withdraw", Button).display is True
        server = await app.api.efaktura()
        assert server.active and server.email == "piotr.wisniewski@example.com"
        assert server.current_fee_gross == 100


async def test_server_rejection_is_shown_next_to_the_field(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path, lang="en")
    async with logged_in(app, "10001", "efaktura") as pilot:
        screen = app.screen
        await type_email(pilot, "jan..k@example.com")  # passes the shape check, the server says 422
        assert "Enter a valid e-mail address" in text_of(screen.query_one("#email-error"))
        assert screen.query_one("#email", Input).value == "jan..k@example.com"
        assert screen.query_one("#email", Input).has_class("-invalid")
        assert "not active" in text_of(screen.query_one("#status"))


async def test_change_email_when_active(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path)
    async with logged_in(app, "10004", "efaktura") as pilot:
        screen = app.screen
        await type_email(pilot, "k.wojcik@example.com")
        assert "aktywna" in text_of(screen.query_one("#status"))
        assert str(screen.query_one("#submit", Button).label) == "Zmień"

        await type_email(pilot, "k.wojcik@example.com")
        assert "już przychodzą na ten adres" in text_of(screen.query_one("#email-error"))

        await type_email(pilot, "katarzyna.wojcik@example.com")
        assert "katarzyna.wojcik@example.com" in text_of(screen.query_one("#status"))
        assert (await app.api.efaktura()).email == "katarzyna.wojcik@example.com"


async def test_withdraw_asks_for_confirmation(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path)
    async with logged_in(app, "10002", "efaktura") as pilot:
        assert "aktywna od" in text_of(app.screen.query_one("#status"))

        await press_settled(pilot, "w")
        assert isinstance(app.screen, ConfirmWithdrawModal)
        question = text_of(app.screen.query_one("#dialog-text"))
        assert "wróci do 2,33 zł" in question
        await press_settled(pilot, "escape")  # changed my mind
        assert isinstance(app.screen, EFakturaScreen)
        assert (await app.api.efaktura()).active is True

        await press_settled(pilot, "w", "enter")  # the focused button is "No"
        assert (await app.api.efaktura()).active is True

        await press_settled(pilot, "w")
        await pilot.click("#confirm-yes")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EFakturaScreen)
        assert "nieaktywna" in text_of(screen.query_one("#status"))
        assert "Teraz płacisz 2,33 zł" in text_of(screen.query_one("#fee-now"))
        assert (await app.api.efaktura()).active is False
        assert app.me is not None and app.me.efaktura_active is False
