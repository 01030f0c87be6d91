"""Komunikaty (notices): the failures and planned interruptions of supply that concern the
resident's supply addresses (the server matches them), those in force first, and the emergency
number. Opened from the balance screen (``n``); every notice is rendered as plain text (it is
written by staff: never markup).
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from ebok_tui.ui.screens.base import TextScreen
from ebok_tui.ui.widgets.notices import emergency_line, notice_lines


class NoticesScreen(TextScreen):
    SECTION = "balance"
    TITLE_KEY = "notices.title"
    SCROLL_ID = "notices"

    async def load(self) -> None:
        notices = await self.api.notices()
        parts: list[Text] = [emergency_line(notices, self.t), Text("")]
        if not notices.items:
            parts.append(Text(self.t("notices.none"), style="dim"))
        for index, notice in enumerate(notices.items):
            if index:
                parts.append(Text(""))
            parts.extend(notice_lines(notice, self.t, self.i18n))
        self.show(Group(*parts))
