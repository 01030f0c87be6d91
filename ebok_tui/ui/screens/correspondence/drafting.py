"""Debounced draft autosave, shared by the composer (new message) and the thread's reply box.

Every change is saved ``SAVE_DELAY`` seconds after the last keystroke — the file is read,
written and fsynced in a thread (a worker in group ``draft-save``), never on the event loop —,
once more right before sending (the screen calls ``save_draft()``) and when the screen goes away
by any route (back, quit, 401 → login). Saves are applied in the order they were made: a
background save overtaken by a newer one is skipped (tests wait for the ``draft-save`` workers). The draft's id is the POST's ``Idempotency-Key``; the draft is discarded only
after the server answered 201 (``discard_sent_draft()``). Sending goes through ``post_draft()``, which
says in the status line why the server refused (the screen explains some refusals itself).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from ebok_tui.core.api import ApiError, Unauthorized
from ebok_tui.core.drafts import DraftSaveError, DraftStore

SAVE_DELAY = 0.5

V = TypeVar("V")  # what the screen's draft fields hold: the form's values, or the reply text
R = TypeVar("R")  # what the server answers to the sent draft


class DraftAutosave(Generic[V]):
    """Mix into a screen (before the Textual base) that has ``draft``, ``ebok``, ``i18n`` and a
    ``Static`` with id ``STATUS_ID`` for status lines, and implements the three ``draft_*`` hooks.

    ``_saved`` is what was last written (or restored); ``_latest`` what the widgets held at the
    last change, used on unmount when the widgets may already be gone."""

    STATUS_ID: str = ""  # the Static (styled by its -error / -info class) that set_status fills
    SEND_FAILED_KEY: str = ""  # the status when the server refused the draft (``reason``)

    draft: dict[str, Any] | None
    _saved: V
    _latest: V | None = None
    _timer: Timer | None = None
    _sent = False  # the server accepted the draft: nothing more is saved
    _sending = False  # the draft is on its way to the server (set by the screen, cleared by post_draft)
    _store: DraftStore | None = None
    _made = 0  # saves prepared so far; a write whose number is no longer the last one is stale
    _write_lock: threading.Lock | None = None

    def set_status(self, message: str, *, error: bool) -> None:
        status = self.query_one(f"#{self.STATUS_ID}", Static)  # type: ignore[attr-defined]
        status.update(Text(message))
        status.set_class(error, "-error")
        status.set_class(not error, "-info")

    # --- hooks ---------------------------------------------------------------------------------
    def draft_values(self) -> V:
        """The draft fields as the widgets show them now."""
        raise NotImplementedError

    def draft_blank(self, values: V) -> bool:
        """Nothing worth keeping: the draft is discarded instead of saved."""
        raise NotImplementedError

    def draft_update(self, values: V) -> dict[str, Any]:
        """Create ``self.draft`` from ``values`` or update it, and return it (the caller stores it)."""
        raise NotImplementedError

    # --- autosave ------------------------------------------------------------------------------
    @property
    def draft_store(self) -> DraftStore | None:
        """The logged-in customer's drafts, kept once taken: quitting or a 401 ends the session
        before this screen unmounts, and what was typed must still reach the customer's file."""
        if self._store is None:
            self._store = self.session.drafts  # type: ignore[attr-defined]
        return self._store

    def draft_changed(self, values: V) -> None:
        """Remember the values and (re)start the debounce timer."""
        self._latest = values
        _ = self.draft_store  # taken now, while the session is on
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SAVE_DELAY, self._autosave)  # type: ignore[attr-defined]

    def _prepare(self, store: DraftStore, values: V) -> tuple[int, Callable[[], None]]:
        """On the event loop: update ``self.draft`` for ``values`` and return the numbered write."""
        job: Callable[[], None]
        if self.draft_blank(values):
            draft_id = self.draft["id"] if self.draft is not None else None
            self.draft = None
            job = partial(store.discard, draft_id) if draft_id is not None else (lambda: None)
        else:
            job = partial(store.save, dict(self.draft_update(values)))
        self._made += 1
        if self._write_lock is None:
            self._write_lock = threading.Lock()
        return self._made, job

    def _write(self, number: int, job: Callable[[], None]) -> bool:
        """Run a prepared write unless a newer one was prepared meanwhile (any thread)."""
        assert self._write_lock is not None  # made by _prepare, on the event loop
        with self._write_lock:
            if number != self._made:
                return False  # overtaken: the newer save has the newer values
            job()
            return True

    def _save_failed(self) -> None:
        if self.is_attached:  # type: ignore[attr-defined]
            self.set_status(self.t("drafts.save_failed"), error=True)  # type: ignore[attr-defined]

    def _autosave(self) -> None:
        """The debounce timer fired: write the widgets' values from a thread."""
        self._timer = None
        store = self.draft_store
        if self._sent or store is None:
            return
        values = self.draft_values()
        if values == self._saved:
            return
        number, job = self._prepare(store, values)
        self.run_worker(  # type: ignore[attr-defined]
            partial(self._write_in_thread, number, job, values), group="draft-save", exclusive=False
        )

    async def _write_in_thread(self, number: int, job: Callable[[], None], values: V) -> None:
        try:
            written = await asyncio.to_thread(self._write, number, job)
        except DraftSaveError:
            self._save_failed()
            return
        if written:
            self._saved = values

    def save_draft(self, values: V | None = None) -> bool:
        """Write the widgets (or ``values``) to the draft store now, on the caller's thread (before
        sending, going back, unmounting). False if it could not be saved."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._sent:
            return True
        store = self.draft_store
        if store is None:
            return False
        if values is None:
            values = self.draft_values()
        if values == self._saved:
            return True
        number, job = self._prepare(store, values)
        try:
            self._write(number, job)
        except DraftSaveError:
            self._save_failed()
            return False
        self._saved = values
        if self.is_attached:  # type: ignore[attr-defined]
            self.refresh_bindings()  # type: ignore[attr-defined]  # e.g. "delete draft" now applies
        return True

    def on_unmount(self) -> None:
        """Leaving by any way (quit, 401 → login): write what was typed since the last save.
        The widgets may already be gone, so the values recorded at the last change are used."""
        if not self._sent and self._latest is not None:
            try:
                self.save_draft(self._latest)
            except Exception:  # never let leaving the screen fail
                pass

    def delete_draft_now(self) -> bool:
        """The resident deleted this draft: remove it from the store now, in order with the
        autosaves (one still in a thread is overtaken and skipped). False (and said) if the disk
        refused."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        store = self.draft_store
        if store is None or self.draft is None:
            return True
        draft_id = self.draft["id"]
        self._made += 1
        if self._write_lock is None:
            self._write_lock = threading.Lock()
        try:
            self._write(self._made, partial(store.discard, draft_id))
        except DraftSaveError:
            if self.is_attached:  # type: ignore[attr-defined]
                self.set_status(self.t("drafts.delete_failed"), error=True)  # type: ignore[attr-defined]
            return False
        self.draft = None
        return True

    async def post_draft(self, post: Callable[[], Awaitable[R]]) -> R | None:
        """The server's answer to ``post`` (sending the draft), or None when it refused: then the
        status line says why (:meth:`send_refused`, else ``SEND_FAILED_KEY``) and the draft stays
        on disk. 401 passes on (run_api sends the resident to the login screen)."""
        try:
            return await post()
        except Unauthorized:
            raise
        except ApiError as error:
            if not await self.send_refused(error):
                reason = self.error_message(error)  # type: ignore[attr-defined]
                self.set_status(self.t(self.SEND_FAILED_KEY, reason=reason), error=True)  # type: ignore[attr-defined]
            return None
        finally:
            self._sending = False

    async def send_refused(self, error: ApiError) -> bool:
        """True when the screen has explained this refusal itself (e.g. the server's field messages)."""
        return False

    def discard_sent_draft(self) -> None:
        """After the server's 201: the draft has become a message."""
        store = self.draft_store
        if store is not None and self.draft is not None:
            try:
                store.discard(self.draft["id"])
            except DraftSaveError:
                pass  # the message exists; a stale draft would only be resent idempotently
