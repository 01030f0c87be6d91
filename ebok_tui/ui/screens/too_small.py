"""Shown over everything while the terminal is smaller than 80x24: the current and the needed
size, and how to quit. The app puts it up and takes it down as the window is resized."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static


class TooSmallScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $surface; }
    TooSmallScreen #too-small { width: 100%; height: auto; text-align: center; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def on_mount(self) -> None:
        self._say()

    def on_resize(self, event: events.Resize) -> None:
        self._say()

    def _say(self) -> None:
        app = self.app
        need_w, need_h = app.MIN_SIZE  # type: ignore[attr-defined]
        text = app.i18n.t(  # type: ignore[attr-defined]
            "app.too_small", width=app.size.width, height=app.size.height, need_width=need_w, need_height=need_h
        )
        self.query_one("#too-small", Static).update(text)
