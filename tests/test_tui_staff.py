"""Staff mode of the app against the real server in-process: the staff login (TOTP), search, opening
a customer for a phone call (failed, then passed verification), act-for mode with its banner and
role limits, closing the customer."""

from __future__ import annotations

from textual.widgets import Checkbox, DataTable, Input, RadioButton

from ebok_tui.core.api import NotFound
from ebok_tui.ui.screens.staff.login import StaffLoginScreen
from ebok_tui.ui.screens.staff.search import StaffSearchScreen
from ebok_tui.ui.widgets.chrome import ErrorBanner
from tests.staff_support import DEMO_STAFF, serve, staff_login_as, totp_code, wrong_code
from tests.tui_support import SIZE, login_as, make_app, settle, text_of, type_text, wait_until


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


# --- act-for mode: role limits -------------------------------------------------------------------
def shown_keys(app) -> set[str]:
    """The actions the current screen offers (what the footer shows and the keys run)."""
    return {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}


async def test_helpdesk_sees_no_actions_it_may_not_use(server):
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await staff_login_as(app, "pomoc")
        await serve(app, "10001", "counter_visit", "readings")
        await settle(pilot)
        assert "Obsługujesz: 10001 Jan Kowalski — wizyta w BOK" in text_of(app.screen.query_one("ActingBanner"))
        assert "submit_reading" not in shown_keys(app)
        await pilot.press("n")  # the key does nothing either
        await settle(pilot)
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
        await pilot.press("k")
        await settle(pilot)
        assert type(app.screen).__name__ == "ContractScreen"

        await app.action_open_section("account")  # the resident's own screen: not offered
        await settle(pilot)
        assert type(app.screen).__name__ == "ContractScreen"
        assert "Konto" not in str(app.screen.query_one("NavBar").render())
        await app.action_close_customer()
        await app.staff.logout()


async def test_resident_is_offered_no_staff_action(server):
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await login_as(app, "10001", "contract")
        await settle(pilot)
        assert not {"contact_change", "customer_type"} & shown_keys(app)
        assert not app.screen.query("ActingBanner")
        assert "close_customer" not in shown_keys(app)


async def test_clerk_registers_a_reading_writes_a_complaint_and_a_contact_change(fresh_server):
    app = make_app(fresh_server)
    async with app.run_test(size=SIZE) as pilot:
        await staff_login_as(app, "urzednik")
        await serve(app, "10003", "phone_call", "readings")
        await settle(pilot)
        info = await app.api.readings()
        meter = info.meters[0]
        await pilot.press("n")
        await settle(pilot)
        modal = app.screen
        assert type(modal).__name__ == "SubmitReadingModal"
        value = f"{int(meter.last_value) + 3}"
        modal.query_one("#value", Input).value = ""
        await type_text(pilot, value)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ReadingsScreen"
        await pilot.press("n")  # staff register readings; no correction form (no such staff route)
        await settle(pilot)
        assert type(app.screen).__name__ == "SubmitReadingModal" and not app.screen.has_class("-correction")
        await pilot.press("escape")
        await settle(pilot)

        # a complaint written up for the customer
        await app.action_open_section("correspondence")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        compose = app.screen
        assert type(compose).__name__ == "ComposeScreen"
        compose.query_one("#kind").value = "water_quality"
        compose.query_one("#subject", Input).value = "Mętna woda (zgłoszenie telefoniczne)"
        compose.query_one("#body-text").text = "Klient zgłasza mętną wodę od rana."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ != "ComposeScreen"

        # a contact-data change request from the contract screen
        await app.action_open_section("contract")
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        form = app.screen
        assert type(form).__name__ == "ContactChangeScreen"
        await pilot.press("ctrl+s")  # nothing typed: nothing sent
        await settle(pilot)
        assert "co najmniej jedną" in text_of(form.query_one(ErrorBanner))
        form.query_one("#phone", Input).value = "500 600 700"
        form.query_one("#note", Input).value = "Nowy numer podany przez telefon."
        await pilot.press("ctrl+s")
        await settle(pilot)
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
    app = make_app(fresh_server)
    async with app.run_test(size=SIZE) as pilot:
        await staff_login_as(app, "urzednik")
        await serve(app, "10001", "counter_visit", "contract")
        await settle(pilot)
        assert "customer_type" in shown_keys(app)
        await pilot.press("k")
        await settle(pilot)
        form = app.screen
        assert type(form).__name__ == "CustomerTypeScreen"
        assert "Teraz: osoba fizyczna, bez NIP." in text_of(form.query_one("#current"))
        assert form.query_one("#nip", Input).disabled  # a person has none
        await pilot.press("down", "enter")  # firma
        await settle(pilot)
        nip = form.query_one("#nip", Input)
        assert form.chosen == "business" and not nip.disabled
        nip.value = "526-587-76-34"  # a wrong check digit
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "nie jest prawidłowy NIP" in text_of(form.query_one("#nip-error"))
        assert app.focused is nip
        nip.value = "526-587-76-35"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Podaj powód zmiany" in text_of(form.query_one("#reason-error"))
        assert not text_of(form.query_one("#nip-error"))

        # the server's own check, worded under the field (the form's check would stop this one)
        form.run_api(lambda: form._save("business", "5265877634", "Wpis do CEIDG"), group="save")
        await settle(pilot)
        assert "nie jest prawidłowy NIP" in text_of(form.query_one("#nip-error"))

        form.query_one("#reason", Input).value = "Wpis do CEIDG okazany w BOK"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "ContractScreen"
        customer = app.acting.customer
        assert (customer.customer_type, customer.nip) == ("business", "5265877635")
        await pilot.press("k")  # the form shows the new state
        await settle(pilot)
        assert "Teraz: firma, NIP 5265877635." in text_of(app.screen.query_one("#current"))
        await app.action_close_customer()
        await settle(pilot)

    async with fresh_server.client() as resident:  # the invoices issued before stay outside KSeF
        await resident.login("10001", "woda-10001")
        page = await resident.invoices()
        assert page.items and [(await resident.invoice(i.id)).ksef for i in page.items[:3]] == [None] * 3


