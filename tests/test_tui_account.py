"""Account screen (Konto): who is logged in, password change, logging out, keyring status."""

from __future__ import annotations

from textual.widgets import Button, Input

from ebok_tui.core.api import InvalidCredentials
from ebok_tui.core.credentials import KeyringProblem, SavedLogin
from ebok_tui.ui.screens.account.account import AccountScreen
from ebok_tui.ui.screens.auth.login import LoginScreen
from tests.tui_support import (
    SIZE,
    FakeCredentials,
    login_as,
    make_app,
    paste,
    press_settled,
    settle,
    text_of,
    wait_until,
)


async def open_account(pilot, customer: str) -> AccountScreen:
    await login_as(pilot.app, customer, "account")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AccountScreen)
    return pilot.app.screen


async def fill(pilot, screen: AccountScreen, current: str, new: str, repeat: str) -> None:
    for field, value in (("current", current), ("new", new), ("repeat", repeat)):
        widget = screen.query_one(f"#pw-{field}", Input)
        widget.value = ""
        widget.focus()
        await pilot.pause()
        await paste(pilot, value)


async def submit(pilot, screen: AccountScreen, current: str, new: str, repeat: str) -> None:
    """``fill`` the password form and press Enter."""
    await fill(pilot, screen, current, new, repeat)
    await press_settled(pilot, "enter")


def error(screen: AccountScreen, field: str) -> str:
    return text_of(screen.query_one(f"#pw-{field}-error"))


