"""The payment QR code and transfer details, shared by the balance (pay everything) and the
invoice detail (pay one invoice): the 2D code in the Polish banks' format (``ebok_tui.core.payqr``)
drawn with half blocks, and the transfer details beside it; a link's code (KSeF's verification
link on the invoice detail) drawn the same way (the dialogs showing them are in
``ebok_tui.ui.screens.billing.pay_dialogs``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from rich.console import Group
from rich.text import Text

from ebok_tui.core.api.models import PaymentRecipient
from ebok_tui.core.payqr import (
    PaymentQRError,
    build_payload,
    format_account,
    half_block_lines,
    make_link_qr,
    make_qr,
)
from ebok_tui.ui.terminal import can_show

__all__ = ["QR_STYLE", "link_qr", "qr_text", "transfer_qr", "transfer_details"]

#: Dark modules on a light background, whatever the terminal's colours (scanners need that).
QR_STYLE = "#000000 on #ffffff"


def qr_text(lines: list[str]) -> Text:
    text = Text(no_wrap=True, overflow="crop")
    for index, line in enumerate(lines):
        if index:
            text.append("\n")
        text.append(line, style=QR_STYLE)
    return text


def transfer_qr(terminal: object, to: PaymentRecipient, amount: int) -> tuple[list[str] | None, str | None]:
    """The code's half-block lines, or ``None`` and the ``balance.*`` key saying why there is none."""
    if amount <= 0:
        return None, "balance.qr_nothing_due"
    if not can_show(terminal, "▀▄█"):  # type: ignore[arg-type]
        return None, "balance.qr_no_glyphs"  # ASCII stand-ins would not scan
    try:
        payload = build_payload(
            account=to.bank_account,
            amount_grosze=amount,
            recipient=to.recipient_name,
            title=to.transfer_title,
            nip=to.recipient_nip,
            company=True,  # the utility: its NIP is required and checked
        )
    except PaymentQRError:
        return None, "balance.qr_unavailable"
    return list(_code_lines(payload)), None


@lru_cache(maxsize=8)
def _code_lines(payload: str) -> tuple[str, ...]:
    """A transfer code's half-block lines. Encoding is most of the processor time the balance
    takes to show its data, on the event loop, and the resident comes back to the same code
    (section switch, issue 11): a code is encoded once."""
    return tuple(half_block_lines(make_qr(payload).matrix))


def link_qr(terminal: object, url: str) -> tuple[list[str] | None, str | None]:
    """A link's code as half-block lines (e.g. KSeF's verification link), or ``None`` and the
    ``balance.*`` key saying why the terminal cannot draw it."""
    if not can_show(terminal, "▀▄█"):  # type: ignore[arg-type]
        return None, "balance.qr_no_glyphs"
    return half_block_lines(make_link_qr(url).matrix), None


def transfer_details(t: Callable[..., str], money: Callable[[int], str], to: PaymentRecipient, amount: int) -> Group:
    """The transfer form's fields, as a resident types them into a banking app."""
    label = "bold"
    return Group(
        Text(t("balance.transfer_title_header"), style="bold underline"),
        Text(t("balance.recipient"), style=label),
        Text(f"  {to.recipient_name}"),
        Text(f"  {to.recipient_address}"),
        Text(t("balance.account"), style=label),
        Text(f"  {format_account(to.bank_account)}"),
        Text.assemble((t("balance.amount"), label), " ", (money(amount), "bold")),
        Text(t("balance.title"), style=label),
        Text(f"  {to.transfer_title}"),
    )
