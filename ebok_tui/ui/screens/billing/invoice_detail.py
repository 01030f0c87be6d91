"""One invoice: facts, lines with totals, payments applied; ``s`` saves its PDF, ``p`` shows the
payment QR code and transfer details for what is still open on it, ``k`` the calculation behind its
lines (quantity × price, VAT, the tariff row: ``calculation.CalculationModal``). A KSeF invoice (to a
business or a housing community) shows its KSeF number, or OFFLINE while KSeF has not accepted it,
and ``q`` shows KSeF's verification QR code with the number (or OFFLINE) beneath it."""

from __future__ import annotations

import re
from functools import partial

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from ebok_tui.core.api import InvoiceDetail, ObjectId
from ebok_tui.ui.screens.base import SubScreen
from ebok_tui.ui.screens.billing.status import STATUS_STYLES
from ebok_tui.ui.sections import load_screen
from ebok_tui.ui.screens.billing.calculation import CalculationModal
from ebok_tui.ui.screens.billing.pay_dialogs import PayModal, QrModal
from ebok_tui.ui.widgets.pay_qr import link_qr, transfer_details, transfer_qr

#: what an invoice not yet accepted by KSeF shows in place of its number (KSeF's own label)
KSEF_OFFLINE = "OFFLINE"


def pdf_filename(number: str) -> str:
    """The server's file name for an invoice (``FV/2026/11/000123`` → ``FV_2026_11_000123.pdf``),
    reduced to characters that are safe in a file name everywhere."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", number.replace("/", "_")).strip("._") or "faktura"
    return f"{stem}.pdf"


class InvoiceDetailScreen(SubScreen):
    SECTION = "invoices"
    TITLE_KEY = "invoice_detail.title"

    BINDINGS = [
        Binding("s", "save_pdf", "invoice_detail.bind_save"),
        Binding("p", "pay", "invoice_detail.bind_pay"),
        Binding("k", "calculation", "invoice_detail.bind_calculation"),
        Binding("q", "ksef", "invoice_detail.bind_ksef"),
    ]

    DEFAULT_CSS = """
    InvoiceDetailScreen #detail { height: 1fr; }
    InvoiceDetailScreen #facts { height: auto; margin: 0 0 1 0; }
    InvoiceDetailScreen #ksef { height: auto; margin: 0 0 1 0; display: none; }
    InvoiceDetailScreen #ksef.-shown { display: block; }
    InvoiceDetailScreen #lines { height: auto; }
    InvoiceDetailScreen #payments { height: auto; margin: 1 0 0 0; }
    InvoiceDetailScreen #saved { height: auto; margin: 1 0 0 0; color: $success; display: none; }
    InvoiceDetailScreen #saved.-shown { display: block; }
    """

    def __init__(self, invoice_id: ObjectId) -> None:
        super().__init__()
        self.invoice_id = invoice_id
        self.invoice: InvoiceDetail | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(id="facts")
            yield Static(id="ksef")
            yield Static(id="lines")
            yield Static(id="payments")
            yield Static(id="saved")

    def on_mount(self) -> None:
        self.query_one("#detail").focus()

    async def load(self) -> None:
        invoice = await self.api.invoice(self.invoice_id)
        self.invoice = invoice
        self.query_one("#facts", Static).update(self.build_facts(invoice))
        ksef = self.query_one("#ksef", Static)
        ksef.update(self.build_ksef(invoice))
        ksef.set_class(invoice.ksef is not None, "-shown")
        self.query_one("#lines", Static).update(self.build_lines(invoice))
        self.query_one("#payments", Static).update(self.build_payments(invoice))
        self.refresh_bindings()
        self.call_after_refresh(self.query_one("#detail").focus)

    # --- rendering -----------------------------------------------------------------------------
    def build_facts(self, inv: InvoiceDetail) -> Table:
        t, i18n = self.t, self.i18n
        status_key = f"invoices.status_full.{inv.status}"
        status = Text(i18n.label(status_key, inv.status), style=STATUS_STYLES.get(inv.status, ""))
        period = f"{i18n.date(inv.period_from)}–{i18n.date(inv.period_to)}"
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(no_wrap=True, min_width=22)
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_row(t("invoice_detail.number"), Text(inv.number, style="bold"), t("invoice_detail.status"), status)
        grid.add_row(
            t("invoice_detail.issue_date"),
            i18n.date(inv.issue_date),
            t("invoice_detail.due_date"),
            i18n.date(inv.due_date),
        )
        grid.add_row(
            t("invoice_detail.period"),
            period,
            t("invoice_detail.efaktura"),
            t("app.yes") if inv.efaktura else t("app.no"),
        )
        grid.add_row(
            t("invoice_detail.paid"),
            i18n.money(inv.paid),
            t("invoice_detail.outstanding"),
            Text(i18n.money(inv.outstanding), style="bold"),
        )
        return grid

    def build_ksef(self, inv: InvoiceDetail) -> Text:
        """``KSeF  <number>`` (or OFFLINE and why), and the key for the verification code."""
        if inv.ksef is None:
            return Text()
        t = self.t
        text = Text.assemble((t("invoice_detail.ksef"), "dim"), "  ")
        if inv.ksef.accepted:
            text.append(inv.ksef.number or "", style="bold")
        else:
            text.append(KSEF_OFFLINE, style="bold yellow")
            text.append(f" — {t('invoice_detail.ksef_offline')}", style="dim")
        return text

    def build_lines(self, inv: InvoiceDetail) -> Table:
        t, i18n = self.t, self.i18n
        table = Table(
            box=box.SIMPLE_HEAD,
            show_footer=True,
            expand=True,
            padding=(0, 1),
            pad_edge=False,
            collapse_padding=True,
            show_edge=False,
            header_style="bold",
            footer_style="bold",
        )
        table.add_column(t("invoice_detail.col.description"), t("invoice_detail.total"), ratio=1, overflow="fold")
        table.add_column(t("invoice_detail.col.quantity"), justify="right", no_wrap=True)
        table.add_column(t("invoice_detail.col.unit_price"), justify="right", no_wrap=True)
        table.add_column(t("invoice_detail.col.net"), i18n.money(inv.net_total), justify="right", no_wrap=True)
        table.add_column(t("invoice_detail.col.vat_rate"), justify="right", no_wrap=True)
        table.add_column(t("invoice_detail.col.vat"), i18n.money(inv.vat_total), justify="right", no_wrap=True)
        table.add_column(t("invoice_detail.col.gross"), i18n.money(inv.gross_total), justify="right", no_wrap=True)
        for line in inv.lines:
            unit_key = f"invoice_detail.unit.{line.unit}"
            unit = i18n.label(unit_key, line.unit)
            quantity = (
                i18n.decimal(line.quantity, 3) if line.unit == "m3" else i18n.decimal(line.quantity.normalize(), 0)
            )
            table.add_row(  # Text, not str, for the server's words: never parsed as markup
                Text(line.description),
                Text(f"{quantity} {unit}"),
                i18n.money(line.unit_price_net),
                i18n.money(line.net),
                f"{line.vat_rate}%",
                i18n.money(line.vat),
                i18n.money(line.gross),
            )
        return table

    def build_payments(self, inv: InvoiceDetail) -> Group | Text:
        t, i18n = self.t, self.i18n
        title = Text(t("invoice_detail.payments"), style="bold")
        if not inv.payments:
            return Group(title, Text(t("invoice_detail.no_payments"), style="dim"))
        table = Table(box=None, show_header=False, padding=(0, 2), pad_edge=False)
        table.add_column()
        table.add_column(justify="right")
        table.add_column()
        table.add_column(overflow="ellipsis", no_wrap=True)
        for pay in inv.payments:
            method_key = f"invoices.method.{pay.method}"
            table.add_row(
                i18n.date(pay.date),
                i18n.money(pay.amount),
                Text(i18n.label(method_key, pay.method)),
                Text(pay.reference or t("app.none")),
            )
        return Group(title, table)

    # --- actions -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pay":
            return self.invoice is not None and self.invoice.transfer is not None
        if action == "calculation":
            return self.invoice is not None and bool(self.invoice.lines)
        if action == "ksef":
            return self.invoice is not None and self.invoice.ksef is not None
        return True

    def action_calculation(self) -> None:
        if self.invoice is not None and self.invoice.lines:
            self.app.push_screen(CalculationModal(self.invoice))

    def action_ksef(self) -> None:
        if self.invoice is None or self.invoice.ksef is None:
            return
        ksef = self.invoice.ksef
        lines, problem = link_qr(self.ebok.terminal, ksef.url)
        label = ksef.number if ksef.accepted and ksef.number else KSEF_OFFLINE
        caption = f"{label} · {self.t('invoice_detail.ksef_close')}"
        if problem:  # no code to scan: the link itself
            caption = f"{self.t(problem)}\n{ksef.url}\n{caption}"
        self.app.push_screen(QrModal(lines or [], caption))

    def action_pay(self) -> None:
        if self.invoice is None or self.invoice.transfer is None:
            return
        tr = self.invoice.transfer
        if tr.amount <= 0:
            self.notify(self.t("invoice_detail.nothing_to_pay", number=self.invoice.number), markup=False)
            return
        lines, problem = transfer_qr(self.ebok.terminal, tr, tr.amount)
        details = transfer_details(self.t, self.i18n.money, tr, tr.amount)
        caption = self.t(problem) if problem else self.t("invoice_detail.pay_scan")
        self.app.push_screen(PayModal(lines, details, caption))

    def action_save_pdf(self) -> None:
        if self.invoice is None:
            return
        self.app.push_screen(
            load_screen("save_pdf")(partial(self.api.invoice_pdf, self.invoice.id), pdf_filename(self.invoice.number)),
            callback=self._pdf_saved,
        )

    def _pdf_saved(self, path: str | None) -> None:
        if not path:
            return
        message = self.t("invoice_detail.saved", path=path)
        saved = self.query_one("#saved", Static)
        saved.update(Text(message))  # the path as typed, never markup
        saved.add_class("-shown")
        self.query_one("#detail").scroll_end(animate=False)
        self.notify(message, timeout=6, markup=False)
