"""Correspondence list, thread view and composer against the real server, including drafts that
survive a server outage and are sent exactly once."""

from __future__ import annotations

import json
import stat
import uuid

import pytest

from textual.widgets import DataTable, Input, Select, TextArea

from ebok_tui.ui.screens.correspondence.compose import ComposeScreen
from ebok_tui.ui.screens.correspondence.correspondence import CorrespondenceScreen
from ebok_tui.ui.screens.correspondence.thread import ThreadScreen
from tests.contract_mail_support import table_rows, text_of
from tests.fixtures_client import held_port  # noqa: F401 - a fixture
from tests.server_proc import running_server, start_server_info, stop_server
from tests.tui_support import SIZE, logged_in, login_as, make_app, press_settled, settle, wait_until


@pytest.fixture(scope="module")
def private_url(tmp_path_factory):
    """A server of our own: these tests create threads and replies."""
    with running_server(tmp_path_factory.mktemp("mail_server")) as srv:
        yield srv.url


def draft_files(tmp_path):
    return sorted((tmp_path / "drafts").glob("*.json"))


async def open_composer(pilot) -> ComposeScreen:
    await press_settled(pilot, "n")
    assert isinstance(pilot.app.screen, ComposeScreen)
    return pilot.app.screen


async def fill(pilot, *, kind="failure_report", subject="", body="", phone="", location="") -> None:
    """Fill the form the way a resident does: keys into each field."""
    screen = pilot.app.screen
    if kind:
        select = screen.query_one("#kind", Select)
        select.focus()
        await pilot.press("enter")  # open the list
        await pilot.pause()
        from ebok_tui.core.api import THREAD_KINDS

        for _ in range(THREAD_KINDS.index(kind) + 1):  # the first entry is the prompt
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert select.value == kind
    for widget_id, text in (("subject", subject), ("contact_phone", phone), ("location", location)):
        if text:
            screen.query_one(f"#{widget_id}", Input).focus()
            await pilot.press(*text)
    if body:
        screen.query_one("#body-text", TextArea).focus()
        await pilot.press(*body)
    await settle(pilot)


# --- the list and a thread (shared demo server, read only) -----------------------------------------
async def test_list_shows_threads_with_translated_kind_and_status(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10001", "correspondence"):
        assert isinstance(app.screen, CorrespondenceScreen)
        rows = table_rows(app.screen.query_one("#threads", DataTable))
        assert [r[0] for r in rows][:2] == ["Pytanie o fakturę", "● Brązowa woda z kranu"]  # ●: unread reply
        assert [r[2] for r in rows] == ["wysłana", "w realizacji", "z odpowiedzią", "zamknięta"]
        assert [r[1] for r in rows] == ["inna sprawa", "jakość wody", "awaria", "zmiana danych"]
        assert "Sprawy 1–4 z 4" in text_of(app.screen.query_one("#pager"))
        assert not app.screen.query_one("#drafts-notice").has_class("-visible")


async def test_list_in_english(server, tmp_path):
    app = make_app(server, tmp_path, lang="en")
    async with logged_in(app, "10001", "correspondence"):
        rows = table_rows(app.screen.query_one("#threads", DataTable))
        assert [r[2] for r in rows] == ["sent", "in progress", "answered", "closed"]


async def test_enter_opens_thread_with_messages(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10001", "correspondence") as pilot:
        screen = await press_settled(pilot, "down", "down", "enter")
        assert isinstance(screen, ThreadScreen)
        assert "Brak wody – ul. Grunwaldzka 12" in text_of(screen.query_one("#thread-head"))
        assert "sprawa z odpowiedzią" in text_of(screen.query_one("#thread-head"))
        # what the resident gave with the report is shown with it
        assert "Telefon kontaktowy: +48 601 234 567" in text_of(screen.query_one("#thread-head"))
        assert "Miejsce: ul. Grunwaldzka 12, klatka B" in text_of(screen.query_one("#thread-head"))
        messages = [text_of(m) for m in screen.query("MessageView")]
        assert messages[0].startswith("Ty · ") and "Od rana brak wody" in messages[0]
        assert messages[1].startswith("MPWiK · ") and "do godz. 16:00" in messages[1]
        assert screen.query_one("#reply-box").display is True
        await press_settled(pilot, "escape")
        assert isinstance(app.screen, CorrespondenceScreen)


async def test_closed_thread_takes_no_reply(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10001", "correspondence") as pilot:
        await pilot.press("down", "down", "down", "enter")  # the oldest: closed
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ThreadScreen)
        assert screen.query_one("#reply-box").display is False
        assert "zamknięta" in text_of(screen.query_one("#closed-note"))
        assert not isinstance(app.focused, TextArea)


async def test_typing_right_after_opening_a_thread_goes_into_the_reply(server_url, tmp_path):
    """No key is lost: the reply field has the focus from the start, also while the thread loads."""
    app = make_app(server_url, tmp_path, lang="en")
    async with logged_in(app, "10001", "correspondence") as pilot:
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ThreadScreen))
        await pilot.press(*"Still brown")  # at once, without waiting for the thread
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ThreadScreen)
        assert screen.query_one("#reply", TextArea).text == "Still brown"
        assert app.focused is screen.query_one("#reply", TextArea)
        assert "Brązowa woda" in text_of(screen.query_one("#thread-head"))


