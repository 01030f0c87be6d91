"""Invoice PDF (fpdf2). Uses DejaVu Sans from the system when present; otherwise a core font with
Polish letters transliterated to ASCII, so it never crashes on a fresh machine.

The invoice is Polish, so its numbers are written the Polish way: decimal comma, a space between
thousands ("1 234,567 m³", "237,48 zł"), whole pieces without decimals ("1 szt"), dates DD.MM.YYYY.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

from .billing import fmt_pln, iban_for, parse_milli
from .config import UTILITY_ADDRESS, UTILITY_NAME, UTILITY_NIP

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
    "C:/Windows/Fonts/DejaVuSans.ttf",
]

_PL = str.maketrans({"ł": "l", "Ł": "L", "–": "-", "—": "-", "„": '"', "”": '"', "³": "3"})


def transliterate(text: str) -> str:
    text = text.translate(_PL)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).encode("latin-1", "replace").decode("latin-1")


def pl_quantity(quantity: str, unit: str) -> str:
    """The API's ``"7.887"`` as a Polish reader expects it: ``"7,887"`` (m³, three decimals),
    ``"1"`` (pieces: whole numbers), thousands separated by a space."""
    milli = parse_milli(quantity.lstrip("-"))
    sign = "-" if quantity.startswith("-") else ""
    whole = f"{milli // 1000:,}".replace(",", " ")
    if unit == "szt" and milli % 1000 == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole},{milli % 1000:03d}"


def pl_date(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


@lru_cache(maxsize=1)
def find_unicode_font() -> str | None:
    for cand in FONT_CANDIDATES:
        if Path(cand).is_file():
            return cand
    return None


def render_invoice_pdf(detail, customer, *, font_path: str | None | bool = True) -> bytes:
    """Render an invoice; ``font_path=None`` forces the ASCII fallback (used by tests)."""
    path = find_unicode_font() if font_path is True else font_path
    pdf = FPDF(format="A4")
    pdf.set_title(f"Faktura {detail.number}")
    pdf.set_author(UTILITY_NAME)
    pdf.add_page()
    if path:
        pdf.add_font("DejaVu", "", path)
        family = "DejaVu"
        t = str
    else:
        family = "Helvetica"
        t = transliterate

    def text(size: float, value: str, h: float = 6, ln: bool = True, w: float = 0, align: str = "L"):
        pdf.set_font(family, size=size)
        pdf.cell(w, h, t(value), new_x="LMARGIN" if ln else "RIGHT", new_y="NEXT" if ln else "TOP", align=align)

    text(16, f"Faktura VAT nr {detail.number}", h=10)
    text(9, f"Data wystawienia: {pl_date(detail.issue_date)}    Termin płatności: {pl_date(detail.due_date)}")
    text(9, f"Okres rozliczeniowy: {pl_date(detail.period_from)} – {pl_date(detail.period_to)}")
    pdf.ln(3)
    text(10, "Sprzedawca:")
    text(9, f"{UTILITY_NAME}, {UTILITY_ADDRESS}, NIP {UTILITY_NIP}")
    text(10, "Nabywca:")
    text(9, f"{customer.full_name} (klient {customer.customer_number}), {customer.address}")
    pdf.ln(4)

    cols = [
        ("Pozycja", 62, "L"),
        ("Ilość", 18, "R"),
        ("J.m.", 11, "L"),
        ("Cena netto", 22, "R"),
        ("Netto", 20, "R"),
        ("VAT", 10, "R"),
        ("Kwota VAT", 20, "R"),
        ("Brutto", 22, "R"),
    ]
    pdf.set_font(family, size=8)
    for title, w, align in cols:
        pdf.cell(w, 7, t(title), border=1, align=align)
    pdf.ln()
    for ln in detail.lines:
        vals = [
            ln.description,
            pl_quantity(ln.quantity, ln.unit),
            "m³" if ln.unit == "m3" else "szt",
            fmt_pln(ln.unit_price_net),
            fmt_pln(ln.net),
            f"{ln.vat_rate}%",
            fmt_pln(ln.vat),
            fmt_pln(ln.gross),
        ]
        for (_, w, align), v in zip(cols, vals, strict=True):
            pdf.cell(w, 7, t(v), border=1, align=align)
        pdf.ln()
    pdf.ln(2)
    text(9, f"Razem netto: {fmt_pln(detail.net_total)}   VAT: {fmt_pln(detail.vat_total)}", align="R")
    text(11, f"Do zapłaty: {fmt_pln(detail.gross_total)}", h=8, align="R")
    pdf.ln(4)
    text(9, f"Rachunek do wpłat: {iban_for(customer.customer_number)}")
    text(9, f"Tytuł przelewu: Klient {customer.customer_number} {detail.number}")
    if detail.efaktura:
        text(8, "Faktura elektroniczna (e-FAKTURA) – opłata za rozliczenie 1,00 zł brutto.")
    return bytes(pdf.output())
