"""Komunikaty (notices): the failures and planned interruptions of supply that concern the
resident's supply addresses (the server matches them), those in force first, and the emergency
number. Opened from the balance screen (``n``); every notice is rendered as plain text (it is
written by staff: never markup).
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ebok_tui.core.api import Notices
from ebok_tui.ui.screens.base import SubScreen
from ebok_tui.ui.widgets.notices import emergency_line, notice_lines


class NoticesScreen(SubScreen):
    SECTION = "balance"

    DEFAULT_CSS = """
    NoticesScreen #notices { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.notices: Notices | None = None
        self._list = Static(id="notices-list")  # kept: a reply may arrive while the app shuts down

    @property
    def screen_title(self) -> str:
        return self.t("notices.title")

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="notices"):
            yield self._list

    async def load(self) -> None:
        notices = await self.api.notices()
        self.notices = notices
        parts: list[Text] = [emergency_line(notices, self.t), Text("")]
        if not notices.items:
            parts.append(Text(self.t("notices.none"), style="dim"))
        for index, notice in enumerate(notices.items):
            if index:
                parts.append(Text(""))
            parts.extend(notice_lines(notice, self.t, self.i18n))
        self._list.update(Group(*parts))
