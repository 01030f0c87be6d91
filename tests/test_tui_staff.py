"""Staff mode of the app against the real server in-process: the staff login (TOTP), search, opening
a customer for a phone call (failed, then passed verification), act-for mode with its banner and
role limits, closing the customer."""

from __future__ import annotations

from textual import events
from textual.widgets import Checkbox, DataTable, Input, RadioButton

from ebok_tui.core.api import NotFound
from ebok_tui.ui.screens.staff.login import StaffLoginScreen
from ebok_tui.ui.screens.staff.search import StaffSearchScreen
from ebok_tui.ui.widgets.chrome import ErrorBanner
from tests.staff_support import (
    DEMO_STAFF,
    acting,
    fill_staff_login,
    staff_login_as,
    submit_reading,
    totp_code,
    write_letter,
    wrong_code,
)
from tests.tui_support import (
    logged_in,
    make_app,
    open_settled,
    press_settled,
    settle,
    started,
    text_of,
    type_text,
    wait_until,
)


async def test_staff_login_from_the_login_screen_with_totp(fresh_server):
    app = make_app(fresh_server)
    async with started(app) as pilot:
        await press_settled(pilot, "ctrl+s")  # resident login -> staff login
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
    async with started(app) as pilot:
        assert isinstance(app.screen, StaffLoginScreen)
        assert "not remembered" in text_of(app.screen.query_one("#not-stored"))
        await press_settled(pilot, "ctrl+s")
        assert not isinstance(app.screen, StaffLoginScreen) and not app.staff_mode


async def test_staff_login_typed_ahead_keeps_every_field(server):
    """Login, Enter, password, Enter, code typed ahead (posted at once, as the terminal driver
    does): each Enter moves on before the keys behind it are handed out (widgets/enter.py)."""
    app = make_app(server)
    app.staff_mode = True
    async with started(app) as pilot:
        screen = app.screen
        assert isinstance(screen, StaffLoginScreen)
        for char in "urzednik\rtajne-haslo\r123":
            key = {"\r": "enter", "-": "minus"}.get(char, char)
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert screen.query_one("#staff-login", Input).value == "urzednik"
        assert screen.query_one("#staff-password", Input).value == "tajne-haslo"
        assert screen.query_one("#staff-totp", Input).value == "123"
        assert screen.query_one("#staff-totp", Input).has_focus


async def test_search_finds_wisniewski_and_opens_after_verification(server):
    app = make_app(server)
    async with started(app) as pilot:
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
        await press_settled(pilot, "enter")  # searches at once and moves to the results
        assert app.focused is table
        await press_settled(pilot, "enter")  # open the customer: the reason dialog
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
        await press_settled(pilot, "ctrl+f")  # close the customer
        assert app.acting is None and isinstance(app.screen, StaffSearchScreen)
        try:
            await app.staff.api.close_access(access_id)
        except NotFound as error:
            assert error.code == "access_not_live"
        else:
            raise AssertionError("the access was still live after closing the customer")
        await app.staff.logout()


# --- act-for mode: role limits -------------------------------------------------------------------
def shown_keys(app) -> set[str]:
    """The actions the current screen offers (what the footer shows and the keys run)."""
    return {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}


async def test_helpdesk_sees_no_actions_it_may_not_use(server):
    async with acting(server, "pomoc", "10001", "counter_visit", "readings") as (app, pilot):
        assert "Obsługujesz: 10001 Jan Kowalski — wizyta w BOK" in text_of(app.screen.query_one("ActingBanner"))
        assert "submit_reading" not in shown_keys(app)
        await press_settled(pilot, "n")  # the key does nothing either
        assert type(app.screen).__name__ == "ReadingsScreen"

        await app.action_open_section("efaktura")
        await settle(pilot)
        assert not app.screen.query_one("#actions").display  # no terms dialog, no withdrawal
        assert not {"start", "withdraw", "focus_code"} & shown_keys(app)

        await app.action_open_section("correspondence")
        await settle(pilot)
        assert not {"new", "delete_draft", "orphans"} & shown_keys(app)

        await app.action_open_section("contract")
        await settle(pilot)
        assert not {"contact_change", "customer_type"} & shown_keys(app)
        await press_settled(pilot, "k")  # the key does nothing either
        assert type(app.screen).__name__ == "ContractScreen"

        await app.action_open_section("account")  # the resident's own screen: not offered
        await settle(pilot)
        assert type(app.screen).__name__ == "ContractScreen"
        assert "Konto" not in str(app.screen.query_one("NavBar").render())
        await app.action_close_customer()
        await app.staff.logout()


async def test_resident_is_offered_no_staff_action(server):
    app = make_app(server)
    async with logged_in(app, "10001", "contract"):
        assert not {"contact_change", "customer_type"} & shown_keys(app)
        assert not app.screen.query("ActingBanner")
        assert "close_customer" not in shown_keys(app)


