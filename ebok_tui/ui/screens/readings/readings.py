"""Meter readings two years back: a table, a monthly consumption chart (``g``) and the
self-reading form (``n``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from ebok_tui.core.api import Reading, ReadingsInfo
from ebok_tui.ui.screens.base import SectionScreen

MONTHS = 24
BLOCKS = " ▁▂▃▄▅▆▇█"
TYPE_STYLES = {"collector": "", "self": "bold cyan", "estimated": "italic yellow"}


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
        q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if places else value.quantize(
            Decimal(1), rounding=ROUND_HALF_UP
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
        # years under the first month of each year (and the first bar)
        years = [" "] * (axis_w + slot * n)
        for index, (month_start, _) in enumerate(self.data):
            if month_start.month == 1 or index == 0:
                pos = axis_w + index * slot + (slot - 2)
                for k, ch in enumerate(str(month_start.year)):
                    if pos + k < len(years):
                        years[pos + k] = ch
        text.append("".join(years).rstrip(), style="dim")
        return text


class ReadingsScreen(SectionScreen):
    SECTION = "readings"

    BINDINGS = [
        Binding("n", "submit_reading", "readings.bind_submit"),
        Binding("g", "toggle_chart", "readings.bind_chart"),
    ]

    DEFAULT_CSS = """
    ReadingsScreen #period { height: auto; }
    ReadingsScreen #notice { height: auto; color: $success; display: none; }
    ReadingsScreen #notice.-shown { display: block; }
    ReadingsScreen #readings { height: 1fr; }
    ReadingsScreen #chart { display: none; }
    ReadingsScreen.-chart #chart { display: block; }
    ReadingsScreen.-chart #readings { display: none; }
    ReadingsScreen #summary { height: auto; color: $text-muted; display: none; }
    ReadingsScreen.-chart #summary { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.info: ReadingsInfo | None = None
        self.draft: dict[str, str] = {}  # meter number -> value typed in the form (kept on cancel)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="period")
        yield Static("", id="notice")
        table: DataTable = DataTable(id="readings", cursor_type="row", zebra_stripes=True)
        yield table
        yield ConsumptionChart(id="chart")
        yield Static("", id="summary")

    def on_mount(self) -> None:
        t = self.t
        table = self.query_one("#readings", DataTable)
        table.add_column(t("readings.col.date"), key="date")
        table.add_column(t("readings.col.meter"), key="meter")
        table.add_column(Text(t("readings.col.value"), justify="right"), key="value")
        table.add_column(t("readings.col.type"), key="type")
        table.add_column(Text(t("readings.col.consumption"), justify="right"), key="consumption")
        table.focus()

    async def load(self) -> None:
        info = await self.api.readings(months=MONTHS)
        self.info = info
        self.show(info)
        self.call_after_refresh(self.query_one("#readings", DataTable).focus)

    def type_text(self, kind: str) -> Text:
        key = f"readings.type.{kind}"
        return Text(self.i18n.label(key, kind), style=TYPE_STYLES.get(kind, ""))

    def show(self, info: ReadingsInfo) -> None:
        t, i18n = self.t, self.i18n
        period = Text(
            t("readings.period", start=i18n.date(info.period.start), end=i18n.date(info.period.end)) + " · ",
            no_wrap=True, overflow="ellipsis",
        )
        if info.period.self_reading_submitted:
            period.append(t("readings.self_submitted"), style="green")
        else:
            period.append(t("readings.self_not_submitted"), style="bold")
        self.query_one("#period", Static).update(period)

        table = self.query_one("#readings", DataTable)
        table.clear()
        for item in info.items:
            table.add_row(
                i18n.date(item.date),
                Text(item.meter_number),  # Text, not str: server data is never parsed as markup
                Text(i18n.volume(item.value), justify="right"),
                self.type_text(item.type),
                Text(i18n.volume(item.consumption), justify="right"),
                key=str(item.id),
            )
        if not info.items:
            self.set_notice(t("readings.empty"))

        data = monthly_consumption(info.items)
        self.query_one("#chart", ConsumptionChart).set_data(data)
        self.query_one("#summary", Static).update(self.summary(data))

    def set_notice(self, message: str) -> None:
        notice = self.query_one("#notice", Static)
        notice.update(Text(message))
        notice.set_class(bool(message), "-shown")

    def summary(self, data: list[tuple[date, Decimal]]) -> str:
        if not data:
            return ""
        i18n = self.i18n
        total = sum((value for _, value in data), Decimal(0))
        peak_month, peak = max(data, key=lambda d: d[1])
        average = (total / len(data)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
        return self.t(
            "readings.summary",
            total=i18n.volume(total),
            average=i18n.volume(average),
            peak_month=i18n.month(peak_month),
            peak=i18n.volume(peak),
        )

    # --- actions -------------------------------------------------------------------------------
    def action_toggle_chart(self) -> None:
        chart = not self.has_class("-chart")
        self.set_class(chart, "-chart")
        if not chart:
            self.query_one("#readings", DataTable).focus()

    def action_submit_reading(self) -> None:
        if self.info is None:
            return
        from ebok_tui.ui.screens.readings.submit_reading import SubmitReadingModal

        self.app.push_screen(SubmitReadingModal(self.info, self.draft), callback=self._submitted)

    def _submitted(self, reading: Reading | None) -> None:
        if reading is None:
            return
        self.draft.pop(reading.meter_number, None)
        message = self.t(
            "readings.accepted",
            value=self.i18n.volume(reading.value),
            meter=reading.meter_number,
            date=self.i18n.date(reading.date),
        )
        self.set_notice(message)
        self.notify(message, timeout=6, markup=False)
        self.action_reload()
