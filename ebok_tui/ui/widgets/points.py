"""Choosing a service point (punkt poboru, issue 12 feature 1): one dialog and one mixin shared by
the invoices, readings and contract screens and the self-reading.

A customer with several points presses ``k`` to pick one point or every point; the choice shows in
the screen's top bar (``Faktury · Budynek A``) and is remembered per customer number across runs
(``Session.choose_point``; the file is written off the event loop). A customer with one point sees neither the
key nor the name: nothing changes for them. The points come with ``/me`` at login, so opening a
screen still costs one request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ebok_tui.ui.widgets.chrome import TopBar

if TYPE_CHECKING:
    from ebok_tui.core.api import ServicePoint

#: The dialog's answer for "every point" (a point answers itself; Esc answers None).
ALL = "*"

#: The key that opens the dialog, in each screen's BINDINGS (hidden for a one-point customer).
POINT_BINDING = Binding("k", "pick_point", "points.bind_pick")


class PointPickerModal(ModalScreen["ServicePoint | str | None"]):
    """Every point or one of them (label, address, code); Enter chooses, Esc keeps the choice."""

    BINDINGS = [Binding("escape", "cancel", "bind.cancel")]

    DEFAULT_CSS = """
    PointPickerModal { align: center middle; }
    PointPickerModal > Vertical {
        width: 70; height: auto; max-height: 20; border: thick $primary; background: $surface; padding: 0 1;
    }
    PointPickerModal #point-title { text-style: bold; margin: 0 0 1 0; }
    PointPickerModal OptionList { height: auto; max-height: 14; }
    PointPickerModal #point-hint { color: $text-muted; height: auto; margin: 1 0 0 0; }
    """

    def __init__(self, points: list[ServicePoint], current: ServicePoint | None, *, pick_one: bool = False) -> None:
        """``pick_one``: one point must be chosen (a self-reading), "every point" is not offered."""
        super().__init__()
        self.points = points
        self.current = current
        self.pick_one = pick_one

    def compose(self) -> ComposeResult:
        t = self.app.i18n.t  # type: ignore[attr-defined]
        options = [] if self.pick_one else [Option(Text(t("points.all"), style="bold"), id=ALL)]
        for p in self.points:  # server data: Text, never markup
            prompt = Text.assemble((p.label, "bold"), " · ", p.address, " · ", (p.code, "dim"))
            options.append(Option(prompt, id=p.code))
        with Vertical():
            yield Static(t("points.title"), id="point-title")
            yield OptionList(*options, id="point-options")
            yield Static(t("points.hint"), id="point-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        first = 0 if self.pick_one else 1
        options.highlighted = 0 if self.current is None else first + self.points.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = event.option.id
        self.dismiss(next((p for p in self.points if p.code == chosen), ALL))

    def action_cancel(self) -> None:
        self.dismiss(None)


class PointChoice:
    """Mixed into a screen (before its ChromeScreen base): ``self.point`` is the chosen point (None:
    every point), ``self.points`` the customer's points. Call :meth:`load_points` at the start of
    ``load`` and pass :attr:`point_code` to the API. The section screens get it with the picker's
    key from ``screens.point_section.PointSectionScreen``."""

    points: list[ServicePoint] = []
    point: ServicePoint | None = None

    async def load_points(self) -> None:
        """The customer's points and their remembered choice (no request for a resident)."""
        session = self.session  # type: ignore[attr-defined]
        self.points = await session.service_points()
        self.point = session.chosen_point(self.points)
        self.show_point()

    @property
    def point_code(self) -> str | None:
        return self.point.code if self.point is not None else None

    @property
    def several_points(self) -> bool:
        return len(self.points) > 1

    def point_title(self, title: str) -> str:
        """``title`` with the chosen point's name (or "every point") for a customer with several."""
        if not self.several_points:
            return title
        t = self.t  # type: ignore[attr-defined]
        return f"{title} · {self.point.label if self.point is not None else t('points.all_short')}"

    def show_point(self) -> None:
        """Name the chosen point in the top bar; offer the key only with several points."""
        screen: Any = self
        title = screen.section_title if hasattr(screen, "section_title") else ""
        for top in screen.query(TopBar):
            top.section_title = title
            top.refresh()
        screen.refresh_bindings()

    def check_point_action(self, action: str) -> bool | None:
        """``check_action``'s answer for the picker (None: not the picker's action)."""
        return self.several_points if action == "pick_point" else None

    def action_pick_point(self) -> None:
        if self.several_points:
            screen: Any = self
            screen.app.push_screen(PointPickerModal(self.points, self.point), callback=self._point_picked)

    def _point_picked(self, answer: ServicePoint | str | None) -> None:
        if answer is None:
            return
        self.point = None if answer == ALL else answer  # type: ignore[assignment]
        screen: Any = self
        screen.session.choose_point(self.point)
        self.show_point()
        screen.run_worker(self._save_point_choice(), group="point-choice", exit_on_error=False)
        self.point_changed()

    async def _save_point_choice(self) -> None:
        screen: Any = self
        try:
            await screen.session.save_point_choices()
        except OSError:  # the choice holds for this run; say it is not kept
            screen.notify(screen.t("points.not_saved"), severity="warning", timeout=8)

    def point_changed(self) -> None:
        """The resident chose another point: show its data (default: load again)."""
        screen: Any = self
        screen.action_reload()
