"""e-FAKTURA screen against the real server: status, fees, the terms dialog, the code mailed to the
address (read from the server's mail folder, as the demo mailbox shows it), the consent history,
withdrawal."""

from __future__ import annotations

from textual.widgets import Button, Checkbox, Input

from ebok_tui.core.validation import email_problem
from ebok_tui.ui.screens.auth.demo_mail import DemoMailScreen
from ebok_tui.ui.screens.contract.efaktura import ConfirmWithdrawModal, EFakturaScreen, TermsModal
from tests.contract_mail_support import text_of
from tests.server.helpers import mailed_efaktura_codes
from tests.tui_support import logged_in, make_app, press_settled, settle


async def open_terms(pilot) -> TermsModal:
    modal = await press_settled(pilot, "e")
    assert isinstance(modal, TermsModal)
    return modal


async def send_address(pilot, text: str, *, accept: bool = True) -> None:
    """In the terms dialog: tick the acceptance (or not), type the address, Enter."""
    modal = pilot.app.screen
    modal.query_one("#accept", Checkbox).value = accept
    field = modal.query_one("#email", Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot)


async def type_code(pilot, code: str) -> None:
    await pilot.press("k")
    field = pilot.app.screen.query_one("#code", Input)
    field.value = ""
    await pilot.press(*code)
    await pilot.press("enter")
    await settle(pilot)


def test_email_shape_check():
    """The shape check the dialog's e-mail validator uses (each problem has its efaktura.email_* text)."""
    assert email_problem("") == "empty"
    assert email_problem("   ") == "empty"
    for bad in ("jan", "jan@", "jan@example", "@example.com", "jan kowalski@example.com", "jan@example.c"):
        assert email_problem(bad) == "invalid", bad
    assert email_problem("jan.kowalski@example.pl") is None


async def test_inactive_status_shows_both_fees_and_an_empty_history(server, tmp_path):
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
        assert screen.query_one("#pending").display is False
        assert "zgoda nie była jeszcze wyrażona" in text_of(screen.query_one("#history"))


async def test_activation_needs_the_terms_accepted_and_the_mailed_code(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path)
    async with logged_in(app, "10003", "efaktura") as pilot:
        modal = await open_terms(pilot)
        assert "art. 106n" in text_of(modal.query_one("#terms-text"))
        assert "wersja 2026-11" in str(modal.query_one("#accept", Checkbox).label)

        await send_address(pilot, "piotr.wisniewski@example.com", accept=False)
        assert "Zaznacz akceptację regulaminu" in text_of(modal.query_one("#accept-error"))
        await send_address(pilot, "piotr@wisniewski")
        assert "nie wygląda na adres e-mail" in text_of(modal.query_one("#email-error"))
        assert modal.query_one("#email", Input).value == "piotr@wisniewski"  # nothing lost
        assert (await app.api.efaktura()).pending is None  # nothing sent

        await send_address(pilot, "piotr.wisniewski@example.com")
        screen = app.screen
        assert isinstance(screen, EFakturaScreen)
        assert "nieaktywna" in text_of(screen.query_one("#status"))  # not before the code
        pending = text_of(screen.query_one("#pending-text"))
        assert "piotr.wisniewski@example.com" in pending and "pozostało prób: 5" in pending
        assert "poczcie demo (Ctrl+O)" in pending
        assert screen.focused is screen.query_one("#code", Input)

        # the demo mailbox shows the code mail
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, DemoMailScreen)
        assert "Kod potwierdzenia" in text_of(app.screen.query_one("#mail-text"))
        await pilot.press("escape")
        await settle(pilot)

        (code,) = mailed_efaktura_codes(fresh_server.mail_dir, "piotr.wisniewski@example.com")
        await type_code(pilot, "12")
        assert "Kod ma 6 cyfr" in text_of(screen.query_one("#code-error"))
        await type_code(pilot, f"{(int(code) + 1) % 10**6:06d}")
        assert "Kod jest nieprawidłowy" in text_of(screen.query_one("#code-error"))
        assert "pozostało prób: 4" in text_of(screen.query_one("#pending-text"))

        await type_code(pilot, code)
        status = text_of(screen.query_one("#status"))
        assert "aktywna od 15.11.2026" in status and "piotr.wisniewski@example.com" in status
        assert "Teraz płacisz 1,00 zł" in text_of(screen.query_one("#fee-now"))
        assert screen.query_one("#pending").display is False
        history = text_of(screen.query_one("#history"))
        assert "zgoda wyrażona" in history and "w eBOK (kod)" in history and "reg. 2026-11" in history
        assert screen.query_one("#withdraw", Button).display is True
        assert app.me is not None and app.me.efaktura_active is True


async def test_changing_the_address_keeps_the_old_one_until_confirmed(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path, lang="en")
    async with logged_in(app, "10002", "efaktura") as pilot:
        screen = app.screen
        assert str(screen.query_one("#start", Button).label) == "Change address…"
        modal = await open_terms(pilot)
        await send_address(pilot, "anna.nowak@example.com")
        assert "already go to this address" in text_of(modal.query_one("#email-error"))
        await send_address(pilot, "jan..k@example.com")  # passes the shape check, the server says 422
        assert "Enter a valid e-mail address" in text_of(modal.query_one("#email-error"))
        await send_address(pilot, "anna.k@example.org")
        assert app.screen is screen
        assert "anna.nowak@example.com" in text_of(screen.query_one("#status"))  # still the old one
        (code,) = mailed_efaktura_codes(fresh_server.mail_dir, "anna.k@example.org")
        await type_code(pilot, code)
        assert "anna.k@example.org" in text_of(screen.query_one("#status"))
        history = text_of(screen.query_one("#history"))
        assert "address changed" in history and "consent given" in history


async def test_withdraw_asks_for_confirmation(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path)
    async with logged_in(app, "10002", "efaktura") as pilot:
        assert "aktywna od" in text_of(app.screen.query_one("#status"))

        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmWithdrawModal)
        question = text_of(app.screen.query_one("#dialog-text"))
        assert "wróci do 2,33 zł" in question
        await pilot.press("escape")  # changed my mind
        await settle(pilot)
        assert isinstance(app.screen, EFakturaScreen)
        assert (await app.api.efaktura()).active is True

        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter")  # the focused button is "No"
        await settle(pilot)
        assert (await app.api.efaktura()).active is True

        await press_settled(pilot, "w")
        await pilot.click("#confirm-yes")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EFakturaScreen)
        assert "nieaktywna" in text_of(screen.query_one("#status"))
        assert "Teraz płacisz 2,33 zł" in text_of(screen.query_one("#fee-now"))
        assert "zgoda wycofana" in text_of(screen.query_one("#history"))
        assert (await app.api.efaktura()).active is False
        assert app.me is not None and app.me.efaktura_active is False
