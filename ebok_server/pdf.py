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

from .billing import iban_for
from .config import UTILITY_ADDRESS, UTILITY_NAME, UTILITY_NIP
from .units import fmt_pln, parse_milli

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
    "C:/Windows/Fonts/DejaVuSans.ttf",
]

_PL = str.maketrans({"ł": "l", "Ł": "L", "–": "-", "—": "-", "„": '"', "”": '"', "³": "3", "≤": "<="})


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


def _document(title: str, font_path: str | None | bool):
    """A new A4 PDF with one page, its font family and the text function (DejaVu, or the ASCII
    fallback with Polish letters transliterated)."""
    path = find_unicode_font() if font_path is True else font_path
    pdf = FPDF(format="A4")
    pdf.set_title(title)
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

    return pdf, family, t, text


PARAMETER_NAMES = {
    "e_coli": "Escherichia coli",
    "enterococci": "Enterokoki",
    "nitrates": "Azotany",
    "ph": "Odczyn pH",
    "hardness": "Twardość",
}


def pl_number(value: str) -> str:
    """The API's ``"7.400"`` as a Polish reader writes it, trailing zeros dropped: ``"7,4"``."""
    whole, _, frac = value.partition(".")
    frac = frac.rstrip("0")
    return f"{whole},{frac}" if frac else whole


def _limit(p) -> str:
    if p.limit_min is not None:
        return f"{pl_number(p.limit_min)}–{pl_number(p.limit_max)}"
    return f"≤ {pl_number(p.limit_max)}"


def quality_lines(quality) -> list[str]:
    """The directive's water quality summary, one line per supply address and parameter."""
    lines = []
    for s in quality.supplies:
        if s.zone_name is None or s.sampled_on is None:
            lines.append(f"{s.address}: brak danych o strefie zaopatrzenia.")
            continue
        verdict = "spełnia wymagania" if s.meets_standards else "NIE spełnia wymagań"
        lines.append(f"{s.address} – {s.zone_name}, próbka z {pl_date(s.sampled_on)}: woda {verdict}.")
        lines.append(
            "   "
            + "; ".join(
                f"{PARAMETER_NAMES[p.parameter]} {pl_number(p.value)} {p.unit} (norma {_limit(p)})"
                for p in s.parameters
            )
        )
    return lines


def comparison_line(summary) -> str | None:
    """Annual consumption vs. the average household of the same size (a whole year only)."""
    if summary.average_household_consumption is None:
        return None
    size = summary.household_size
    default = " – przyjęto domyślnie" if summary.household_size_is_default else ""
    return (
        f"Zużycie w roku {summary.year}: {pl_quantity(summary.consumption, 'm3')} m³; przeciętne gospodarstwo "
        f"{size}-osobowe{default}: {pl_quantity(summary.average_household_consumption, 'm3')} m³."
    )


def price_line(summary) -> str | None:
    if summary.tap_price_per_m3 is None:
        return None
    per_litre = f"{summary.tap_price_per_m3 / 1000:.2f}".replace(".", ",")
    return (
        f"Cena litra wody z kranu (woda i ścieki, brutto): {per_litre} gr; "
        f"woda butelkowana (cena orientacyjna): {fmt_pln(summary.bottled_price_per_litre)} za litr."
    )


KSEF_QR_MM = 32  # the verification code's side, quiet zone included
KSEF_QR_BORDER = 4  # modules of quiet zone (ISO/IEC 18004)
KSEF_LABEL_MM = 64  # the label beneath it, centred under the code (a KSeF number is 35 characters)


def draw_qr(pdf: FPDF, payload: str, x: float, y: float, size: float) -> None:
    """A QR code as vector squares (one filled rectangle per run of dark modules in a row), with
    its quiet zone, ``size`` mm wide at (``x``, ``y``)."""
    import segno  # the same QR encoder the client draws the payment code with; imported when needed

    matrix = segno.make(payload, error="m", micro=False).matrix
    module = size / (len(matrix) + 2 * KSEF_QR_BORDER)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            left, top = x + (start + KSEF_QR_BORDER) * module, y + (r + KSEF_QR_BORDER) * module
            pdf.rect(left, top, (c - start) * module, module, style="F")


def _ksef_block(pdf: FPDF, text, ksef) -> None:
    """KSeF's verification code (KOD I) with the KSeF number beneath it, or OFFLINE while KSeF has
    not accepted the invoice (the label the specification prescribes)."""
    pdf.ln(2)
    text(9, "Faktura w Krajowym Systemie e-Faktur (KSeF) – kod weryfikacyjny:")
    y = pdf.get_y()
    draw_qr(pdf, ksef.url, pdf.l_margin + KSEF_LABEL_MM / 2 - KSEF_QR_MM / 2, y, KSEF_QR_MM)
    pdf.set_y(y + KSEF_QR_MM)
    text(8, ksef.number if ksef.status == "accepted" else "OFFLINE", h=5, w=KSEF_LABEL_MM, align="C")


