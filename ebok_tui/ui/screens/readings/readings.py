"""Meter readings two years back: a table, a monthly consumption chart (``g``) and the
self-reading form (``n``)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from rich.text import Text
from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ebok_tui.core.api import Reading, ReadingsInfo, ServicePoint
from ebok_tui.ui.widgets.list_table import ListTable
from ebok_tui.ui.sections import load_screen
from ebok_tui.ui.widgets.chart import MONTHS, ConsumptionChart, monthly_consumption
from ebok_tui.ui.screens.point_section import PointSectionScreen
from ebok_tui.ui.widgets.points import PointPickerModal

TYPE_STYLES = {"collector": "", "self": "bold cyan", "estimated": "italic yellow"}


class ReadingsScreen(PointSectionScreen):
    SECTION = "readings"

    # staff acting for the customer register a reading only with the "reading" permission
    ACTING = {"submit_reading": "reading"}

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

    # queried on each use (textual.getters)
    table = getters.query_one("#readings", DataTable)

    def __init__(self) -> None:
        super().__init__()
        self.info: ReadingsInfo | None = None
        self.draft: dict[str, str] = {}  # meter number -> value typed in the form (kept on cancel)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="period")
        yield Static("", id="notice")
        table: DataTable = ListTable(id="readings", cursor_type="row", zebra_stripes=True)
        yield table
        yield ConsumptionChart(id="chart")
        yield Static("", id="summary")

    def on_mount(self) -> None:
        t = self.t
        table = self.table
        table.add_column(t("readings.col.date"), key="date")
        table.add_column(t("readings.col.meter"), key="meter")
        table.add_column(Text(t("readings.col.value"), justify="right"), key="value")
        table.add_column(t("readings.col.type"), key="type")
        table.add_column(Text(t("readings.col.consumption"), justify="right"), key="consumption")
        table.focus()

    @property
    def section_title(self) -> str:
        return self.point_title(super().section_title)

    async def load(self) -> None:
        await self.load_points()
        info = await self.api.readings(months=MONTHS, service_point=self.point_code)
        self.info = info
        self.show(info)
        self.call_after_refresh(self.table.focus)

    def type_text(self, kind: str) -> Text:
        key = f"readings.type.{kind}"
        return Text(self.i18n.label(key, kind), style=TYPE_STYLES.get(kind, ""))

    def show(self, info: ReadingsInfo) -> None:
        t, i18n = self.t, self.i18n
        period = Text(
            t("readings.period", start=i18n.date(info.period.start), end=i18n.date(info.period.end)) + " · ",
            no_wrap=True,
            overflow="ellipsis",
        )
        if info.period.self_reading_submitted:
            period.append(t("readings.self_submitted"), style="green")
        else:
            period.append(t("readings.self_not_submitted"), style="bold")
        self.query_one("#period", Static).update(period)

        table = self.table
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
            self.table.focus()

    def action_submit_reading(self) -> None:
        if self.info is None:
            return
        if self.several_points and self.point is None:
            # a self-reading is one point's: every point is shown, so ask which first
            self.app.push_screen(PointPickerModal(self.points, None, pick_one=True), callback=self._reading_point)
            return
        self._open_reading_form(self.info, self.point)

    def _reading_point(self, point: ServicePoint | str | None) -> None:
        if isinstance(point, ServicePoint):
            self.run_api(lambda: self._reading_form_for(point))

    async def _reading_form_for(self, point: ServicePoint) -> None:
        self._open_reading_form(await self.api.readings(months=MONTHS, service_point=point.code), point)

    def _open_reading_form(self, info: ReadingsInfo, point: ServicePoint | None) -> None:
        form = load_screen("submit_reading")(info, self.draft, point.label if point is not None else None)
        self.app.push_screen(form, callback=self._submitted)

    def _submitted(self, reading: Reading | None) -> None:
        if reading is None:
            return
        self.draft.pop(reading.meter_number, None)
        before = next((r for r in self.info.items if str(r.id) == str(reading.id)), None) if self.info else None
        if before is not None:  # a correction of this period's self-reading
            message = self.t(
                "readings.corrected",
                old=self.i18n.volume(before.value),
                value=self.i18n.volume(reading.value),
                meter=reading.meter_number,
            )
        else:
            message = self.t(
                "readings.accepted",
                value=self.i18n.volume(reading.value),
                meter=reading.meter_number,
                date=self.i18n.date(reading.date),
            )
        self.set_notice(message)
        self.notify(message, timeout=6, markup=False)
        self.action_reload()
