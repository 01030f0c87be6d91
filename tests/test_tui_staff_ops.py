"""Staff mode, part 2, against the real server in-process: the correspondence queue (overdue first
and marked, filters, take, reply, close), and the snapshots of the staff screens at 80x24."""

from __future__ import annotations

from textual.widgets import DataTable, TextArea

from ebok_tui.ui.screens.staff.queue import QueueThreadScreen, StaffQueueScreen
from tests.staff_support import open_staff_section, staff_login_as
from tests.tui_support import SIZE, login_as, make_app, paste, press_settled, settle, started, text_of, wait_until


async def open_queue(pilot, login: str) -> StaffQueueScreen:
    await open_staff_section(pilot, login, "queue")  # key 2 (the search field has the focus here)
    screen = pilot.app.screen
    assert isinstance(screen, StaffQueueScreen)
    await wait_until(pilot, lambda: screen.page is not None)
    return screen


async def test_queue_overdue_first_filters_take_reply_close(fresh_server, tmp_path):
    fresh_server.reply_deadline_days = 4  # 10001's open thread of 5 days is overdue
    app = make_app(fresh_server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot, "pomoc")
        page = screen.page
        assert page is not None and page.items
        overdue = [i for i in page.items if i.overdue]
        assert overdue and page.items[: len(overdue)] == overdue  # overdue first
        table = screen.query_one("#queue", DataTable)
        assert str(table.get_row_at(0)[0]).strip() == "!"  # and marked
        assert "po terminie" in text_of(screen.query_one("#queue-status"))

        await pilot.press("s")  # status: sent only
        await wait_until(pilot, lambda: "stan (s): wysłana" in text_of(screen.query_one("#queue-status")))
        await wait_until(pilot, lambda: screen.page is not None and {i.status for i in screen.page.items} == {"sent"})
        await pilot.press("slash")
        await paste(pilot, "10001")
        await settle(pilot)
        assert table.row_count >= 1
        assert all(str(table.get_row_at(n)[1]).strip() == "10001" for n in range(table.row_count))
        await pilot.press("escape")
        target = screen.page.items[0] if screen.page else None
        assert target is not None and app.focused is table
        table.move_cursor(row=0)
        thread_id = int(table.coordinate_to_cell_key((0, 0)).row_key.value)
        thread = await press_settled(pilot, "enter")
        assert isinstance(thread, QueueThreadScreen)
        await wait_until(pilot, lambda: thread.thread is not None)
        await pilot.press("t")  # take
        await wait_until(pilot, lambda: thread.thread is not None and thread.thread.assignee == "pomoc")
        await pilot.press("tab")  # from the messages to the reply box
        assert app.focused is thread.query_one("#reply", TextArea)
        thread.query_one("#reply", TextArea).insert("Dzień dobry, ekipa będzie u Państwa jutro.")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Odpowiedź wysłana" in text_of(thread.query_one("#thread-result")))
        assert thread.thread is not None and thread.thread.status == "answered"
        assert "ekipa będzie u Państwa jutro" in text_of(thread.query_one("#thread-body"))
        await pilot.press("shift+tab")  # letters in the reply box are text: back to the messages
        await pilot.press("c")  # close
        await wait_until(pilot, lambda: thread.thread is not None and thread.thread.status == "closed")
        await press_settled(pilot, "escape")
        assert isinstance(app.screen, StaffQueueScreen)
        await app.staff.logout()

    # the resident sees the reply
    resident = make_app(fresh_server, tmp_path)
    async with resident.run_test(size=SIZE) as pilot:
        await login_as(resident, "10001")
        detail = await resident.api.thread(thread_id)
        assert detail.status == "closed"
        assert [m.body for m in detail.messages if m.author == "utility"][-1].startswith("Dzień dobry, ekipa")


