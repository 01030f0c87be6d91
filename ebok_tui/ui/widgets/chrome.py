"""The chrome around every logged-in screen: top bar, section navigation bar, error banner, the
line saying the server does not answer, and the footer with the keys."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from rich.text import Text
from textual.message import Message
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from ebok_tui.ui.sections import SECTIONS

if TYPE_CHECKING:
    from textual.screen import Screen

    from ebok_tui.ui.app import EbokApp


class _Section(Protocol):
    """What a navigation bar shows of a section (resident and staff sections alike)."""

    @property
    def id(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def label_key(self) -> str: ...


def spread(left: Text, right: Text, width: int) -> Text:
    """``left`` and ``right`` on one line of ``width`` cells, ``right`` cut with an ellipsis when
    both do not fit."""
    gap = width - left.cell_len - right.cell_len
    if gap < 1:
        right.truncate(max(width - left.cell_len - 1, 0), overflow="ellipsis")
        gap = max(width - left.cell_len - right.cell_len, 1)
    return Text.assemble(left, " " * gap, right)


def section_keys(
    sections: Iterable[_Section],
    current: str | None,
    t: Callable[..., str],
    counts: dict[str, int] | None = None,
) -> Text:
    """A navigation bar's line: each section's key and label, one space apart, the current one
    highlighted; a section with a count (``counts``, e.g. unread threads) shows it right after its
    label as ``●N`` (at most 99: three cells, so the resident's seven sections still fit 78 columns)."""
    text = Text()
    for index, section in enumerate(sections):
        if index:
            text.append(" ")
        label = t(section.label_key)
        if section.id == current:
            text.append(f"{section.key} {label}", style="bold reverse")
        else:
            text.append(section.key, style="bold underline")
            text.append(f" {label}")
        count = min((counts or {}).get(section.id, 0), 99)
        if count > 0:  # right after the label, so that it is not read as the next section's key
            text.append(f"●{count}", style="bold reverse" if section.id == current else "bold")
    return text


class TopBar(Static):
    """One line: app name and section on the left, who is logged in on the right."""

    DEFAULT_CSS = """
    TopBar { height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def __init__(self, section_title: str = "") -> None:
        super().__init__()
        self.section_title = section_title

    def modes(self, t: Callable[..., str]) -> list[str]:
        """What stands between the app's name and the section (the staff bar says "staff")."""
        return []

    def who(self, app: EbokApp, t: Callable[..., str]) -> Text:
        """The right-hand side: the customer logged in."""
        me = app.session.me
        if me is None:
            return Text()
        return Text(t("app.customer", number=me.customer_number) + (f" · {me.full_name}" if me.full_name else ""))

    def render(self) -> Text:
        app: EbokApp = self.app  # type: ignore[assignment]
        t = app.i18n.t
        left = Text(t("app.title"), style="bold")
        for mode in self.modes(t):
            left.append(f" · {mode}", style="bold")
        if self.section_title:
            left.append(f" · {self.section_title}")
        right = Text()
        if app.demo:
            right.append(f"{t('app.demo')}  ", style="bold reverse")
        right.append_text(self.who(app, t))
        return spread(left, right, max(self.size.width - 2, 0))


class NavBar(Static):
    """The section list with the key that opens each; the current one highlighted."""

    DEFAULT_CSS = """
    NavBar { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current

    def on_mount(self) -> None:
        self.watch(self.app, "unread_threads", lambda _: self.refresh(), init=False)

    def sections(self, app: EbokApp) -> Iterable[_Section]:
        # Staff acting for a customer see only the sections offered to them (app.section_available).
        return [s for s in SECTIONS if app.section_available(s.id)]

    def render(self) -> Text:
        # One space between items: seven sections and the unread count ("●99" at most) must fit 78
        # columns in every language.
        app: EbokApp = self.app  # type: ignore[assignment]
        return section_keys(self.sections(app), self.current, app.i18n.t, {"correspondence": app.unread_threads})


class ErrorBanner(Static):
    """Shows the last error of this screen until the next successful call."""

    DEFAULT_CSS = """
    ErrorBanner { display: none; height: auto; max-height: 4; padding: 0 1;
                  background: $error 20%; color: $text; border-left: thick $error; }
    ErrorBanner.-visible { display: block; }
    """

    def show(self, message: str) -> None:
        self.update(Text(message))  # the text may quote what the resident or the server wrote
        self.add_class("-visible")

    def clear(self) -> None:
        self.update("")
        self.remove_class("-visible")


class ServerStatus(Static):
    """The app's ``server_problem`` (the server does not answer: its address, and that the app
    keeps trying), on every screen while it lasts; hidden otherwise."""

    DEFAULT_CSS = """
    ServerStatus { display: none; height: auto; padding: 0 1;
                   background: $warning 25%; color: $text; border-left: thick $warning; }
    ServerStatus.-visible { display: block; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "server_problem", self._show, init=True)

    def _show(self, problem: str | None) -> None:
        self.update(Text(problem or ""))
        self.set_class(bool(problem), "-visible")
        self.post_message(ServerStatus.Changed())

    class Changed(Message):
        """Shown or hidden (screens that fit their layout to the free lines listen)."""


class KeyFooter(Footer):
    """Textual's footer, built again only when the keys it shows change.

    Textual's ``Footer`` rebuilds itself (a new ``FooterKey`` widget per key, each styled twice)
    after every ``bindings_updated`` signal of its screen: a new screen signals while it mounts,
    and again with every focus change (the form's first field, the table once its rows came), so
    a section opened five rebuilds, most of them of the same keys, about 40 % of the processor
    time of a section switch (bench/bench_client.py, issue 11). Here signals that come before the
    queued rebuild has run share it, a rebuild that would show the same keys is skipped, and so is
    one of a screen no longer shown (the screen a section switch replaces clears its focus)."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple | None = None  # what the last compose showed
        self._rebuild_queued = False

    @staticmethod
    def _keys(screen: Screen) -> tuple:
        """What the footer shows: the keys shown, and the command palette's (shown by the footer
        itself). A hidden key that comes and goes with the focus (the login's Enter in the customer
        number) changes nothing here."""
        palette = screen.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, binding.description, binding.action, binding.group, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == palette
        )

    def compose(self):
        if self._bindings_ready:
            self._shown = self._keys(self.screen)
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # A FooterKey starts compact and is then bound to the footer's (not compact): its
                # class, and with it its styles, changed twice per key. It starts as the footer is.
                # (The command palette's key is not bound: it stays compact.)
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_queued:
            self._rebuild_queued = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_queued = False
        if not self.is_attached or not self.screen.is_current:
            return  # a screen being replaced (its focus cleared): shown again, it signals again
        if self._keys(self.screen) != self._shown:
            await self.recompose()
