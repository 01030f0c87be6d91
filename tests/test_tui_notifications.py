"""Notifications and unread markers (issue 12 feature 6) in the client, against the real demo
server (business date 2026-11-15): 10001's "since your last visit" panel on the balance (closed with
``x`` until the next login), the unread reply marked in the correspondence list and counted on the
navigation bar until the resident opens it, and the e-mail preferences on the account screen."""

from __future__ import annotations

from contextlib import asynccontextmanager

from textual.widgets import Checkbox, Static

from ebok_tui.ui.screens.account.account import AccountScreen
from ebok_tui.ui.screens.billing.balance import BalanceScreen
from ebok_tui.ui.screens.correspondence.correspondence import CorrespondenceScreen
from ebok_tui.ui.screens.correspondence.thread import ThreadScreen
from ebok_tui.ui.widgets.chrome import NavBar
from tests.tui_support import SIZE, login_as, make_app, settle, text_of, wait_until


def nav(app) -> str:
    return app.screen.query_one(NavBar).render().plain


@asynccontextmanager
async def logged_in(server, tmp_path, customer: str, section: str = "balance", lang: str = "pl"):
    """(app, pilot) with ``customer`` logged in on ``section``, settled."""
    app = make_app(server, tmp_path, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await login_as(app, customer, section)
        await settle(pilot)
        yield app, pilot


async def test_since_last_visit_on_the_balance_until_dismissed(fresh_server, tmp_path):
    async with logged_in(fresh_server, tmp_path, "10001") as (app, pilot):
        assert isinstance(app.screen, BalanceScreen)
        news = app.screen.query_one("#balance-news", Static)
        assert news.display
        text = text_of(news)
        assert "Od ostatniej wizyty (07.11.2026):" in text
        assert "nowa faktura FV/2026/11/" in text and "odpowiedź: „Brązowa woda z kranu”" in text
        assert "nowe komunikaty: 1 (n)" in text and "podaj odczyt do 30.11.2026" in text and "x — zamknij" in text
        assert "Korespondencja●1" in nav(app)
        await pilot.press("x")
        await settle(pilot)
        assert not news.display
        await app.action_open_section("invoices")
        await app.action_open_section("balance")
        await settle(pilot)
        assert not app.screen.query_one("#balance-news", Static).display  # closed until the next login
        assert "DO ZAPŁATY" in text_of(app.screen.query_one("#balance-summary", Static))


async def test_no_panel_without_news_and_english(server, tmp_path):
    # first login: no news, but a legalisation ending soon
    async with logged_in(server, tmp_path, "10004", lang="en") as (app, _):
        text = text_of(app.screen.query_one("#balance-news", Static))
        assert "Good to know:" in text and "WM-4567891 legalised until 15 Jan 2027" in text
        assert "new invoice" not in text
        assert "6 Messages 7" in nav(app)  # no unread reply


async def test_the_unread_reply_is_marked_until_opened(fresh_server, tmp_path):
    async with logged_in(fresh_server, tmp_path, "10001", "correspondence") as (app, pilot):
        assert isinstance(app.screen, CorrespondenceScreen)
        table = app.screen.table
        rows = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert [r for r in rows if r.startswith("● ")] == ["● Brązowa woda z kranu"]
        assert "Korespondencja●1" in nav(app)
        table.move_cursor(row=rows.index("● Brązowa woda z kranu"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ThreadScreen))
        await settle(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, CorrespondenceScreen))
        await settle(pilot)
        table = app.screen.table
        assert not any(str(table.get_row_at(i)[0]).startswith("●") for i in range(table.row_count))
        assert nav(app).endswith("6 Korespondencja 7 Konto")  # the count is gone


async def test_email_preferences_on_the_account_screen(fresh_server, tmp_path):
    async with logged_in(fresh_server, tmp_path, "10001", "account") as (app, pilot):
        assert isinstance(app.screen, AccountScreen)
        assert "Korespondencja●1" in nav(app)  # known from login on (GET /me)
        kinds = ("reply", "invoice", "notice", "reading_window", "legalisation")
        boxes = [app.screen.query_one(f"#notify-{kind}", Checkbox) for kind in kinds]
        assert [b.value for b in boxes] == [True, False, True, False, True]  # the server's defaults
        assert not any(b.disabled for b in boxes)
        await pilot.press("e")  # brings the preferences into view, on the first box
        await settle(pilot)
        assert app.focused is boxes[0]
        await pilot.press("tab", "space")  # the invoice box
        await settle(pilot)
        assert boxes[1].value is True
        assert "Zapisano" in text_of(app.screen.query_one("#notify-result", Static))
        await pilot.press("tab", "tab", "space")  # the reading-window box
        await wait_until(pilot, lambda: app.session.me.notifications.reading_window)  # stored, /me's copy too
        stored = await app.api.notification_preferences()
        assert stored.model_dump() == dict.fromkeys(kinds, True)
