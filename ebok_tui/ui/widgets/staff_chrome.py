"""The chrome of the staff side: the top bar naming the member of staff, the staff navigation bar
(only the sections their role may open), and the banner every act-for screen shows — who is being
served and why, impossible to miss."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from ebok_tui.ui.widgets.chrome import section_keys, spread

if TYPE_CHECKING:
    from ebok_tui.ui.app import EbokApp


class StaffTopBar(Static):
    """One line: app name, "staff" and the section on the left, the member of staff on the right."""

    DEFAULT_CSS = """
    StaffTopBar { height: 1; background: $secondary; color: $text; padding: 0 1; }
    """

    def __init__(self, section_title: str = "") -> None:
        super().__init__()
        self.section_title = section_title

    def render(self) -> Text:
        app: EbokApp = self.app  # type: ignore[assignment]
        t = app.i18n.t
        left = Text(t("app.title"), style="bold")
        left.append(f" · {t('staff.mode')}", style="bold")
        if self.section_title:
            left.append(f" · {self.section_title}")
        right = Text()
        if app.demo:
            right.append(f"{t('app.demo')}  ", style="bold reverse")
        me = app.staff.me
        if me is not None:
            right.append(t("staff.who", name=me.full_name, role=t(f"staff.role_{me.role}")))
        return spread(left, right, max(self.size.width - 2, 0))


class StaffNavBar(Static):
    """The staff sections the role may open, with their keys; the current one highlighted."""

    DEFAULT_CSS = """
    StaffNavBar { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current

    def render(self) -> Text:
        app: EbokApp = self.app  # type: ignore[assignment]
        return section_keys(app.staff_sections(), self.current, app.i18n.t)


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