async def test_audit_filter_and_csv_export(fresh_server, tmp_path):
    from textual.widgets import Input

    from ebok_tui.ui.screens.staff.audit import StaffAuditScreen
    from tests.staff_support import serve

    app = make_app(fresh_server)
    async with started(app) as pilot:
        await staff_login_as(app, "kierownik")
        await serve(app, "10003", "counter_visit")  # two audit entries: customer, balance
        await settle(pilot)
        await press_settled(pilot, "ctrl+f")
        await app.action_open_staff_section("audit")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StaffAuditScreen)
        await wait_until(pilot, lambda: screen.page is not None)
        screen.query_one("#audit-customer", Input).focus()
        await pilot.pause()
        await paste(pilot, "10003")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.filters["customer_number"] == "10003" and screen.page is not None)
        await wait_until(pilot, lambda: screen.page is not None and screen.page.total >= 2)
        assert all(i.customer_number == "10003" for i in screen.page.items)
        assert {i.resource for i in screen.page.items} >= {"customer", "balance"}
        export = screen.query_one("#audit-export", Input)
        export.value = str(tmp_path / "dziennik.csv")
        screen.table.focus()
        await pilot.pause()
        await pilot.press("e")
        await wait_until(pilot, lambda: "dziennik.csv" in text_of(screen.query_one("#audit-status")))
        target = tmp_path / "dziennik.csv"
        assert f"Zapisano dziennik (CSV): {target}" in text_of(screen.query_one("#audit-status"))
        assert (target.stat().st_mode & 0o777) == 0o600
        lines = target.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("id,at,staff_login,customer_number")
        assert ",10003," in lines[1] and "audit_export" in lines[-1]
        # a second export to the same name overwrites nothing
        export.value = str(target)
        await press_settled(pilot, "e")
        assert target.read_text(encoding="utf-8").splitlines() == lines
        await app.staff.logout()


async def test_accounts_add_shows_secret_once_and_disable_confirms(fresh_server):
    import pyotp
    from textual.widgets import Button, Input

    from ebok_tui.ui.screens.staff.accounts import AddAccountModal, ConfirmDisableModal, StaffAccountsScreen

    app = make_app(fresh_server)
    async with app.run_test(size=SIZE) as pilot:
        await open_staff_section(pilot, "kierownik", "accounts")
        screen = app.screen
        assert isinstance(screen, StaffAccountsScreen)
        await wait_until(pilot, lambda: len(screen.accounts) == 3)
        modal = await press_settled(pilot, "n")
        assert isinstance(modal, AddAccountModal)
        await paste(pilot, "jan.nowy")
        modal.query_one("#add-full_name", Input).value = "Jan Nowy"
        modal.query_one("#add-password", Input).value = "haslo-startowe-2026"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: modal.created is not None)
        shown = text_of(modal.query_one("#secret"))
        secret = modal.created.totp_secret
        assert secret and f"Sekret TOTP: {secret}" in shown and "otpauth://totp/" in shown
        assert "tylko teraz" in shown and modal.query_one("#create", Button).disabled
        await press_settled(pilot, "escape")
        assert app.screen is screen
        await wait_until(pilot, lambda: "jan.nowy" in [a.login for a in screen.accounts])
        assert secret not in text_of(screen.query_one("#accounts"))  # never again
        # the new clerk can log in with the secret
        assert pyotp.TOTP(secret).now()

        screen.table.move_cursor(row=[a.login for a in screen.accounts].index("jan.nowy"))
        confirm = await press_settled(pilot, "d")
        assert isinstance(confirm, ConfirmDisableModal)
        assert app.focused is confirm.query_one("#no")  # Enter alone disables nothing
        confirm.query_one("#yes", Button).press()
        await wait_until(pilot, lambda: "Konto jan.nowy wyłączone." in text_of(screen.query_one("#accounts-result")))
        await wait_until(pilot, lambda: next(a for a in screen.accounts if a.login == "jan.nowy").disabled)
        await app.staff.logout()
