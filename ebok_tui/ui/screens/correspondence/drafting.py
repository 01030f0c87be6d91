"""Debounced draft autosave, shared by the composer (new message) and the thread's reply box.

Every change is saved ``SAVE_DELAY`` seconds after the last keystroke, once more right before
sending (the screen calls ``save_draft()``) and when the screen goes away by any route (back, quit,
401 → login). The draft's id is the POST's ``Idempotency-Key``; the draft is discarded only after
the server answered 201 (``discard_sent_draft()``).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from ebok_tui.core.drafts import DraftSaveError
from ebok_tui.ui.screens.correspondence.common import customer_drafts

SAVE_DELAY = 0.5

V = TypeVar("V")  # what the screen's draft fields hold: the form's values, or the reply text


class DraftAutosave(Generic[V]):
    """Mix into a screen (before the Textual base) that has ``draft``, ``ebok``, ``i18n`` and a
    ``Static`` with id ``STATUS_ID`` for status lines, and implements the three ``draft_*`` hooks.

    ``_saved`` is what was last written (or restored); ``_latest`` what the widgets held at the
    last change, used on unmount when the widgets may already be gone."""

    STATUS_ID: str = ""  # the Static (styled by its -error / -info class) that set_status fills

    draft: dict[str, Any] | None
    _saved: V
    _latest: V | None = None
    _timer: Timer | None = None
    _sent = False  # the server accepted the draft: nothing more is saved

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
    def draft_changed(self, values: V) -> None:
        """Remember the values and (re)start the debounce timer."""
        self._latest = values
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SAVE_DELAY, self.save_draft)  # type: ignore[attr-defined]

    def save_draft(self, values: V | None = None) -> bool:
        """Write the widgets (or ``values``) to the draft store now. False if it could not be saved."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._sent:
            return True
        store = customer_drafts(self.ebok)  # type: ignore[attr-defined]
        if store is None:
            return False
        if values is None:
            values = self.draft_values()
        if values == self._saved:
            return True
        try:
            if self.draft_blank(values):
                if self.draft is not None:
                    store.discard(self.draft["id"])
                    self.draft = None
            else:
                store.save(self.draft_update(values))
        except DraftSaveError as error:
            if self.is_attached:  # type: ignore[attr-defined]
                self.set_status(error.message(self.i18n.lang), error=True)
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

    def discard_sent_draft(self) -> None:
        """After the server's 201: the draft has become a message."""
        store = customer_drafts(self.ebok)  # type: ignore[attr-defined]
        if store is not None and self.draft is not None:
            try:
                store.discard(self.draft["id"])
            except DraftSaveError:
                pass  # the message exists; a stale draft would only be resent idempotently
