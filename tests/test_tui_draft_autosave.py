"""The composer's autosave writes the drafts file from a thread, never on the event loop, and the
result is the newest text. No server is needed: nothing here sends anything (the client points at
a closed port and is never called)."""

from __future__ import annotations

import asyncio
import json
import threading

from textual.widgets import Input

from ebok_tui.core.api import EbokClient, Me
from ebok_tui.core.drafts import DraftStore
from ebok_tui.ui.app import EbokApp
from ebok_tui.ui.screens.correspondence.compose import ComposeScreen

ME = Me(customer_number="10001", full_name="Jan Kowalski", address="ul. Wodna 1", efaktura_active=False)


async def test_autosave_runs_in_a_thread_and_keeps_the_newest_text(tmp_path, monkeypatch):
    on_loop: list[bool] = []
    saved = asyncio.Event()
    loop = asyncio.get_running_loop()
    real_save = DraftStore.save

    def recording_save(self: DraftStore, draft: dict) -> None:
        on_loop.append(threading.current_thread() is threading.main_thread())
        real_save(self, draft)
        if draft.get("subject") == "Awaria":  # under load a pause mid-word saves a part first
            loop.call_soon_threadsafe(saved.set)

    monkeypatch.setattr(DraftStore, "save", recording_save)
    app = EbokApp(EbokClient("http://127.0.0.1:9"), demo=False, drafts=DraftStore(tmp_path / "drafts"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.session.start(ME)
        await app.push_screen(ComposeScreen())
        await pilot.pause()
        app.screen.query_one("#subject", Input).focus()
        await pilot.press(*"Awaria")
        await asyncio.wait_for(saved.wait(), timeout=30)  # the debounce timer fired, the thread wrote
        await app.workers.wait_for_complete()
        assert on_loop and not any(on_loop)
        (path,) = (tmp_path / "drafts").glob("*.json")
        (draft,) = json.loads(path.read_text(encoding="utf-8"))["drafts"]
        assert draft["subject"] == "Awaria"
