"""Units and calendar arithmetic shared by billing, notifications, PDFs and routes: volumes kept as
integer litres and shown as m³ with three decimals, amounts in grosze ("12 345,67 zł"), months."""

from __future__ import annotations

import calendar
import datetime as dt


def fmt_milli(value: int) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 1000}.{value % 1000:03d}"


def parse_milli(text: str) -> int:
    whole, _, frac = text.partition(".")
    return int(whole or "0") * 1000 + int((frac + "000")[:3])


def fmt_pln(grosze: int) -> str:
    """1234567 -> '12 345,67 zł'"""
    sign = "-" if grosze < 0 else ""
    g = abs(grosze)
    zl = f"{g // 100:,}".replace(",", " ")
    return f"{sign}{zl},{g % 100:02d} zł"


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: dt.date, months: int) -> dt.date:
    idx = d.year * 12 + (d.month - 1) + months
    y, m = divmod(idx, 12)
    m += 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))