async def test_clerk_switches_efaktura_on_with_recorded_consent(fresh_server):
    app = make_app(fresh_server, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await staff_login_as(app, "urzednik")
        await serve(app, "10001", "counter_visit", "efaktura")
        await settle(pilot)
        assert app.screen.query_one("#code-row").display is False  # the code is the resident's

        async def terms_and_address() -> None:
            await pilot.press("e")  # the terms dialog, as a clerk opens it
            await settle(pilot)
            terms = app.screen
            assert type(terms).__name__ == "TermsModal"
            assert "customer accepted" in str(terms.query_one("#accept", Checkbox).label)
            terms.query_one("#accept", Checkbox).value = True
            field = terms.query_one("#email", Input)
            field.value = "jan.kowalski@example.pl"
            field.focus()
            await pilot.press("enter")
            await settle(pilot)

        await terms_and_address()
        consent = app.screen
        assert type(consent).__name__ == "ConsentModal"
        assert "version 2026-11" in text_of(consent.query_one("#terms-note"))
        await pilot.press("escape")  # cancelled: nothing changes
        await settle(pilot)
        await pilot.press("escape")  # and the terms dialog too
        await settle(pilot)
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
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await staff_login_as(app, "pomoc")
        await serve(app, "10002", "written_request")
        await settle(pilot)
        acting = app.api
        await app.action_logout()
        await settle(pilot)
        assert isinstance(app.screen, StaffLoginScreen) and app.acting is None and not app.staff.active
        assert "Wylogowano" in text_of(app.screen.query_one("#login-message"))
        # the staff session is gone on the server; a fresh one cannot use the old access either
        await app.staff.login("pomoc", DEMO_STAFF["pomoc"][0])
        acting._token = app.staff.api.token
        try:
            await acting.balance()
        except NotFound as error:
            assert error.code == "access_not_live"
        else:
            raise AssertionError("the access outlived the logout")
        await app.staff.logout()


async def test_an_access_ended_elsewhere_returns_to_search(server):
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await staff_login_as(app, "pomoc")
        await serve(app, "10004", "complaint_handling", "contract")
        await settle(pilot)
        await app.staff.api.close_access(app.acting.access_id)  # e.g. from another terminal
        await pilot.press("r")
        await settle(pilot)
        assert app.acting is None and isinstance(app.screen, StaffSearchScreen)
        await app.staff.logout()


async def test_an_expired_staff_session_asks_to_log_in_again(server):
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await staff_login_as(app, "pomoc")
        await serve(app, "10001", "counter_visit", "invoices")
        await settle(pilot)
        async with server.http() as http:  # the token ends (as after 15 idle minutes)
            r = await http.post("/staff/auth/logout", headers={"Authorization": f"Bearer {app.staff.api.token}"})
            assert r.status_code == 204
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, StaffLoginScreen) and not app.staff.active and app.acting is None
        assert "Sesja wygasła" in text_of(app.screen.query_one("#login-message"))


async def test_helpdesk_replies_in_a_thread_as_the_utility(fresh_server):
    app = make_app(fresh_server)
    async with app.run_test(size=SIZE) as pilot:
        await staff_login_as(app, "pomoc")
        await serve(app, "10001", "phone_call", "correspondence")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # the thread with the utility's answer (still open)
        await settle(pilot)
        screen = app.screen
        assert type(screen).__name__ == "ThreadScreen" and screen.query_one("#reply-box").display
        assert screen.query("ActingBanner")
        screen.query_one("#reply").text = "Ekipa będzie na miejscu jutro rano."
        await pilot.press("ctrl+s")
        await settle(pilot)
        thread_id = screen.thread_id
        await app.staff.logout()
    async with fresh_server.client() as resident:
        await resident.login("10001", "woda-10001")
        last = (await resident.thread(thread_id)).messages[-1]
        assert last.author == "utility" and last.body == "Ekipa będzie na miejscu jutro rano."
