"""Key help (F1 or ``?`` anywhere): the keys that work on the current screen right now, with what
they do, in the app's language. Built from the screen's own bindings (``active_bindings``: the
screen's, the focused widget's and the app's), so every screen, the staff ones included, has
its help without writing any."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ebok_tui.core.i18n import I18n
from ebok_tui.ui.bindings import TEXTUAL_DESCRIPTIONS, describe
from ebok_tui.ui.screens.base import BaseModal


def key_rows(screen: Screen, i18n: I18n) -> list[tuple[str, str]]:
    """(key, what it does) for ``screen``: every binding shown in the footer, and the hidden ones
    the app describes in its catalogues (the section keys 1-7, Home/End...); one row per action."""
    app = screen.app
    rows: list[tuple[str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    # Textual's own property: the bindings as declared (eBOK screens report them worded already)
    for entry in Screen.active_bindings.fget(screen).values():  # type: ignore[attr-defined]
        binding = entry.binding
        description = binding.description
        if not description or not entry.enabled:
            continue
        ours = i18n.has(description) or description in TEXTUAL_DESCRIPTIONS
        if not (binding.show or ours):
            continue
        text = describe(description, i18n)
        key = app.get_key_display(binding)
        where = (binding.action, text)
        if where in seen:  # F1 and ? for the same thing: one row, both keys
            index = seen[where]
            rows[index] = (f"{rows[index][0]}, {key}", text)
            continue
        seen[where] = len(rows)
        rows.append((key, text))
    return rows


class HelpScreen(BaseModal):
    BINDINGS = [
        Binding("f1", "cancel", "help.close", show=False),
        Binding("question_mark", "cancel", "help.close", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help-dialog { width: 72; max-width: 100%; height: auto; max-height: 100%;
                              background: $panel; border: solid $primary; padding: 0 1; }
    HelpScreen #help-keys { height: auto; }
    """

    @classmethod
    def for_screen(cls, screen: Screen, i18n: I18n) -> HelpScreen:
        return cls(screen.title or i18n.t("help.this_screen"), key_rows(screen, i18n))

    def __init__(self, title: str, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.heading = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog") as dialog:
            dialog.border_title = self.t("help.title", screen=self.heading)
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold", no_wrap=True)
            table.add_column()
            for key, text in self.rows:
                table.add_row(Text(key), Text(text))
            yield Static(Text(self.t("help.intro")), classes="muted")
            yield Static(table, id="help-keys")