def render_invoice_pdf(detail, customer, *, directive=None, font_path: str | None | bool = True) -> bytes:
    """Render an invoice; ``directive`` is ``(water quality, yearly summary of the year before)``
    for the information Directive 2020/2184 asks on bills; ``font_path=None`` forces the ASCII
    fallback (used by tests)."""
    pdf, family, t, text = _document(f"Faktura {detail.number}", font_path)

    text(16, f"Faktura VAT nr {detail.number}", h=10)
    text(9, f"Data wystawienia: {pl_date(detail.issue_date)}    Termin płatności: {pl_date(detail.due_date)}")
    text(9, f"Okres rozliczeniowy: {pl_date(detail.period_from)} – {pl_date(detail.period_to)}")
    pdf.ln(3)
    text(10, "Sprzedawca:")
    text(9, f"{UTILITY_NAME}, {UTILITY_ADDRESS}, NIP {UTILITY_NIP}")
    text(10, "Nabywca:")
    buyer_nip = f", NIP {customer.nip}" if customer.nip else ""
    text(9, f"{customer.full_name} (klient {customer.customer_number}), {customer.address}{buyer_nip}")
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
    if detail.ksef is not None:
        _ksef_block(pdf, text, detail.ksef)
    if directive is not None:
        _directive_block(pdf, family, t, text, *directive, size=7, h=4)
    return bytes(pdf.output())


MONTHS_PL = [
    "styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec",
    "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień",
]  # fmt: skip


def render_yearly_pdf(summary, quality, customer, *, font_path: str | None | bool = True) -> bytes:
    """The yearly statement: invoiced, paid and consumption per month, totals; for a customer with
    several service points each point's invoiced amount and consumption; the directive's figures."""
    pdf, family, t, text = _document(f"Zestawienie roczne {summary.year}", font_path)
    text(16, f"Zestawienie roczne {summary.year}", h=10)
    text(9, f"{UTILITY_NAME}, {UTILITY_ADDRESS}, NIP {UTILITY_NIP}")
    text(9, f"Klient {customer.customer_number}: {customer.full_name}, {customer.address}")
    if not summary.complete:
        text(8, "Rok jeszcze trwa: zestawienie obejmuje dane do dziś.")
    pdf.ln(3)
    cols = [("Miesiąc", 40, "L"), ("Zafakturowano", 40, "R"), ("Wpłacono", 40, "R"), ("Zużycie [m³]", 40, "R")]
    rows = [
        (MONTHS_PL[m.month - 1], fmt_pln(m.invoiced), fmt_pln(m.paid), pl_quantity(m.consumption, "m3"))
        for m in summary.months
    ]
    rows.append(("Razem", fmt_pln(summary.invoiced), fmt_pln(summary.paid), pl_quantity(summary.consumption, "m3")))
    _table(pdf, family, t, cols, rows)
    if len(summary.points) > 1:  # several service points: each one's part (they add up to the totals)
        pdf.ln(4)
        text(10, "Punkty poboru")
        point_cols = [("Punkt poboru", 80, "L"), ("Zafakturowano", 40, "R"), ("Zużycie [m³]", 40, "R")]
        point_rows = [
            (f"{p.code} {p.label}", fmt_pln(p.invoiced), pl_quantity(p.consumption, "m3")) for p in summary.points
        ]
        _table(pdf, family, t, point_cols, point_rows)
    _directive_block(pdf, family, t, text, quality, summary, size=8, h=5)
    return bytes(pdf.output())


def _table(pdf, family, t, cols, rows) -> None:
    """A bordered table at 8 pt: the header ``cols`` (title, width in mm, alignment), then ``rows``;
    a cell's text is cut to fit its width (a long service-point label)."""
    pdf.set_font(family, size=8)
    for title, w, align in cols:
        pdf.cell(w, 7, t(title), border=1, align=align)
    pdf.ln()
    for row in rows:
        for (_, w, align), v in zip(cols, row, strict=True):
            value = t(v)
            if pdf.get_string_width(value) > w - 2:
                while value and pdf.get_string_width(value + "...") > w - 2:
                    value = value[:-1]
                value = value.rstrip() + "..."
            pdf.cell(w, 6, value, border=1, align=align)
        pdf.ln()


def _directive_block(pdf, family, t, text, quality, summary, *, size: int, h: int) -> None:
    """What the Drinking Water Directive asks a bill to say: the zone's quality, the comparison
    with an average household, the price of a litre (invoice: small print; yearly statement: larger)."""
    pdf.ln(4)
    text(9, "Informacja o wodzie (dyrektywa (UE) 2020/2184):")
    for line in [*quality_lines(quality), comparison_line(summary), price_line(summary)]:
        if line:
            pdf.set_font(family, size=size)
            pdf.multi_cell(0, h, t(line), new_x="LMARGIN", new_y="NEXT")
