"""What every eBOK screen shares: top bar, section navigation, error banner, footer, and one way
to call the API (loading indicator while in flight, errors shown in the UI, 401 → login: the
:class:`~ebok_tui.ui.screens.api_mixin.ApiMixin` each base here mixes in).

A section screen subclasses :class:`SectionScreen`, sets ``SECTION`` to its id from
``ebok_tui.ui.sections``, yields its widgets from ``compose_body`` and fetches its data in ``load``::

    class ContractScreen(SectionScreen):
        SECTION = "contract"

        def compose_body(self) -> ComposeResult:
            yield Static(id="contract")

        async def load(self) -> None:
            contract = await self.api.contract()
            self.query_one("#contract", Static).update(...)

``load`` runs in a worker on mount (unless ``LOAD_ON_MOUNT`` is False) and on ``r``. Textual
calls ``on_mount`` of every class in the MRO, so a subclass's own ``on_mount`` (run first) must
not call ``super().on_mount()``, or the data loads twice; any :class:`ApiError` it raises is
shown in the error banner (``Unauthorized`` sends the resident back to the login screen). Actions that send
something use ``self.run_api(coroutine_function, target=widget)`` the same way, and may override
``on_api_error`` to show field-level messages instead of the banner.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from ebok_tui.ui.screens.api_mixin import ApiMixin
from ebok_tui.ui.sections import SECTIONS
from ebok_tui.ui.widgets.chrome import ErrorBanner, KeyFooter, NavBar, ServerStatus, TopBar
from ebok_tui.ui.widgets.staff_chrome import ActingBanner


# The keys of the navigation bar, on every logged-in screen (a focused input still gets its digits).
SECTION_BINDINGS = [Binding(s.key, f"app.open_section('{s.id}')", s.label_key, show=False) for s in SECTIONS]


class ChromeScreen(ApiMixin, Screen):
    """A logged-in screen: top bar, navigation, body, error banner, footer; loads on mount (the
    staff shell's screens are ChromeScreens with the staff bars: ``screens/staff/base.py``)."""

    SECTION: ClassVar[str] = ""
    #: False for a screen whose data the app already holds: it fills itself in on mount, and
    #: ``load`` runs only on ``r``.
    LOAD_ON_MOUNT: ClassVar[bool] = True

    DEFAULT_CSS = """
    ChromeScreen #body { height: 1fr; padding: 0 1; }
    """

    @property
    def heading(self) -> str:
        """What the top bar says after the app name."""
        return ""

    def compose(self) -> ComposeResult:
        yield from self.compose_bars()
        with Vertical(id="body"):
            yield from self.compose_body()
        yield ServerStatus()
        yield ErrorBanner()
        yield KeyFooter()

    def compose_bars(self) -> ComposeResult:
        """The bars above the body: who is logged in and the navigation (the resident's here)."""
        yield TopBar(self.heading)
        yield NavBar(self.SECTION or None)
        if self.ebok.acting is not None:  # staff serving a customer: who, and why, on every screen
            yield ActingBanner()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.title = self.heading
        if self.LOAD_ON_MOUNT:
            self.action_reload()

    def action_reload(self) -> None:
        self.run_api(self.load, group="load")

    async def load(self) -> None:
        """Fetch this screen's data and fill the widgets. Raise ApiError freely."""


class SectionScreen(ChromeScreen):
    """A section of the navigation bar."""

    BINDINGS = [Binding("r", "reload", "bind.reload"), *SECTION_BINDINGS]

    @property
    def section_title(self) -> str:
        return self.t(f"nav.{self.SECTION}") if self.SECTION else ""

    @property
    def heading(self) -> str:
        return self.section_title


class SubScreen(ChromeScreen):
    """A pushed screen inside a section (a detail view, a form): Esc goes back. ``TITLE_KEY`` is
    its title's catalogue key (or it overrides :attr:`screen_title`)."""

    TITLE_KEY: ClassVar[str] = ""

    BINDINGS = [
        Binding("escape", "back", "bind.back"),
        Binding("r", "reload", "bind.reload", show=False),
        *SECTION_BINDINGS,
    ]

    @property
    def screen_title(self) -> str:
        return self.t(self.TITLE_KEY) if self.TITLE_KEY else ""

    @property
    def heading(self) -> str:
        return self.screen_title

    def action_back(self) -> None:
        self.dismiss(None)


class TextScreen(SubScreen):
    """A sub-screen whose body is one rendered text in a vertical scroll that fills it (the tariff,
    the notices, water and the year): ``SCROLL_ID`` is the scroll's id (the text's is
    ``<SCROLL_ID>-body``); ``load`` puts what it renders there with :meth:`show`."""

    SCROLL_ID: ClassVar[str] = ""

    DEFAULT_CSS = """
    TextScreen .text-scroll { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._text = Static(id=f"{self.SCROLL_ID}-body")  # kept: a reply may arrive while the app shuts down

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id=self.SCROLL_ID, classes="text-scroll"):
            yield self._text

    def show(self, text: Any) -> None:
        """Show ``text`` (anything Rich renders) as the screen's body."""
        self._text.update(text)


def dialog_css(name: str, width: int) -> str:
    """The style of a form dialog (``name``: its class): centred, its ``Vertical`` box ``width``
    cells wide and at most 22 lines high in a thick border, its ``#title`` bold above a blank line,
    its buttons two cells apart."""
    return f"""
    {name} {{ align: center middle; }}
    {name} > Vertical {{
        width: {width}; height: auto; max-height: 22; border: thick $primary; background: $surface;
        padding: 0 1;
    }}
    {name} #title {{ text-style: bold; margin: 0 0 1 0; }}
    {name} Button {{ margin: 0 0 0 2; }}
    """


class BaseModal(ApiMixin, ModalScreen):
    """A dialog over the current screen; Esc cancels; Left/Right move between its buttons (a
    focused input keeps Left/Right for its cursor)."""

    BINDINGS = [
        Binding("escape", "cancel", "bind.cancel"),
        Binding("left", "focus_button(-1)", show=False),
        Binding("right", "focus_button(1)", show=False),
    ]

    def action_focus_button(self, step: int) -> None:
        buttons = [b for b in self.query(Button) if b.display and b.focusable]
        if self.focused in buttons:
            index = buttons.index(self.focused) + step  # type: ignore[arg-type]
            if 0 <= index < len(buttons):
                buttons[index].focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
