"""Woda i rok (water and the year): the latest water quality results of the supply zone of each
of the resident's supply addresses, with the limits and the server's "meets standards" verdict, and
a year's figures — consumption per month, invoiced and paid, the comparison with an average
household of the same size and the price of a litre of tap water next to bottled water (EU Drinking
Water Directive 2020/2184). Opened from the balance screen (``w``); ``[`` / ``]`` change the year.

Issue 12 feature 8: ``s`` saves the year's statement as PDF, ``e`` exports invoices, payments or
readings of a typed period as CSV (both through the shared save dialog, ``load_screen("save_pdf")``:
owner-only files written off the event loop), ``h`` sets the household size the comparison uses.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.binding import Binding

from ebok_tui.core.api import Household, WaterQuality, WaterQualitySupply, Yearly
from ebok_tui.ui.screens.base import TextScreen
from ebok_tui.ui.screens.water.dialogs import ExportCsvModal, HouseholdModal
from ebok_tui.ui.sections import load_screen


class WaterYearScreen(TextScreen):
    SECTION = "balance"
    TITLE_KEY = "water.title"
    SCROLL_ID = "water"

    # the statement PDF, the exports and the household size have no act-for routes: the resident's
    ACTING = {"save_pdf": None, "export_csv": None, "household": None}

    BINDINGS = [
        Binding("left_square_bracket", "year(-1)", "water.bind_prev", key_display="["),
        Binding("right_square_bracket", "year(1)", "water.bind_next", key_display="]"),
        Binding("s", "save_pdf", "water.bind_pdf"),
        Binding("e", "export_csv", "water.bind_csv"),
        Binding("h", "household", "water.bind_household"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.quality: WaterQuality | None = None
        self.yearly: Yearly | None = None
        self.year: int | None = None  # None: the last whole year (from the server's date)

    async def load(self) -> None:
        if self.year is None:
            today = self.ebok.server_today or dt.date.today()
            self.year = today.year - 1
        if self.quality is None:
            self.quality = await self.api.water_quality()
        self.yearly = await self.api.yearly(self.year)
        self.show(Group(*self._quality_lines(self.quality), Text(""), *self._year_lines(self.yearly)))
        self.refresh_bindings()  # which years there are before and after is known now

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "year":
            return self._next_year(parameters[0] if parameters else 1) is not None
        if action in ("save_pdf", "household") and self.yearly is None:
            return False
        return super().check_action(action, parameters)

    # --- statement PDF, CSV export, household ----------------------------------------------------
    @property
    def _customer(self) -> str:
        me = self.session.me
        return me.customer_number if me is not None else "ebok"

    def action_save_pdf(self) -> None:
        if self.yearly is None:
            return
        year = self.yearly.year
        dialog = load_screen("save_pdf")(
            partial(self.api.yearly_pdf, year),
            f"zestawienie-{self._customer}-{year}.pdf",
            title=self.t("water.pdf_title", year=year),
        )
        self.app.push_screen(dialog, callback=self._saved)

    def action_export_csv(self) -> None:
        self.app.push_screen(ExportCsvModal(self.year or dt.date.today().year), callback=self._export_period)

    def _export_period(self, answer: tuple[str, dt.date, dt.date] | None) -> None:
        if answer is None:
            return
        kind, date_from, date_to = answer
        period = f"{self.i18n.date(date_from)}–{self.i18n.date(date_to)}"
        dialog = load_screen("save_pdf")(
            partial(self.api.export_csv, kind, date_from, date_to),
            f"{kind}-{self._customer}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.csv",
            title=self.t("water.csv_title", what=self.t(f"water.export_{kind}"), period=period),
        )
        self.app.push_screen(dialog, callback=self._saved)

    def _saved(self, path: str | None) -> None:
        if path:
            self.notify(self.t("water.saved", path=path), timeout=8, markup=False)

    def action_household(self) -> None:
        if self.yearly is not None:
            dialog = HouseholdModal(self.yearly.household_size, self.yearly.household_size_is_default)
            self.app.push_screen(dialog, callback=self._household_set)

    def _household_set(self, household: Household | None) -> None:
        if household is not None:
            self.notify(self.t("water.household_saved", n=household.household_size), timeout=6)
            self.action_reload()  # the comparison uses it

    def _next_year(self, step: object) -> int | None:
        if self.yearly is None or self.year is None:
            return None
        years = sorted(self.yearly.years)
        later = [y for y in years if y > self.year] if step == 1 else [y for y in years if y < self.year][::-1]
        return later[0] if later else None

    def action_year(self, step: int) -> None:
        year = self._next_year(step)
        if year is not None:
            self.year = year
            self.action_reload()

    # --- water quality ---------------------------------------------------------------------------
    def _quality_lines(self, quality: WaterQuality) -> list[Text | Table]:
        t = self.t
        parts: list[Text | Table] = [Text(t("water.quality_heading"), style="bold underline")]
        if not quality.supplies:
            parts.append(Text(t("water.no_supply"), style="dim"))
        for supply in quality.supplies:
            parts.extend(self._supply_lines(supply))
        return parts

    def _supply_lines(self, supply: WaterQualitySupply) -> list[Text | Table]:
        t, i18n = self.t, self.ebok.i18n
        head = Text(supply.address, style="bold")
        if supply.zone_name is None:
            return [head, Text(t("water.no_zone"), style="dim")]
        head.append(f" — {supply.zone_name}", style="")
        lines: list[Text | Table] = [head]
        if supply.meets_standards is None or supply.sampled_on is None:
            lines.append(Text(t("water.no_results"), style="dim"))
            return lines
        verdict = t("water.meets") if supply.meets_standards else t("water.fails")
        lines.append(
            Text.assemble(
                (f" {verdict} ", "bold reverse green" if supply.meets_standards else "bold reverse red"),
                "  ",
                t("water.sampled", date=i18n.date(supply.sampled_on)),
            )
        )
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        table.add_column(t("water.col_parameter"))
        table.add_column(t("water.col_value"), justify="right")
        table.add_column(t("water.col_limit"), justify="right")
        table.add_column("")
        for p in supply.parameters:
            name = t(f"water.param_{p.parameter}") if self.ebok.i18n.has(f"water.param_{p.parameter}") else p.parameter
            value = f"{self._number(p.value)} {p.unit}".strip()
            if p.limit_min is not None:
                limit = f"{self._number(p.limit_min)}–{self._number(p.limit_max)}"
            else:
                limit = f"≤ {self._number(p.limit_max)}"
            table.add_row(
                name, value, limit, Text(t("water.ok") if p.ok else t("water.over"), style="" if p.ok else "bold")
            )
        lines.append(table)
        return lines

    def _number(self, value: Decimal) -> str:
        """As few decimals as the value needs (7,4; 12,4; 0)."""
        text = self.ebok.i18n.decimal(value, 3)
        if "," in text or "." in text:
            text = text.rstrip("0").rstrip(",.")
        return text

    # --- the year ---------------------------------------------------------------------------------
    def _year_lines(self, y: Yearly) -> list[Text | Table]:
        t, i18n = self.t, self.ebok.i18n
        state = "" if y.complete else f" ({t('water.year_running')})"
        parts: list[Text | Table] = [Text(t("water.year_heading", year=y.year) + state, style="bold underline")]
        parts.append(
            Text(
                t(
                    "water.totals",
                    consumption=i18n.volume(y.consumption),
                    invoiced=i18n.money(y.invoiced),
                    paid=i18n.money(y.paid),
                )
            )
        )
        if len(y.points) > 1:  # a customer with several service points: each one's part
            points = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
            points.add_column(t("water.col_point"), no_wrap=True, overflow="ellipsis")
            points.add_column(t("water.col_consumption"), justify="right", no_wrap=True)
            points.add_column(t("water.col_invoiced"), justify="right", no_wrap=True)
            for p in y.points:
                points.add_row(Text(p.label), i18n.volume(p.consumption), i18n.money(p.invoiced))
            parts.append(points)
        if y.average_household_consumption is not None:
            compare = t("water.compare", n=y.household_size, average=i18n.volume(y.average_household_consumption))
            if y.household_size_is_default:
                compare += " " + t("water.compare_default", n=y.household_size)
            parts.append(Text(compare))
        if y.tap_price_per_m3 is not None:
            per_litre = Decimal(y.tap_price_per_m3) / 1000  # grosze per litre
            parts.append(
                Text(
                    t(
                        "water.price",
                        tap=i18n.decimal(per_litre, 2),
                        bottled=i18n.money(y.bottled_price_per_litre),
                        times=round(Decimal(y.bottled_price_per_litre) / per_litre) if per_litre else "—",
                    )
                )
            )
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        table.add_column(t("water.col_month"))
        table.add_column(t("water.col_consumption"), justify="right")
        table.add_column(t("water.col_invoiced"), justify="right")
        table.add_column(t("water.col_paid"), justify="right")
        for m in y.months:
            table.add_row(
                i18n.month(dt.date(y.year, m.month, 1)),
                i18n.volume(m.consumption),
                i18n.money(m.invoiced),
                i18n.money(m.paid),
            )
        parts.append(table)
        return parts