async def test_clerk_registers_a_reading_writes_a_complaint_and_a_contact_change(fresh_server):
    async with acting(fresh_server, "urzednik", "10003", "phone_call", "readings") as (app, pilot):
        info = await app.api.readings()
        meter = info.meters[0]
        value = f"{int(meter.last_value) + 3}"
        await submit_reading(pilot, value)
        assert type(app.screen).__name__ == "ReadingsScreen"
        await press_settled(pilot, "n")  # staff register readings; no correction form (no such staff route)
        assert type(app.screen).__name__ == "SubmitReadingModal" and not app.screen.has_class("-correction")
        await press_settled(pilot, "escape")

        # a complaint written up for the customer
        await write_letter(
            pilot, "water_quality", "Mętna woda (zgłoszenie telefoniczne)", "Klient zgłasza mętną wodę od rana."
        )

        # a contact-data change request from the contract screen
        form = await open_settled(pilot, "contract", "z")
        assert type(form).__name__ == "ContactChangeScreen"
        await press_settled(pilot, "ctrl+s")  # nothing typed: nothing sent
        assert "co najmniej jedną" in text_of(form.query_one(ErrorBanner))
        form.query_one("#phone", Input).value = "500 600 700"
        form.query_one("#note", Input).value = "Nowy numer podany przez telefon."
        await press_settled(pilot, "ctrl+s")
        assert type(app.screen).__name__ == "ContractScreen"
        await app.action_close_customer()
        await settle(pilot)

    # the resident sees the reading and both threads; the audit log says what the clerk changed
    async with fresh_server.client() as resident:
        await resident.login("10003", "woda-10003")
        assert str((await resident.readings()).items[0].value).startswith(value)
        subjects = [t.subject for t in (await resident.threads()).items]
        assert "Mętna woda (zgłoszenie telefoniczne)" in subjects
        assert "Wniosek o zmianę danych kontaktowych" in subjects
    async with fresh_server.http() as http:
        r = await http.post(
            "/staff/auth/login",
            json={"login": "kierownik", "password": DEMO_STAFF["kierownik"][0], "totp_code": totp_code("kierownik")},
        )
        token = r.json()["token"]
        audit = (
            await http.get(
                "/staff/audit", params={"customer_number": "10003"}, headers={"Authorization": f"Bearer {token}"}
            )
        ).json()
        changes = [e["resource"] for e in audit["items"] if e["action"] == "change"]
        assert sorted(changes) == ["contact_change_request", "reading", "thread"]
        assert all(e["staff_login"] == "urzednik" and e["reason"] == "phone_call" for e in audit["items"])


async def test_clerk_makes_a_person_a_business_with_a_checked_nip(fresh_server):
    """From the contract screen (``k``): the NIP is checked before sending and by the server (its
    422 worded under the field), the reason is required; saved, the access describes the customer
    as a business and the resident's own invoices are unchanged."""
    async with acting(fresh_server, "urzednik", "10001", "counter_visit", "contract") as (app, pilot):
        assert "customer_type" in shown_keys(app)
        form = await press_settled(pilot, "k")
        assert type(form).__name__ == "CustomerTypeScreen"
        assert "Teraz: osoba fizyczna, bez NIP." in text_of(form.query_one("#current"))
        nip = form.query_one("#nip", Input)
        assert nip.disabled  # a person has none
        await pilot.press("down", "enter")  # firma
        await settle(pilot)
        assert form.chosen == "business" and not nip.disabled
        nip.value = "526-587-76-34"  # a wrong check digit
        await settle(pilot)
        await press_settled(pilot, "ctrl+s")
        assert "nie jest prawidłowy NIP" in text_of(form.query_one("#nip-error"))
        assert app.focused is nip
        nip.value = "526-587-76-35"
        await settle(pilot)
        await press_settled(pilot, "ctrl+s")
        assert "Podaj powód zmiany" in text_of(form.query_one("#reason-error"))
        assert not text_of(form.query_one("#nip-error"))

        # the server's own check, worded under the field (the form's check would stop this one)
        form.run_api(lambda: form._save("business", "5265877634", "Wpis do CEIDG"), group="save")
        await settle(pilot)
        assert "nie jest prawidłowy NIP" in text_of(form.query_one("#nip-error"))

        form.query_one("#reason", Input).value = "Wpis do CEIDG okazany w BOK"
        await settle(pilot)
        await press_settled(pilot, "ctrl+s")
        assert type(app.screen).__name__ == "ContractScreen"
        customer = app.acting.customer
        assert (customer.customer_type, customer.nip) == ("business", "5265877635")
        form = await press_settled(pilot, "k")  # the form shows the new state
        assert "Teraz: firma, NIP 5265877635." in text_of(form.query_one("#current"))
        await app.action_close_customer()
        await settle(pilot)

    async with fresh_server.client() as resident:  # the invoices issued before stay outside KSeF
        await resident.login("10001", "woda-10001")
        page = await resident.invoices()
        assert page.items and [(await resident.invoice(i.id)).ksef for i in page.items[:3]] == [None] * 3