# --- composing (private server) ---------------------------------------------------------------------
async def test_too_long_a_message_names_the_limit_with_a_thousands_space(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path)
    async with logged_in(app, "10003", "correspondence") as pilot:
        screen = await open_composer(pilot)
        await fill(pilot, kind="other", subject="Długi list")
        screen.query_one("#body-text", TextArea).text = "a" * 10_001
        await press_settled(pilot, "ctrl+s")
        status = text_of(screen.query_one("#form-status"))
        assert "najwyżej 10 000 znaków (teraz: 10 001)" in status, status
        assert isinstance(app.screen, ComposeScreen)


@pytest.mark.parametrize(
    "lang, message", [("pl", "Telefon: wpisz polski numer"), ("en", "Phone: enter a Polish number")]
)
async def test_contact_phone_is_checked_before_sending_and_shown_in_the_thread(private_url, tmp_path, lang, message):
    app = make_app(private_url, tmp_path, lang=lang)
    async with logged_in(app, "10001", "correspondence") as pilot:
        before = (await app.api.threads()).total
        screen = await open_composer(pilot)
        await fill(
            pilot, kind="failure_report", subject=f"Wyciek {lang}", body="Cieknie.", phone="abc", location="ul. Polna 5"
        )
        await press_settled(pilot, "ctrl+s")
        assert app.screen is screen
        assert message in text_of(screen.query_one("#form-status"))
        assert screen.query_one("#contact_phone", Input).has_class("-invalid")
        assert app.focused is screen.query_one("#contact_phone", Input)
        assert (await app.api.threads()).total == before  # nothing sent

        phone = screen.query_one("#contact_phone", Input)
        phone.value = ""
        await pilot.press(*"600-100-200")
        await press_settled(pilot, "ctrl+s")
        assert isinstance(app.screen, CorrespondenceScreen)
        await press_settled(pilot, "enter")  # the new thread is on top
        head = text_of(app.screen.query_one("#thread-head"))
        assert "+48 600 100 200" in head and "ul. Polna 5" in head


async def test_blank_subject_or_body_is_refused_before_sending(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path)
    async with logged_in(app, "10003", "correspondence") as pilot:
        screen = await open_composer(pilot)
        await press_settled(pilot, "ctrl+s")
        status = text_of(screen.query_one("#form-status"))
        assert "Wybierz rodzaj sprawy." in status and "Wpisz temat" in status and "Wpisz treść" in status

        await fill(pilot, kind="water_quality", subject="Mętna woda", body="   ")
        await press_settled(pilot, "ctrl+s")
        assert isinstance(app.screen, ComposeScreen)
        status = text_of(screen.query_one("#form-status"))
        assert "Wpisz treść wiadomości." in status and "temat" not in status
        assert screen.query_one("#body-text", TextArea).has_class("-invalid")
        assert screen.query_one("#subject", Input).value == "Mętna woda"  # nothing lost
        assert (await app.api.threads()).total == 0  # nothing sent


