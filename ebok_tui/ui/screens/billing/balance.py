"""Saldo (balance): what is owed or overpaid, the next due payment, the transfer details and a
payment QR code in the Polish banks' 2D transfer-code format (see ``ebok_tui.core.payqr``).

A failure or interruption of supply in force at the resident's address is shown above the figures
(``n`` opens every notice: ``notices.notices``; ``w`` the water quality and the year's figures:
``water.water``). Above them, after login, "since your last visit": new invoices, replies and
notices, a self-reading still to give, meter legalisations ending soon, until the resident closes it
(``x``; it stays closed until the next login; staff acting for a customer never see it). The notices,
the summary and the unread count of the navigation bar come in the balance's own reply (one round
trip for the section).

At 80x24 the QR code (version 4 for the reference server's data: 41x21 cells with its 4-module
quiet zone) sits to the right of the details; when the window is too small for it (or a longer
title makes the code bigger), ``q`` opens it full-screen in a dialog.
"""

from __future__ import annotations


from decimal import Decimal

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.widgets import Static

from ebok_tui.core.api import Balance, Notices, SinceLastVisit
from ebok_tui.core.payqr import PaymentQRError, normalize_account
from ebok_tui.ui import clipboard
from ebok_tui.ui.screens.base import SectionScreen
from ebok_tui.ui.sections import load_screen
from ebok_tui.ui.widgets.chrome import ErrorBanner, ServerStatus
from ebok_tui.ui.screens.billing.pay_dialogs import QrModal
from ebok_tui.ui.widgets.notices import emergency_line, notice_lines
from ebok_tui.ui.widgets.pay_qr import qr_text, transfer_details, transfer_qr

#: The details column needs this many cells next to the code.
DETAILS_MIN_WIDTH = 36


