"""The staff flow of issue 9 end to end, in the app against the real server in-process: a clerk logs
in with a TOTP code, searches "wisniewski", opens the customer for a phone call after verification,
registers a reading and writes a complaint for them, then answers the complaint from the
correspondence queue; the resident then logs in and sees the reading, the reply, and the access in
"who viewed my data"."""

from __future__ import annotations

from textual.widgets import Checkbox, DataTable, Input, TextArea

from ebok_tui.ui.screens.staff.queue import QueueThreadScreen, StaffQueueScreen
from ebok_tui.ui.screens.staff.search import StaffSearchScreen
from tests.staff_support import fill_staff_login, submit_reading, totp_code, write_letter
from tests.tui_support import SIZE, logged_in, make_app, press_settled, settle, text_of, type_text, wait_until


async def test_clerk_serves_wisniewski_and_the_resident_sees_it(fresh_server, tmp_path):
    app = make_app(fresh_server)
    async with app.run_test(size=SIZE) as pilot:
        # log in with TOTP on the staff login screen
        await settle(pilot)
        await press_settled(pilot, "ctrl+s")
        await fill_staff_login(pilot, "urzednik", totp_code("urzednik"))
        search = app.screen
        assert isinstance(search, StaffSearchScreen)

        # search without diacritics, open for a phone call after verification
        await type_text(pilot, "wisniewski")
        await press_settled(pilot, "enter")
        assert search.page is not None and search.page.items[0].customer_number == "10003"
        modal = await press_settled(pilot, "enter")
        modal.query_one("#check-customer_number", Checkbox).value = True
        modal.query_one("#check-address", Checkbox).value = True
        await modal.run_action("open")
        await settle(pilot)
        assert app.acting is not None and app.acting.customer.customer_number == "10003"

        # register a reading reported on the phone
        await app.action_open_section("readings")
        await settle(pilot)
        meter = (await app.api.readings()).meters[0]
        value = f"{int(meter.last_value) + 7}"
        await submit_reading(pilot, value)
        assert type(app.screen).__name__ == "ReadingsScreen"

        # write up the complaint
        await write_letter(pilot, "water_quality", "Mętna woda (telefon)", "Klient zgłasza mętną wodę od rana.")
        await app.action_close_customer()
        await settle(pilot)

        # answer it from the queue
        await app.action_open_staff_section("queue")
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, StaffQueueScreen)
        await wait_until(pilot, lambda: queue.page is not None)
        await pilot.press("slash")
        await type_text(pilot, "metna")  # not found: the list filter is literal
        await settle(pilot)
        table = queue.query_one("#queue", DataTable)
        assert table.row_count == 0
        queue.query_one("#queue-filter", Input).value = "Mętna"
        await settle(pilot)
        assert table.row_count == 1
        await pilot.press("escape", "enter")
        await settle(pilot)
        thread = app.screen
        assert isinstance(thread, QueueThreadScreen)
        await wait_until(pilot, lambda: thread.thread is not None)
        await pilot.press("t")
        await wait_until(pilot, lambda: thread.thread is not None and thread.thread.assignee == "urzednik")
        await pilot.press("tab")
        thread.query_one("#reply", TextArea).insert("Próbki wody pobierzemy jutro rano.")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: thread.thread is not None and thread.thread.status == "answered")
        await app.staff.logout()

    # the resident: the reading, the reply, and the access in "who viewed my data"
    resident = make_app(fresh_server, tmp_path)
    async with logged_in(resident, "10003", "readings") as pilot:
        assert str((await resident.api.readings()).items[0].value).startswith(value)
        threads = (await resident.api.threads()).items
        complaint = next(t for t in threads if t.subject == "Mętna woda (telefon)")
        detail = await resident.api.thread(complaint.id)
        assert detail.messages[-1].author == "utility" and detail.messages[-1].body.startswith("Próbki wody")
        await resident.action_open_section("account")
        await settle(pilot)
        access = resident.screen.query_one("#data-access")
        await wait_until(pilot, lambda: "Wczytywanie" not in text_of(access))
        shown = " ".join(text_of(access).split())
        assert "rozmowa telefoniczna" in shown and "odczyt" in shown
        assert "odpowiedź na Twoją korespondencję" in shown  # the reply from the queue
        assert "urzednik" not in shown and "Okienko" not in shown