async def test_compose_send_appears_in_list(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path)
    async with logged_in(app, "10003", "correspondence") as pilot:
        await open_composer(pilot)
        await fill(
            pilot,
            kind="failure_report",
            subject="Wyciek na chodniku",
            body="Woda wypływa spod chodnika.",
            phone="600100200",
            location="ul. Leśna 3",
        )
        # the autosave writes the draft once typing has paused (its debounce timer)
        await wait_until(pilot, lambda: len(draft_files(tmp_path)) == 1)
        await press_settled(pilot, "ctrl+s")
        assert isinstance(app.screen, CorrespondenceScreen)
        rows = table_rows(app.screen.query_one("#threads", DataTable))
        assert rows[0][:3] == ["Wyciek na chodniku", "awaria", "wysłana"]
        assert draft_files(tmp_path) == []  # deleted once the server confirmed
        thread = await app.api.thread((await app.api.threads()).items[0].id)
        assert thread.messages[0].body == "Woda wypływa spod chodnika."


async def test_reply_draft_is_kept_and_reply_is_sent(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path, lang="en")
    async with logged_in(app, "10004", "correspondence") as pilot:
        await press_settled(pilot, "enter")  # "Wyciek przy wodomierzu ogrodowym"
        screen = app.screen
        assert isinstance(screen, ThreadScreen)
        screen.query_one("#reply", TextArea).focus()
        await pilot.press(*"Zawor nadal cieknie.")
        await press_settled(pilot, "escape")  # leave without sending
        assert isinstance(app.screen, CorrespondenceScreen)
        assert "Unsent drafts: 1" in text_of(app.screen.query_one("#drafts-notice"))
        assert table_rows(app.screen.query_one("#threads", DataTable))[0][0].startswith("✎ ")

        screen = await press_settled(pilot, "enter")
        assert screen.query_one("#reply", TextArea).text == "Zawor nadal cieknie."
        assert "restored" in text_of(screen.query_one("#reply-status"))
        await press_settled(pilot, "ctrl+s")
        messages = [text_of(m) for m in screen.query("MessageView")]
        assert messages[-1].startswith("You · ") and "Zawor nadal cieknie." in messages[-1]
        assert screen.query_one("#reply", TextArea).text == ""
        assert draft_files(tmp_path) == []


