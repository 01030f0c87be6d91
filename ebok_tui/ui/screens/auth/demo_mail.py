"""Poczta demo (demo mailbox): the mail the demo server "sent" — registration, password reset,
whatever it sends — so those can be completed inside the app. Demo mode only (``GET /demo/mail``).

Opened with ctrl+o from any screen of a demo (the login screen shows the key), Esc goes back to
where the resident was, with everything typed there still in place. The list is newest first; the
highlighted mail is shown in full below it. Nothing here knows what a mail says.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ebok_tui.core.api import DemoMail
from ebok_tui.ui.screens.api_mixin import ApiMixin
from ebok_tui.ui.widgets.chrome import ErrorBanner, KeyFooter, TopBar


class DemoMailScreen(ApiMixin, Screen):
    BINDINGS = [
        Binding("escape", "back", "bind.back"),
        Binding("r", "reload", "bind.reload"),
    ]

    DEFAULT_CSS = """
    DemoMailScreen #mail-body { height: 1fr; padding: 0 1; }
    DemoMailScreen #mail-intro { height: auto; color: $text-muted; }
    DemoMailScreen #mail-list { height: 7; border: round $accent; }
    DemoMailScreen #mail-view { height: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.mails: list[DemoMail] = []

    def compose(self) -> ComposeResult:
        yield TopBar(self.t("demo_mail.title"))
        with Vertical(id="mail-body"):
            yield Static(self.t("demo_mail.intro"), id="mail-intro")
            yield OptionList(id="mail-list")
            with VerticalScroll(id="mail-view"):
                yield Static(id="mail-text")
        yield ErrorBanner()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = self.t("demo_mail.title")
        self.action_reload()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self.run_api(self._load, target=self.query_one("#mail-body"), group="load")

    async def _load(self) -> None:
        self.mails = (await self.api.demo_mail()).items
        i18n = self.i18n
        listing = self.query_one("#mail-list", OptionList)
        listing.clear_options()
        listing.add_options(
            [
                Option(
                    Text.assemble((i18n.datetime(m.date) if m.date else "—", "dim"), " ", m.to, " · ", m.subject),
                    id=m.id,
                )
                for m in self.mails
            ]
        )
        if self.mails:
            listing.highlighted = 0
            listing.focus()
        self._show(0 if self.mails else None)

    @on(OptionList.OptionHighlighted, "#mail-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_index)

    def _show(self, index: int | None) -> None:
        view = self.query_one("#mail-text", Static)
        if index is None or not 0 <= index < len(self.mails):
            view.update(self.t("demo_mail.empty"))
            return
        mail = self.mails[index]
        t = self.t
        text = Text()  # plain text: a mail may contain anything, never markup
        for label, value in (
            (t("demo_mail.from"), mail.sender),
            (t("demo_mail.to"), mail.to),
            (t("demo_mail.subject"), mail.subject),
            (t("demo_mail.date"), self.i18n.datetime(mail.date) if mail.date else "—"),
        ):
            text.append(f"{label}: ", style="bold")
            text.append(f"{value}\n")
        text.append("\n")
        text.append(mail.body)
        view.update(text)
        self.query_one("#mail-view", VerticalScroll).scroll_home(animate=False)
