"""The consumption chart of the readings screen: monthly totals and a bar chart drawn with block
characters.

Drawn here rather than with textual-plotext: at 80×24 its 24 monthly bars come out of uneven
width and spacing (whole or half character cells), heights in half rows rather than eighths, and
the x axis has room for one label per bar, so the year row under the months is lost."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from rich.text import Text
from textual.widget import Widget

from ebok_tui.core.api import Reading

MONTHS = 24
BLOCKS = " ▁▂▃▄▅▆▇█"


def month_key(value: date) -> tuple[int, int]:
    return value.year, value.month


def monthly_consumption(items: list[Reading], months: int = MONTHS) -> list[tuple[date, Decimal]]:
    """Consumption per calendar month (all meters together), attributed to the month of the
    reading that closes it; the ``months`` months ending with the newest reading, oldest first."""
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for item in items:
        if item.consumption is not None:
            totals[month_key(item.date)] += item.consumption
    if not items:
        return []
    newest = max(item.date for item in items)
    index = newest.year * 12 + newest.month - 1
    out = []
    for i in range(index - months + 1, index + 1):
        year, month = divmod(i, 12)
        out.append((date(year, month + 1, 1), totals.get((year, month + 1), Decimal(0))))
    return out


def nice_unit(raw: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is at least ``raw`` (a round axis step)."""
    exponent = Decimal(10) ** (raw.adjusted() if raw > 0 else 0)
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if factor * exponent >= raw:
            return (factor * exponent).normalize()
    return (Decimal(10) * exponent).normalize()


class ConsumptionChart(Widget):
    """A vertical bar chart of monthly consumption drawn with block characters.

    One bar per month, three columns per month at 80 columns (two when narrower); a y axis with
    a few values in m³; month numbers and years underneath."""

    DEFAULT_CSS = """
    ConsumptionChart { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: list[tuple[date, Decimal]] = []

    def set_data(self, data: list[tuple[date, Decimal]]) -> None:
        self.data = data
        self.refresh()

    def _fmt(self, value: Decimal, places: int) -> str:
        i18n = self.app.i18n  # type: ignore[attr-defined]
        q = (
            value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            if places
            else value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        )
        return i18n.decimal(q, places)

    def render(self) -> Text:
        i18n = self.app.i18n  # type: ignore[attr-defined]
        width, height = self.size.width, self.size.height
        if not self.data:
            return Text(i18n.t("readings.no_chart_data"), style="dim")
        top = max(max(value for _, value in self.data), Decimal("0.4"))
        unit = nice_unit(top / 4)
        scale = unit * 4
        places = 0 if unit == unit.to_integral_value() else (1 if (unit * 10) == (unit * 10).to_integral_value() else 2)
        labels_w = max(len(self._fmt(scale, places)), 1)
        axis_w = labels_w + 2  # "12 ┤"
        n = len(self.data)
        slot = 3 if axis_w + 3 * n <= width else 2
        rows = max(height - 3, 3)  # title, month numbers, years
        text = Text()
        text.append(i18n.t("readings.chart_title"), style="bold")
        text.append("\n")
        tick_rows = {round(rows * i / 4): unit * i for i in range(1, 5)}
        for r in range(rows, 0, -1):
            if r in tick_rows:
                label = self._fmt(tick_rows[r], places).rjust(labels_w) + " ┤"
            else:
                label = " " * labels_w + " │"
            text.append(label, style="dim")
            for _, value in self.data:
                eighths = int((value / scale * rows * 8).to_integral_value(rounding=ROUND_HALF_UP))
                full = eighths // 8
                if full >= r:
                    block = BLOCKS[8]
                elif full == r - 1 and eighths % 8:
                    block = BLOCKS[eighths % 8]
                else:
                    block = " "
                text.append(" ")
                text.append(block * (slot - 1), style="cyan")
            text.append("\n")
        # month numbers
        text.append(" " * labels_w + " └", style="dim")
        for month_start, _ in self.data:
            label = f"{month_start.month:02d}"
            text.append(label.rjust(slot) if slot > 2 else label, style="dim")
        text.append("\n")
        # years under the first month of each year, and under the first bar when that label
        # leaves a space before the next one (placed right to left, so January wins: never "2022025")
        years = [" "] * (axis_w + slot * n)
        next_label = len(years) + 1
        for index in range(n - 1, -1, -1):
            month_start = self.data[index][0]
            if month_start.month != 1 and index != 0:
                continue
            label = str(month_start.year)
            pos = axis_w + index * slot + (slot - 2)
            if pos + len(label) >= next_label:
                continue
            for k, ch in enumerate(label):
                if pos + k < len(years):
                    years[pos + k] = ch
            next_label = pos
        text.append("".join(years).rstrip(), style="dim")
        return text