async def test_list_is_paged_like_the_api(fresh_server, tmp_path):
    app = make_app(fresh_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await login_as(app, "10002")
        for n in range(16):  # 1 seeded + 16 = 17 threads: two pages of 15
            await app.api.create_thread("other", f"Sprawa {n:02d}", "Treść.", idempotency_key=str(uuid.uuid4()))
        await app.action_open_section("correspondence")
        await settle(pilot)
        screen = app.screen
        assert len(table_rows(screen.query_one("#threads", DataTable))) == 15
        assert "Sprawy 1–15 z 17 · strona 1/2" in text_of(screen.query_one("#pager"))
        await press_settled(pilot, "right_square_bracket")
        rows = table_rows(screen.query_one("#threads", DataTable))
        assert len(rows) == 2 and rows[-1][0] == "Zwrot nadpłaty"
        assert "strona 2/2" in text_of(screen.query_one("#pager"))
        await press_settled(pilot, "left_square_bracket")
        assert "strona 1/2" in text_of(screen.query_one("#pager"))


# --- a draft survives a dead server and is sent exactly once ------------------------------------
async def test_draft_survives_server_outage_and_is_sent_once(held_port, tmp_path):
    """End to end with the server as a process: it stops, and starts again on the same address
    (a port held by the test for the whole test, so no other program can take it meanwhile)."""
    port = held_port
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'ebok.db'}"
    args = ("--seed-demo", "--today", "2026-11-15", "--port", str(port))
    subject, body = "Brak wody", "Od godziny nie ma wody w kranie."

    first = start_server_info(tmp_path / "run1", *args, db_url=db_url)
    try:
        app = make_app(first.url, tmp_path)
        async with logged_in(app, "10003", "correspondence") as pilot:
            screen = await open_composer(pilot)
            await fill(pilot, kind="failure_report", subject=subject, body=body, location="ul. Leśna 3")
            stop_server(first.proc)  # the server goes away

            await press_settled(pilot, "ctrl+s")
            assert app.screen is screen  # still composing
            status = text_of(screen.query_one("#form-status"))
            assert "Nie wysłano" in status and "szkic" in status
            assert screen.query_one("#subject", Input).value == subject
            assert screen.query_one("#body-text", TextArea).text == body
    finally:
        stop_server(first.proc)

    (path,) = draft_files(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (draft,) = json.loads(path.read_text(encoding="utf-8"))["drafts"]
    assert (draft["subject"], draft["body"], draft["location"]) == (subject, body, "ul. Leśna 3")
    key = draft["id"]

    second = start_server_info(tmp_path / "run2", *args, db_url=db_url)  # same port, same database
    try:
        assert second.url == first.url
        app = make_app(second.url, tmp_path)  # a new app instance, same drafts directory
        async with logged_in(app, "10003", "correspondence") as pilot:
            screen = app.screen
            assert "Niewysłane szkice: 1" in text_of(screen.query_one("#drafts-notice"))
            (row,) = table_rows(screen.query_one("#threads", DataTable))
            assert subject in row[0] and row[2] == "szkic"

            composer = await press_settled(pilot, "enter")
            assert isinstance(composer, ComposeScreen)
            assert composer.query_one("#subject", Input).value == subject
            assert composer.query_one("#body-text", TextArea).text == body
            await press_settled(pilot, "ctrl+s")

            assert isinstance(app.screen, CorrespondenceScreen)
            rows = table_rows(app.screen.query_one("#threads", DataTable))
            assert [r[0] for r in rows] == [subject] and rows[0][2] == "wysłana"
            assert draft_files(tmp_path) == []

            page = await app.api.threads()
            assert page.total == 1
            # the same key again (a retry after a lost reply): the same thread, no second one
            again = await app.api.create_thread(
                "failure_report", subject, body, None, "ul. Leśna 3", idempotency_key=key
            )
            again2 = await app.api.create_thread(
                "failure_report", subject, body, None, "ul. Leśna 3", idempotency_key=key
            )
            assert again.id == again2.id == page.items[0].id
            assert (await app.api.threads()).total == 1
    finally:
        stop_server(second.proc)


async def test_typing_right_before_quitting_is_kept(server, tmp_path):
    """ctrl+q within the 0.5 s debounce: the screen still writes the draft on its way out."""
    app = make_app(server, tmp_path)
    async with logged_in(app, "10003", "correspondence") as pilot:
        await open_composer(pilot)
        app.screen.query_one("#subject", Input).focus()
        await pilot.press(*"Pilne")
        await pilot.press("ctrl+q")
        await pilot.pause()
    (path,) = draft_files(tmp_path)
    (draft,) = json.loads(path.read_text(encoding="utf-8"))["drafts"]
    assert draft["subject"] == "Pilne"


# --- drafts are kept per server identity, not per address --------------------------------------
async def test_draft_survives_a_restart_of_the_demo_on_another_port(tmp_path):
    """``--demo`` starts a fresh demo server on a new port every time: the resident's unsent
    message must still be there (drafts are keyed by the server's identity, not its URL)."""
    from ebok_tui.core.demo import start_demo_server

    first = start_demo_server(today="2026-11-15")
    try:
        app = make_app(first.url, tmp_path)
        async with logged_in(app, "10003", "correspondence") as pilot:
            await open_composer(pilot)
            await fill(pilot, kind="other", subject="Niewysłane", body="Proszę o kontakt.")
            await press_settled(pilot, "escape")
            assert "Niewysłane szkice: 1" in text_of(app.screen.query_one("#drafts-notice"))
        with start_demo_server(today="2026-11-15") as second:  # started while the first runs: another port
            assert second.url != first.url
            first.stop()
            app = make_app(second.url, tmp_path)
            async with logged_in(app, "10003", "correspondence") as pilot:
                assert "Niewysłane szkice: 1" in text_of(app.screen.query_one("#drafts-notice"))
                (row,) = table_rows(app.screen.query_one("#threads", DataTable))
                assert "Niewysłane" in row[0] and row[2] == "szkic"
                await press_settled(pilot, "enter")
                assert app.screen.query_one("#body-text", TextArea).text == "Proszę o kontakt."
    finally:
        first.stop()
    (path,) = draft_files(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text(encoding="utf-8"))["server_id"] == "demo"


async def test_old_and_orphaned_drafts_are_offered_for_deletion_and_kept_without_consent(server_url, tmp_path):
    import datetime as dt

    from ebok_tui.core import drafts as drafts_mod
    from ebok_tui.core.drafts import DraftStore, new_draft
    from ebok_tui.ui.screens.correspondence.draft_dialogs import ConfirmDraftsModal

    root = tmp_path / "drafts"
    mine = DraftStore(root, server_id="demo", customer_number="10003")
    old = new_draft("other", "Zapomniany szkic", "dawno temu")
    mine.save(old)
    fresh = new_draft("other", "Bieżący szkic", "dziś")
    mine.save(fresh)
    stored = json.loads(mine.path.read_text(encoding="utf-8"))["drafts"]
    for d in stored:
        if d["id"] == old["id"]:
            d["updated_at"] = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=45)).isoformat()
    mine._write(stored)
    # a file the URL-keyed format wrote for a demo server on a port that is gone
    legacy = root / f"{drafts_mod._url_key('http://127.0.0.1:41234', '10001')}.json"
    legacy.write_text(
        json.dumps(
            {
                "version": 1,
                "server_url": "http://127.0.0.1:41234",
                "customer_number": "10001",
                "drafts": [new_draft("other", "Cudzy", "tekst")],
            }
        ),
        encoding="utf-8",
    )

    app = make_app(server_url, tmp_path)
    async with logged_in(app, "10003", "correspondence") as pilot:
        notice = text_of(app.screen.query_one("#orphans-notice"))
        assert "Stare szkice, których nikt już nie wyśle: 2" in notice and "x" in notice
        modal = await press_settled(pilot, "x")
        assert isinstance(modal, ConfirmDraftsModal)
        shown = text_of(modal.query_one("#dialog-list Static"))
        assert "Zapomniany szkic" in shown and "szkic innego konta lub serwera" in shown
        assert "Cudzy" not in shown and "Bieżący" not in shown  # another account's subject is not shown
        await press_settled(pilot, "enter")  # the focused button is "Zostaw"
        assert legacy.exists() and len(mine.load()) == 2

        await press_settled(pilot, "x")
        await pilot.click("#confirm-yes")
        await settle(pilot)
        assert not legacy.exists()
        assert [d["id"] for d in mine.load()] == [fresh["id"]]
        assert text_of(app.screen.query_one("#orphans-notice")) == "" or not app.screen.query_one(
            "#orphans-notice"
        ).has_class("-visible")


