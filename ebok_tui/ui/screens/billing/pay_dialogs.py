"""The payment dialogs of the billing screens: the balance's QR code alone (``QrModal``) and paying
one invoice from its detail (``PayModal``); what they draw comes from ``ebok_tui.ui.widgets.pay_qr``."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from ebok_tui.ui.screens.base import BaseModal
from ebok_tui.ui.widgets.pay_qr import qr_text


class PaymentDialog(BaseModal):
    """What the payment dialogs share: centred, their content in a panel (class ``payment-dialog``)
    as large as it needs up to the whole window; Esc or q closes."""

    BINDINGS = [Binding("q", "cancel", "balance.bind_qr_close")]

    DEFAULT_CSS = """
    PaymentDialog { align: center middle; }
    PaymentDialog .payment-dialog { width: auto; height: auto; max-width: 100%; max-height: 100%;
                                    background: $panel; padding: 0 1; }
    """


class QrModal(PaymentDialog):
    """The payment QR code alone, as large as the terminal allows (Esc or q closes)."""

    DEFAULT_CSS = """
    QrModal #qr-big { width: auto; height: auto; }
    QrModal #qr-caption { width: auto; max-width: 60; height: auto; text-align: center; }
    """

    def __init__(self, lines: list[str], caption: str) -> None:
        super().__init__()
        self.lines = lines
        self.caption = caption

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="qr-dialog", classes="payment-dialog"):
            yield Static(qr_text(self.lines), id="qr-big")
            yield Static(Text(self.caption), id="qr-caption")  # names the recipient: never markup


class PayModal(PaymentDialog):
    """Paying one invoice: the QR code (when the terminal can draw it) beside the transfer details;
    it scrolls when the window is smaller than the code (Esc or q closes)."""

    DEFAULT_CSS = """
    PayModal #pay-columns { width: auto; height: auto; }
    PayModal #pay-qr { width: auto; height: auto; margin: 0 1 0 0; }
    PayModal #pay-side { width: 36; height: auto; }
    PayModal #pay-details { height: auto; }
    PayModal #pay-caption { height: auto; margin: 1 0 0 0; }
    """

    def __init__(self, lines: list[str] | None, details: Group, caption: str) -> None:
        super().__init__()
        self.lines = lines
        self.details = details
        self.caption = caption

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="pay-dialog", classes="payment-dialog"):
            with Horizontal(id="pay-columns"):
                if self.lines:
                    yield Static(qr_text(self.lines), id="pay-qr")
                with Vertical(id="pay-side"):
                    yield Static(self.details, id="pay-details")
                    yield Static(Text(self.caption), id="pay-caption", classes="muted")  # never markup
