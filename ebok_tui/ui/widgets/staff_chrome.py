"""The chrome of the staff side: the top bar naming the member of staff, the staff navigation bar
(only the sections their role may open), and the banner every act-for screen shows — who is being
served and why, impossible to miss."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from ebok_tui.ui.widgets.chrome import NavBar, TopBar

if TYPE_CHECKING:
    from ebok_tui.ui.app import EbokApp
    from ebok_tui.ui.staff_sections import StaffSection


class StaffTopBar(TopBar):
    """The top bar with "staff" after the app's name and the member of staff on the right."""

    DEFAULT_CSS = """
    StaffTopBar { background: $secondary; }
    """

    def modes(self, t: Callable[..., str]) -> list[str]:
        return [t("staff.mode")]

    def who(self, app: EbokApp, t: Callable[..., str]) -> Text:
        me = app.staff.me
        if me is None:
            return Text()
        return Text(t("staff.who", name=me.full_name, role=t(f"staff.role_{me.role}")))


class StaffNavBar(NavBar):
    """The staff sections the role may open, with their keys; the current one highlighted."""

    def sections(self, app: EbokApp) -> Iterable[StaffSection]:
        return app.staff_sections()


class ActingBanner(Static):
    """On every act-for screen: "Obsługujesz: 10001 Jan Kowalski — rozmowa telefoniczna", and the
    key that closes the customer."""

    DEFAULT_CSS = """
    ActingBanner { height: 1; background: $warning; color: $text; text-style: bold; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.update(self._line())

    def on_resize(self) -> None:
        self.update(self._line())

    def _line(self) -> Text:
        app: EbokApp = self.app  # type: ignore[assignment]
        access = app.acting
        if access is None:
            return Text()
        t = app.i18n.t
        reason = t(f"staff.reason_{access.reason}")
        if access.reason == "other" and access.reason_text:
            reason = access.reason_text
        c = access.customer
        left = Text(t("staff.serving", number=c.customer_number, name=c.full_name, reason=reason))
        right = Text(t("staff.close_hint"))
        width = max(self.size.width - 2, 0)
        gap = width - left.cell_len - right.cell_len
        if gap < 1:
            left.truncate(width, overflow="ellipsis")
            return left
        return Text.assemble(left, " " * gap, right)