class BalanceScreen(SectionScreen):
    SECTION = "balance"

    BINDINGS = [
        Binding("c", "copy_account", "balance.bind_copy"),
        Binding("t", "copy_title", "balance.bind_copy_title", show=False),
        Binding("q", "show_qr", "balance.bind_qr"),
        Binding("n", "notices", "balance.bind_notices"),
        Binding("w", "water", "balance.bind_water"),
        # not in the footer (no room at 80 columns): the panel itself says "x"
        Binding("x", "dismiss_news", "balance.bind_dismiss_news", show=False),
    ]

    DEFAULT_CSS = """
    BalanceScreen #balance-columns { height: 1fr; }
    BalanceScreen #balance-details { width: 1fr; min-width: 36; height: 1fr; }
    BalanceScreen #balance-notices { height: auto; margin: 0 0 1 0; display: none; }
    BalanceScreen #balance-notices.-shown { display: block; }
    BalanceScreen #balance-news { height: auto; margin: 0 0 1 0; padding: 0 1; display: none;
                                  border-left: thick $accent; }
    BalanceScreen #balance-news.-shown { display: block; }
    BalanceScreen #balance-summary { height: auto; }
    BalanceScreen #transfer-details { height: auto; margin: 1 0 0 0; }
    BalanceScreen #balance-hint { height: auto; margin: 1 0 0 0; }
    BalanceScreen #qr-panel { width: auto; height: auto; margin: 0 0 0 1; }
    BalanceScreen #qr-panel.-hidden { display: none; }
    BalanceScreen #qr { width: auto; height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.balance: Balance | None = None
        self.notices: Notices | None = None
        self.qr_lines: list[str] | None = None
        self.qr_problem: str | None = None
        # kept, not queried: a reply arriving while the app shuts down must not find them gone
        self._news_widget = Static(id="balance-news")
        self._notices_widget = Static(id="balance-notices")
        self._summary_widget = Static(id="balance-summary")
        self._transfer_widget = Static(id="transfer-details")
        self._hint_widget = Static(id="balance-hint", classes="muted")
        self._qr_widget = Static(id="qr")
        self._qr_panel = Vertical(id="qr-panel", classes="-hidden")

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="balance-columns"):
            with VerticalScroll(id="balance-details"):
                yield self._news_widget
                yield self._notices_widget
                yield self._summary_widget
                yield self._transfer_widget
                yield self._hint_widget
            with self._qr_panel:
                yield self._qr_widget

    async def load(self) -> None:
        balance = await self.api.balance()
        self.ebok.unread_threads = balance.unread_threads
        self.show_balance(balance)
        self.show_news(balance.since_last_visit)
        if balance.notices_in_force is not None:
            self.show_notices(balance.notices_in_force)

    def news_shown(self) -> bool:
        return self._news_widget.has_class("-shown")

    def show_news(self, news: SinceLastVisit | None) -> None:
        """The "since your last visit" panel (not to staff acting for the customer, not once closed)."""
        shown = news is not None and not news.is_empty and not self.ebok.news_dismissed and self.ebok.acting is None
        if shown:
            self._news_widget.update(Group(*self._news_lines(news)))
        self._news_widget.set_class(shown, "-shown")
        self.refresh_bindings()

    def _news_lines(self, news: SinceLastVisit) -> list[Text]:
        t, i18n = self.t, self.i18n
        title = (
            t("balance.news_title", since=i18n.date(news.since.astimezone().date()))
            if news.since
            else t("balance.news_title_first")
        )
        lines = [Text(title, style="bold")]

        def item(text: str, style: str = "") -> None:
            lines.append(Text.assemble("• ", (text, style)))

        if len(news.new_invoices) == 1:
            item(t("balance.news_invoice", number=news.new_invoices[0].number))
        elif news.new_invoices:
            item(t("balance.news_invoices", count=len(news.new_invoices)))
        if len(news.new_replies) == 1:
            item(t("balance.news_reply", subject=news.new_replies[0].subject), "bold")
        elif news.new_replies:
            item(t("balance.news_replies", count=len(news.new_replies)), "bold")
        if news.new_notices:
            item(t("balance.news_notices", count=news.new_notices))
        if news.reading_window_until is not None:
            item(t("balance.news_reading", date=i18n.date(news.reading_window_until)))
        for meter in news.legalisation_expiring:
            item(
                t("balance.news_legalisation", meter=meter.number, date=i18n.date(meter.legalisation_valid_until)),
                "bold",
            )
        lines.append(Text(t("balance.news_dismiss"), style="italic"))
        return lines

    def action_dismiss_news(self) -> None:
        self.ebok.news_dismissed = True
        self._news_widget.remove_class("-shown")
        self.refresh_bindings()
        self.call_after_refresh(self.fit_qr)

    def show_notices(self, notices: Notices) -> None:
        self.notices = notices
        active = notices.active
        if active:
            lines: list[Text] = []
            for notice in active:
                lines.extend(notice_lines(notice, self.t, self.i18n))
            lines.append(emergency_line(notices, self.t))
            self._notices_widget.update(Group(*lines))
        self._notices_widget.set_class(bool(active), "-shown")

    # --- rendering -------------------------------------------------------------------------------
    def show_balance(self, balance: Balance) -> None:
        self.balance = balance
        self.qr_lines, self.qr_problem = self._qr_for(balance)
        self._summary_widget.update(self._summary(balance))
        self._transfer_widget.update(self._transfer(balance))
        self._qr_widget.update(qr_text(self.qr_lines) if self.qr_lines else "")
        self.refresh_bindings()
        self.call_after_refresh(self.fit_qr)

    def _qr_for(self, balance: Balance) -> tuple[list[str] | None, str | None]:
        lines, problem = transfer_qr(self.ebok.terminal, balance, balance.to_pay)
        return lines, self.t(problem) if problem else None

    def _summary(self, b: Balance) -> Group:
        money = self.i18n.money
        if b.to_pay > 0:
            headline = Text.assemble(
                (f" {self.t('balance.state_to_pay')} ", "bold reverse red"), "  ", (money(b.to_pay), "bold")
            )
        elif b.overpayment > 0:
            headline = Text.assemble(
                (f" {self.t('balance.state_overpaid')} ", "bold reverse green"),
                "  ",
                (money(b.overpayment), "bold"),
            )
        else:
            headline = Text.assemble((f" {self.t('balance.state_settled')} ", "bold reverse green"))
        rows: list[tuple[str, str, str]] = [  # label, value, style
            (self.t("balance.balance"), money(b.balance), "bold"),
            (self.t("balance.to_pay"), money(b.to_pay), ""),
            (self.t("balance.overdue"), money(b.overdue), "bold red" if b.overdue > 0 else ""),
        ]
        if b.overdue_since is not None:
            # when everything is overdue there is no next due date: this says since when instead
            rows.append((self.t("balance.overdue_since"), self.i18n.date(b.overdue_since), "bold red"))
        rows.append((self.t("balance.overpayment"), money(b.overpayment), ""))
        if b.next_due_date is not None:
            rows.append((self.t("balance.next_due_date"), self.i18n.date(b.next_due_date), ""))
            rows.append((self.t("balance.next_due_amount"), money(b.next_due_amount or 0), ""))
        elif b.to_pay <= 0:
            rows.append((self.t("balance.next_due_date"), self.t("balance.nothing_due"), ""))
        label_width = max(len(label) for label, _, _ in rows)
        value_width = max(len(value) for _, value, _ in rows)
        grid = Text()
        for index, (label, value, style) in enumerate(rows):
            if index:
                grid.append("\n")
            grid.append(label.ljust(label_width), style=style)
            grid.append(" ")
            # an overdue amount stands out even without colours
            grid.append(value.rjust(value_width), style=f"{style} reverse" if "red" in style else style)
        as_of = Text(self.t("balance.as_of", date=self.i18n.date(b.as_of)), style="dim")
        if len(b.points) < 2:  # one point: the totals are its figures
            return Group(headline, Text(""), grid, as_of)
        return Group(headline, Text(""), grid, as_of, Text(""), self._points(b))

    def _points(self, b: Balance) -> Table:
        """Each service point's part of the totals: to pay and, of which, overdue (amounts without
        the currency, which the first header names, to fit beside the QR code; they are never cut,
        a long label is, with an ellipsis)."""

        def money(grosze: int) -> str:
            return self.i18n.decimal(Decimal(grosze) / 100, places=2)

        width = max(len(money(n)) for p in b.points for n in (p.to_pay, p.overdue))
        table = Table(box=None, padding=(0, 0, 0, 1), show_edge=False, pad_edge=False, expand=False)
        table.add_column(self.t("balance.point"), no_wrap=True, overflow="ellipsis", ratio=1, header_style="bold")
        for key in ("balance.point_to_pay", "balance.point_overdue"):
            table.add_column(self.t(key), justify="right", no_wrap=True, min_width=width, header_style="bold")
        for p in b.points:
            late = "bold red reverse" if p.overdue > 0 else ""  # stands out even without colours
            table.add_row(p.label, money(p.to_pay), Text(money(p.overdue), style=late, justify="right"))
        return table

    def _transfer(self, b: Balance) -> Group:
        return transfer_details(self.t, self.i18n.money, b, b.to_pay)

    # --- the QR code -----------------------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        self.call_after_refresh(self.fit_qr)

    def qr_fits(self) -> bool:
        """Whether the code fits beside the details in the body (computed from the screen size,
        which is known before the body's first layout)."""
        if not self.qr_lines:
            return False
        banners = list(self.query(ErrorBanner)) + list(self.query(ServerStatus))
        if len(banners) < 2:
            return False
        banner_height = sum(max(b.outer_size.height, 1) for b in banners if b.has_class("-visible"))
        chrome = 3  # top bar, navigation, footer
        body_height = self.size.height - chrome - banner_height
        body_width = self.size.width - 2  # body padding
        height, width = len(self.qr_lines), len(self.qr_lines[0])
        return body_height >= height and body_width >= width + 1 + DETAILS_MIN_WIDTH

    def fit_qr(self) -> None:
        if not self.is_attached:
            return
        fits = self.qr_fits()
        self._qr_panel.set_class(not fits, "-hidden")
        hint = self._hint_widget
        if self.qr_lines is None:
            hint.update(self.qr_problem or "")
        elif fits:
            hint.update(self.t("balance.qr_hint_scan"))
        else:
            hint.update(self.t("balance.qr_hint_key"))

    def on_server_status_changed(self, event: ServerStatus.Changed) -> None:
        self.call_after_refresh(self.fit_qr)

    def show_error(self, message: str) -> None:
        super().show_error(message)
        self.call_after_refresh(self.fit_qr)

    def clear_error(self) -> None:
        super().clear_error()
        self.call_after_refresh(self.fit_qr)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dismiss_news":
            return self.news_shown()
        if action == "show_qr":
            return self.qr_lines is not None
        if action in ("copy_account", "copy_title"):
            return self.balance is not None
        return True

    def action_show_qr(self) -> None:
        if self.qr_lines is None or self.balance is None:
            return
        b = self.balance
        caption = self.t("balance.qr_caption", amount=self.i18n.money(b.to_pay), recipient=b.recipient_name)
        self.app.push_screen(QrModal(self.qr_lines, caption))

    def action_notices(self) -> None:
        self.app.push_screen(load_screen("notices")())

    def action_water(self) -> None:
        self.app.push_screen(load_screen("water")())

    # --- clipboard -------------------------------------------------------------------------------
    def action_copy_account(self) -> None:
        if self.balance is None:
            return
        try:
            digits = normalize_account(self.balance.bank_account)
        except PaymentQRError:
            digits = self.balance.bank_account
        said = clipboard.copy(self.ebok, digits)
        self.notify(said, title=self.t("clipboard.title"), markup=False, timeout=10)

    def action_copy_title(self) -> None:
        if self.balance is None:
            return
        said = clipboard.copy(self.ebok, self.balance.transfer_title)
        self.notify(said, title=self.t("clipboard.title"), markup=False, timeout=10)
