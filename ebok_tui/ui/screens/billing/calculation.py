"""The calculation behind an invoice line (``k`` on the invoice detail): quantity × net unit price =
net, the VAT at its rate, net + VAT = gross, and the tariff row that priced it with its validity
period. ↑/↓ move to the invoice's other lines."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from ebok_tui.core.api import InvoiceDetail, InvoiceLine
from ebok_tui.ui.screens.base import BaseModal
from ebok_tui.ui.widgets.tariff import component_label, unit_label, validity


class CalculationModal(BaseModal):
    BINDINGS = [
        Binding("up", "line(-1)", "calculation.bind_prev", key_display="↑"),
        Binding("down", "line(1)", "calculation.bind_next", key_display="↓"),
        Binding("q", "cancel", "balance.bind_qr_close"),
    ]

    DEFAULT_CSS = """
    CalculationModal { align: center middle; }
    CalculationModal #calc-dialog { width: 72; max-width: 100%; height: auto; max-height: 100%;
                                    background: $panel; padding: 0 1; border: round $primary; }
    CalculationModal #calc-body { height: auto; }
    CalculationModal #calc-caption { height: auto; margin: 1 0 0 0; }
    """

    def __init__(self, invoice: InvoiceDetail, index: int = 0) -> None:
        super().__init__()
        self.invoice = invoice
        self.index = max(0, min(index, len(invoice.lines) - 1))

    def compose(self) -> ComposeResult:
        with Vertical(id="calc-dialog"):
            yield Static(id="calc-body")
            yield Static(self.t("calculation.caption"), id="calc-caption", classes="muted")

    def on_mount(self) -> None:
        self._show()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "line":
            step = parameters[0] if parameters else 1
            return 0 <= self.index + int(step) < len(self.invoice.lines)  # type: ignore[call-overload]
        return True

    def action_line(self, step: int) -> None:
        if 0 <= self.index + step < len(self.invoice.lines):
            self.index += step
            self._show()
            self.refresh_bindings()

    def _show(self) -> None:
        self.query_one("#calc-body", Static).update(self.line_table(self.invoice.lines[self.index]))

    def line_table(self, line: InvoiceLine) -> Group:
        t, i18n = self.t, self.i18n
        money = i18n.money
        unit = unit_label(i18n, line.unit)
        quantity = i18n.decimal(line.quantity, 3) if line.unit == "m3" else i18n.decimal(line.quantity.normalize(), 0)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row(t("calculation.line"), Text(line.description))  # server text: never markup
        grid.add_row(
            t("calculation.net"),
            f"{quantity} {unit} × {money(line.unit_price_net)} = {money(line.net)}",
        )
        grid.add_row(
            t("calculation.vat", rate=line.vat_rate), f"{money(line.net)} × {line.vat_rate}% = {money(line.vat)}"
        )
        grid.add_row(
            t("calculation.gross"), Text(f"{money(line.net)} + {money(line.vat)} = {money(line.gross)}", style="bold")
        )
        tariff = line.tariff
        if tariff is None:
            grid.add_row(t("calculation.tariff"), Text(t("calculation.no_tariff"), style="dim"))
        else:
            grid.add_row(
                t("calculation.tariff"),
                Text(
                    t(
                        "calculation.tariff_row",
                        group=tariff.tariff_group,
                        component=component_label(i18n, tariff.component),
                    )
                ),
            )
            grid.add_row(t("calculation.valid"), validity(i18n, tariff.valid_from, tariff.valid_to))
        title = t("calculation.title", n=self.index + 1, count=len(self.invoice.lines), number=self.invoice.number)
        return Group(Text(title, style="bold underline"), grid, Text(t("calculation.rounding"), style="dim"))