async def test_clerk_switches_efaktura_on_with_recorded_consent(fresh_server):
    async with acting(fresh_server, "urzednik", "10001", "counter_visit", "efaktura", lang="en") as (app, pilot):
        assert app.screen.query_one("#code-row").display is False  # the code is the resident's

        async def terms_and_address() -> None:
            terms = await press_settled(pilot, "e")  # the terms dialog, as a clerk opens it
            assert type(terms).__name__ == "TermsModal"
            assert "customer accepted" in str(terms.query_one("#accept", Checkbox).label)
            terms.query_one("#accept", Checkbox).value = True
            field = terms.query_one("#email", Input)
            field.value = "jan.kowalski@example.pl"
            field.focus()
            await press_settled(pilot, "enter")

        await terms_and_address()
        consent = app.screen
        assert type(consent).__name__ == "ConsentModal"
        assert "version 2026-11" in text_of(consent.query_one("#terms-note"))
        await press_settled(pilot, "escape", "escape")  # cancelled: nothing changes; the terms dialog too
        assert not (await app.api.efaktura()).active
        await terms_and_address()
        consent = app.screen
        consent.query_one("#form-written").value = True
        consent.query_one("#note", Input).value = "pismo 12/2026"
        await consent.run_action("save")
        await settle(pilot)
        status = await app.api.efaktura()
        assert status.active and [(h.channel, h.event) for h in status.history] == [("staff", "given")]
        assert "at the office" in text_of(app.screen.query_one("#history"))
        assert app.me is not None and app.me.efaktura_active
        await app.staff.logout()


# --- ending: logout, an access ended elsewhere, an expired staff session ------------------------
async def test_logging_out_closes_the_customer_on_the_server(server):
    async with acting(server, "pomoc", "10002", "written_request") as (app, pilot):
        acting_api = app.api
        await app.action_logout()
        await settle(pilot)
        assert isinstance(app.screen, StaffLoginScreen) and app.acting is None and not app.staff.active
        assert "Wylogowano" in text_of(app.screen.query_one("#login-message"))
        # the staff session is gone on the server; a fresh one cannot use the old access either
        await app.staff.login("pomoc", DEMO_STAFF["pomoc"][0])
        acting_api._token = app.staff.api.token
        try:
            await acting_api.balance()
        except NotFound as error:
            assert error.code == "access_not_live"
        else:
            raise AssertionError("the access outlived the logout")
        await app.staff.logout()


async def test_an_access_ended_elsewhere_returns_to_search(server):
    async with acting(server, "pomoc", "10004", "complaint_handling", "contract") as (app, pilot):
        await app.staff.api.close_access(app.acting.access_id)  # e.g. from another terminal
        await press_settled(pilot, "r")
        assert app.acting is None and isinstance(app.screen, StaffSearchScreen)
        await app.staff.logout()


async def test_an_expired_staff_session_asks_to_log_in_again(server):
    async with acting(server, "pomoc", "10001", "counter_visit", "invoices") as (app, pilot):
        async with server.http() as http:  # the token ends (as after 15 idle minutes)
            r = await http.post("/staff/auth/logout", headers={"Authorization": f"Bearer {app.staff.api.token}"})
            assert r.status_code == 204
        await press_settled(pilot, "r")
        assert isinstance(app.screen, StaffLoginScreen) and not app.staff.active and app.acting is None
        assert "Sesja wygasła" in text_of(app.screen.query_one("#login-message"))


async def test_helpdesk_replies_in_a_thread_as_the_utility(fresh_server):
    async with acting(fresh_server, "pomoc", "10001", "phone_call", "correspondence") as (app, pilot):
        await pilot.press("down", "down", "enter")  # the thread with the utility's answer (still open)
        await settle(pilot)
        screen = app.screen
        assert type(screen).__name__ == "ThreadScreen" and screen.query_one("#reply-box").display
        assert screen.query("ActingBanner")
        screen.query_one("#reply").text = "Ekipa będzie na miejscu jutro rano."
        await press_settled(pilot, "ctrl+s")
        thread_id = screen.thread_id
        await app.staff.logout()
    async with fresh_server.client() as resident:
        await resident.login("10001", "woda-10001")
        last = (await resident.thread(thread_id)).messages[-1]
        assert last.author == "utility" and last.body == "Ekipa będzie na miejscu jutro rano."
