"""Textual's command palette in the app's language: its placeholder, its "no matches" line and
its key descriptions come from the catalogues (``[textual]`` in help.toml). Textual 8.2.8 (pinned)
hard-codes "No matches found" in ``_start_no_matches_countdown``; the override below is that
method with the catalogue's words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.align import Align
from rich.text import Text
from textual.binding import ActiveBinding
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from ebok_tui.ui.bindings import translate_active

if TYPE_CHECKING:
    from ebok_tui.core.i18n import I18n


class EbokCommandPalette(CommandPalette):
    def __init__(self, i18n: I18n) -> None:
        super().__init__(placeholder=i18n.t("textual.palette_placeholder"), id="--command-palette")
        self.i18n = i18n

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translate_active(super().active_bindings, self.i18n)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(self.i18n.t("textual.no_matches"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
