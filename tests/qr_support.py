"""Helpers for the payment-QR tests: reading a drawn code back (its modules, and with a real QR
reader), and the ZBP payload of a transfer to the demo utility."""

from __future__ import annotations

import zxingcpp

from ebok_tui.core.payqr import build_payload

#: The demo utility's name and NIP, as the server sends them with every transfer.
UTILITY = "MPWiK Sp. z o.o."
UTILITY_NIP = "6320001234"

_TOP = {" ": 0, "▄": 0, "▀": 1, "█": 1}
_BOTTOM = {" ": 0, "▀": 0, "▄": 1, "█": 1}


def modules(lines: list[str]) -> list[list[int]]:
    """The rows of modules that half-block ``lines`` draw (1: dark), two rows a line."""
    rows: list[list[int]] = []
    for line in lines:
        rows.append([_TOP[ch] for ch in line])
        rows.append([_BOTTOM[ch] for ch in line])
    return rows


def scan(lines: list[str], pixels: int = 4) -> list[str]:
    """Decode what the terminal would show (dark ``█`` halves on light) with a real QR reader:
    each module becomes ``pixels``×``pixels`` grey pixels, and nothing is added around the drawing,
    so the reader sees only the quiet zone that the lines themselves carry."""
    rows = modules(lines)
    image = bytearray()
    for row in rows:
        scanline = b"".join((b"\x00" if dark else b"\xff") * pixels for dark in row)
        image += scanline * pixels
    height, width = len(rows) * pixels, len(rows[0]) * pixels
    view = memoryview(bytes(image)).cast("B", (height, width))
    return [barcode.text for barcode in zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.QRCode)]


def utility_payload(account: str, amount_grosze: int, title: str, **kwargs) -> str:
    """``build_payload`` for a transfer to the demo utility (its name and NIP)."""
    return build_payload(
        account=account, amount_grosze=amount_grosze, recipient=UTILITY, title=title, nip=UTILITY_NIP, **kwargs
    )
