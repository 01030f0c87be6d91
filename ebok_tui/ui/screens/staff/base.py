"""What every staff-shell screen shares: the staff top bar (who is logged in), the navigation bar
of the sections the role may open, body, server line, error banner and footer; data loads in
``load`` through :class:`~ebok_tui.ui.screens.base.ApiMixin` as on the resident side (a 401 sends
the member of staff back to the staff login). And what the forms staff fill for the customer they
serve share (:class:`ActingForm`), and the sections that list rows in a table share
(:class:`StaffTableScreen`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from rich.text import Text
from textual.widgets import RadioSet

from ebok_tui.ui.screens.base import ChromeScreen, SubScreen
from ebok_tui.ui.staff_sections import STAFF_SECTIONS
from ebok_tui.ui.widgets.list_table import ListTable
from ebok_tui.ui.widgets.paged_table import Column, cell, column_table
from ebok_tui.ui.widgets.staff_chrome import StaffNavBar, StaffTopBar

if TYPE_CHECKING:
    from ebok_tui.core.staff_session import StaffSession

# The staff navigation keys (a section the role may not open does nothing: app.open_staff_section).
STAFF_SECTION_BINDINGS = [
    Binding(s.key, f"app.open_staff_section('{s.id}')", s.label_key, show=False) for s in STAFF_SECTIONS
]


def pressed_choice(choices: RadioSet, values: tuple[str, ...]) -> str:
    """The value of the pressed button of ``choices`` (a set whose buttons have the ids
    ``{id-prefix}-{value}``, as the staff forms build them), or the first of ``values`` when none is."""
    pressed = choices.pressed_button
    return pressed.id.split("-", 1)[1] if pressed is not None and pressed.id else values[0]


class StaffScreen(ChromeScreen):
    """A section of the staff shell (``SECTION`` = its id in ``ebok_tui.ui.staff_sections``): the
    resident chrome's body, server line, error banner, footer and loading, under the staff bars."""

    BINDINGS = [Binding("r", "reload", "bind.reload"), *STAFF_SECTION_BINDINGS]

    @property
    def staff(self) -> StaffSession:
        """The member of staff's session (who, what they may do, the customer being served)."""
        return self.ebok.staff

    @property
    def heading(self) -> str:
        return self.t(f"nav.staff_{self.SECTION}") if self.SECTION else ""

    def compose_bars(self) -> ComposeResult:
        yield StaffTopBar(self.heading)
        yield StaffNavBar(self.SECTION or None)


class StaffTableScreen(StaffScreen):
    """A staff section around one table: ``COLUMNS`` in the table with the id ``TABLE``, each
    headed by the catalogue key ``HEADINGS`` + its key; the table (or what ``FIRST_FOCUS`` selects)
    has the focus when the section is shown."""

    TABLE: ClassVar[str]
    HEADINGS: ClassVar[str]
    COLUMNS: ClassVar[tuple[Column, ...]]
    FIRST_FOCUS: ClassVar[str | None] = None

    @property
    def table(self) -> ListTable:
        return self.query_one(f"#{self.TABLE}", ListTable)

    def compose_table(self) -> ListTable:
        return column_table(self.TABLE, self.COLUMNS, lambda key: self.t(self.HEADINGS + key))

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(self.FIRST_FOCUS or f"#{self.TABLE}").focus()

    def show_rows(self, rows: Iterable[tuple[str, Mapping[str, str | Text]]]) -> None:
        """The table shows ``rows`` (the row's key, its values by column key), nothing else."""
        table = self.table
        table.clear()
        for key, values in rows:
            table.add_row(*[cell(values[c.key], c) for c in self.COLUMNS], key=key)


class ActingForm(SubScreen):
    """A form a member of staff fills for the customer being served, opened from a resident screen
    in act-for mode: nothing to load, ``ctrl+s`` sends (``action_send``; ``ACTING`` names the
    permission it needs), labelled one-line rows with an error line under a field (the subclass
    sets the label width and the error lines' indent to match). ``TITLE_KEY`` (as every
    :class:`SubScreen`) is the catalogue key of its title; :meth:`submit` sends it."""

    LOAD_ON_MOUNT = False
    _sending = False  # a request is on its way, or was done: the form sends nothing more
    BINDINGS = [Binding("ctrl+s", "send", "bind.submit", priority=True)]

    DEFAULT_CSS = """
    ActingForm #intro { height: auto; margin: 0 0 1 0; }
    ActingForm .row { height: 1; }
    ActingForm .row Input { width: 1fr; }
    ActingForm .field-error { display: none; }
    ActingForm .field-error.-shown { display: block; }
    """

    def may_send(self) -> bool:
        """Nothing sent yet (or the last attempt failed) and the access has the permission."""
        return not self._sending and self.acting_allows("send")

    def submit(self, call: Callable[[], Awaitable[object]], done: str) -> None:
        """Send the form with ``call`` in the screen's worker; once it is done, say ``done`` (a
        catalogue key) and close the form with True. A failed attempt may be sent again."""
        self.clear_error()
        self._sending = True
        self.run_api(lambda: self._submit(call, done), group="send")

    async def _submit(self, call: Callable[[], Awaitable[object]], done: str) -> None:
        try:
            await call()
        except BaseException:
            self._sending = False
            raise
        self.notify(self.t(done), timeout=6)
        self.finish(True)