async def test_shows_who_is_logged_in(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(pilot, "10003")
        me = text_of(screen.query_one("#me"))
        assert "10003" in me and "Piotr Wiśniewski" in me
        assert "ul. Leśna 3, 43-603 Jaworzno" in " ".join(me.split())  # may wrap beside "Imię i nazwisko"
        assert "E-mail" in me and "brak" in me  # no e-mail on file
        assert "nieaktywna" in me
        assert "niedostępny w tej sesji" in text_of(screen.query_one("#keyring-status"))


async def test_keyring_backend_is_named(server, tmp_path):
    store = FakeCredentials(backend="Secret Service (GNOME Keyring)")
    app = make_app(server, tmp_path, lang="en", credentials=store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(pilot, "10003")
        assert text_of(screen.query_one("#keyring-status")) == "Keyring: Secret Service (GNOME Keyring)"


async def test_client_side_checks_keep_what_was_typed(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(pilot, "10003")
        await fill(pilot, screen, "", "krótkie", "krótkie")
        screen.query_one("#change-password", Button).press()
        await settle(pilot)
        assert error(screen, "current") == "Wpisz obecne hasło."
        assert error(screen, "new") == "Nowe hasło musi mieć co najmniej 8 znaków."
        assert app.focused is screen.query_one("#pw-current", Input)

        await submit(pilot, screen, "woda-10003", "woda-10003", "woda-10003")
        assert error(screen, "new") == "Nowe hasło musi różnić się od obecnego."
        assert error(screen, "current") == ""

        await submit(pilot, screen, "woda-10003", "nowe-haslo-1", "nowe-haslo-2")
        assert error(screen, "repeat") == "Powtórzone hasło nie zgadza się z nowym."
        assert screen.query_one("#pw-new", Input).value == "nowe-haslo-1"
        assert screen.query_one("#pw-repeat", Input).value == "nowe-haslo-2"
        assert app.focused is screen.query_one("#pw-repeat", Input)


async def test_wrong_current_password_is_shown_next_to_the_field(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(pilot, "10003")
        await submit(pilot, screen, "to-nie-to-haslo", "nowe-haslo-1", "nowe-haslo-1")
        assert error(screen, "current") == "Obecne hasło jest nieprawidłowe. Wpisz je ponownie."
        assert app.focused is screen.query_one("#pw-current", Input)
        # nothing typed is lost
        assert screen.query_one("#pw-new", Input).value == "nowe-haslo-1"
        assert text_of(screen.query_one("#password-result")) == ""


async def test_password_change_signs_out_other_sessions_and_updates_the_keyring(fresh_server, tmp_path):
    other = fresh_server.client()
    await other.login("10004", "woda-10004")
    store = FakeCredentials(SavedLogin("10004", "woda-10004"))
    app = make_app(fresh_server, tmp_path, credentials=store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(pilot, "10004")
        await submit(pilot, screen, "woda-10004", "nowe-haslo-w-ogrodzie", "nowe-haslo-w-ogrodzie")
        result = text_of(screen.query_one("#password-result"))
        assert "Hasło zostało zmienione. Pozostałe sesje zostały wylogowane." in result
        assert "zaktualizowano w magazynie haseł" in result
        assert store.saved == SavedLogin("10004", "nowe-haslo-w-ogrodzie")
        assert all(screen.query_one(f"#pw-{f}", Input).value == "" for f in ("current", "new", "repeat"))
        # this session goes on; the other one was signed out
        await press_settled(pilot, "r")
        assert isinstance(app.screen, AccountScreen)
    async with fresh_server.http() as raw:
        reply = await raw.get("/me", headers={"Authorization": f"Bearer {other.token}"})
        assert reply.status_code == 401
    fresh = fresh_server.client()
    await fresh.login("10004", "nowe-haslo-w-ogrodzie")
    try:
        await fresh.login("10004", "woda-10004")
    except InvalidCredentials:
        pass
    else:
        raise AssertionError("the old password still works")
    await fresh.aclose()
    await other.aclose()


async def test_keyring_that_cannot_be_updated_is_reported(fresh_server, tmp_path):
    store = FakeCredentials(SavedLogin("10002", "woda-10002"), save_problem=KeyringProblem.LOCKED)
    app = make_app(fresh_server, tmp_path, lang="en", credentials=store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(pilot, "10002")
        await submit(pilot, screen, "woda-10002", "another-pass", "another-pass")
        result = text_of(screen.query_one("#password-result"))
        assert "Your password has been changed" in result
        assert "not updated" in result and "keyring is locked" in result


async def test_log_out(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_account(pilot, "10003")
        token = app.api.token
        assert app.focused is None  # Enter on arrival does nothing; l logs out
        await pilot.press("enter")
        assert isinstance(app.screen, AccountScreen)
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await settle(pilot)
        assert text_of(app.screen.query_one("#login-message")) == "Wylogowano."
        assert app.me is None and app.api.token is None
        async with server.http() as raw:  # revoked on the server too
            reply = await raw.get("/me", headers={"Authorization": f"Bearer {token}"})
            assert reply.status_code == 401


async def test_log_out_and_forget(server, tmp_path):
    store = FakeCredentials(SavedLogin("10003", "woda-10003"))
    app = make_app(server, tmp_path, lang="en", credentials=store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(pilot, "10003")
        screen.query_one("#logout-forget", Button).press()
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await settle(pilot)
        assert ("forget",) in store.calls
        assert store.saved is None
        assert text_of(app.screen.query_one("#login-message")) == "Logged out."


# --- who viewed my data --------------------------------------------------------------------------
async def _staff_views(server, customer: str, reason: dict, sections: tuple[str, ...]) -> None:
    """The demo helpdesk operator (no TOTP) opens the customer's data for ``reason`` and looks at
    ``sections``: what the resident must then see, by date and purpose only."""
    async with server.http() as http:
        r = await http.post("/staff/auth/login", json={"login": "pomoc", "password": "pomoc-demo-2026"})
        assert r.status_code == 200, r.text
        h = {"Authorization": f"Bearer {r.json()['token']}"}
        r = await http.post(f"/staff/customers/{customer}/access", json=reason, headers=h)
        assert r.status_code == 201, r.text
        access = r.json()["access_id"]
        for section in sections:
            assert (await http.get(f"/staff/access/{access}/{section}", headers=h)).status_code == 200
        assert (await http.post(f"/staff/access/{access}/close", headers=h)).status_code == 204


async def test_who_viewed_my_data_lists_dates_and_purposes(fresh_server, tmp_path):
    phone = {
        "reason": "phone_call",
        "verification": {"customer_number": True, "address": True, "last_invoice_amount": False},
    }
    await _staff_views(fresh_server, "10003", phone, ("balance", "invoices"))
    await _staff_views(fresh_server, "10003", {"reason": "other", "reason_text": "Pismo z sądu"}, ("readings",))
    await _staff_views(fresh_server, "10004", {"reason": "counter_visit"}, ("contract",))  # someone else
    app = make_app(fresh_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(pilot, "10003")
        await wait_until(pilot, lambda: "Wczytywanie" not in text_of(screen.query_one("#data-access")))
        shown = " ".join(text_of(screen.query_one("#data-access")).split())
        assert "rozmowa telefoniczna" in shown and "Przeglądane: dane klienta, saldo, faktury" in shown
        assert "inny cel: Pismo z sądu" in shown and "Przeglądane: dane klienta, odczyty" in shown
        assert shown.index("Pismo z sądu") < shown.index("rozmowa telefoniczna")  # newest first
        assert "umowa" not in shown and "wizyta" not in shown  # 10004's visit is not 10003's business
        for name in ("pomoc", "Ewa", "Pomocna"):
            assert name not in shown
        # d brings the section into view at 80x24
        await press_settled(pilot, "d")
        title = screen.query_one("#access-title")
        assert screen.query_one("#account-right").region.contains_region(title.region)


async def test_who_viewed_my_data_empty_and_in_english(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(pilot, "10002")
        await wait_until(pilot, lambda: "Loading" not in text_of(screen.query_one("#data-access")))
        assert text_of(screen.query_one("#access-title")) == "Who viewed my data"
        assert text_of(screen.query_one("#data-access")) == "No member of staff has viewed your data."