async def test_delete_a_draft_from_the_list_and_from_the_composer(server_url, tmp_path):
    from ebok_tui.ui.screens.correspondence.draft_dialogs import ConfirmDraftsModal
    from tests.tui_support import wait_until

    app = make_app(server_url, tmp_path, lang="en")
    async with logged_in(app, "10003", "correspondence") as pilot:
        await press_settled(pilot, "d")  # no draft on the cursor row: nothing to delete, nothing asked
        assert isinstance(app.screen, CorrespondenceScreen)

        await open_composer(pilot)
        await fill(pilot, kind="other", subject="Do kosza", body="Niepotrzebne.")
        await wait_until(pilot, lambda: bool(draft_files(tmp_path)))
        await press_settled(pilot, "ctrl+t")
        assert isinstance(app.screen, ConfirmDraftsModal)
        assert "Do kosza" in text_of(app.screen.query_one("#dialog-text"))
        await pilot.click("#confirm-yes")
        await settle(pilot)
        assert isinstance(app.screen, CorrespondenceScreen)
        assert draft_files(tmp_path) == []
        assert table_rows(app.screen.query_one("#threads", DataTable)) == []

        await open_composer(pilot)
        await fill(pilot, kind="other", subject="Z listy", body="Też niepotrzebne.")
        await press_settled(pilot, "escape")  # kept as a draft
        (row,) = table_rows(app.screen.query_one("#threads", DataTable))
        assert "Z listy" in row[0]
        await press_settled(pilot, "d")
        assert isinstance(app.screen, ConfirmDraftsModal)
        await press_settled(pilot, "escape")  # cancel: kept
        assert len(draft_files(tmp_path)) == 1
        await press_settled(pilot, "d")
        await pilot.click("#confirm-yes")
        await settle(pilot)
        assert draft_files(tmp_path) == []
        assert table_rows(app.screen.query_one("#threads", DataTable)) == []
        assert "Draft deleted." in [n.message for n in app._notifications]
