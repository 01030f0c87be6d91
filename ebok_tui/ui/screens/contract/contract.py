"""Umowa (contract): number, date concluded, services, tariff group, connection address, meters;
``t`` opens the tariff (``contract.tariff``).

A meter whose legalisation expires within six months (or has expired) is highlighted, relative to
the server's business date (``/health`` ``today``), never the local clock.
"""

from __future__ import annotations

import calendar
import datetime as dt

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ebok_tui.core.api import ApiError, Contract, Meter, ServicePoint
from ebok_tui.ui.widgets.list_table import ListTable
from ebok_tui.ui.screens.point_section import PointSectionScreen
from ebok_tui.ui.widgets.points import POINT_BINDING
from ebok_tui.ui.sections import load_screen
from ebok_tui.ui.staff_sections import load_staff_screen

#: How far ahead an expiring legalisation is flagged.
WARN_MONTHS = 6


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (clamped to the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def legalisation_state(valid_until: dt.date | None, today: dt.date) -> str:
    """``"expired"``, ``"expiring"`` (within WARN_MONTHS), ``"ok"`` or ``"unknown"``."""
    if valid_until is None:
        return "unknown"
    if valid_until < today:
        return "expired"
    if valid_until <= add_months(today, WARN_MONTHS):
        return "expiring"
    return "ok"


_STATE_STYLE = {"expired": "bold red", "expiring": "bold yellow"}


class ContractScreen(PointSectionScreen):
    SECTION = "contract"

    # staff acting for the customer (with the permission) record a request to change the contract
    # party's contact data, and set whether the customer is a person, a business or a housing
    # community (with the NIP); residents write to the utility instead (Korespondencja)
    ACTING = {"contact_change": "contact_change", "customer_type": "customer_type"}
    # ``k`` is also the customer type's key (staff acting for the customer): a key bound here
    # replaces the base's, so the point picker's binding is listed again beside it
    BINDINGS = [
        POINT_BINDING,
        Binding("t", "tariff", "tariff.bind_open"),
        Binding("z", "contact_change", "contract.bind_contact_change"),
        Binding("k", "customer_type", "contract.bind_customer_type"),
    ]

    DEFAULT_CSS = """
    ContractScreen #contract-info { height: auto; margin: 1 0 0 0; }
    ContractScreen #meters-title { height: 1; margin: 1 0 0 0; text-style: bold; }
    ContractScreen #meters { height: auto; max-height: 8; }
    ContractScreen #meters-note { height: auto; margin: 1 0 0 0; }
    """

    @property
    def shown_point(self) -> ServicePoint | None:
        """Whose contract is shown: the chosen point; with every point chosen, the first (a
        contract is one point's); None for a customer with one point."""
        if not self.several_points:
            return None
        return self.point or self.points[0]

    @property
    def section_title(self) -> str:
        shown = self.shown_point
        title = super().section_title
        return f"{title} · {shown.label}" if shown is not None else title

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("contact_change", "customer_type"):
            return self.ebok.acting is not None and self.acting_allows(action)
        return super().check_action(action, parameters)

    def action_tariff(self) -> None:
        self.app.push_screen(load_screen("tariff")())

    def action_contact_change(self) -> None:
        if self.check_action("contact_change", ()):
            self.app.push_screen(load_staff_screen("contact_change")())

    def action_customer_type(self) -> None:
        if self.check_action("customer_type", ()):
            self.app.push_screen(load_staff_screen("customer_type")())

    def compose_body(self) -> ComposeResult:
        yield Static(id="contract-info")
        yield Static(self.t("contract.meters_title"), id="meters-title")
        table: DataTable = ListTable(id="meters", cursor_type="row", zebra_stripes=False)
        yield table
        yield Static(id="meters-note")

    def on_mount(self) -> None:
        table = self.query_one("#meters", DataTable)
        table.add_column(self.t("contract.col_number"), key="number")
        table.add_column(self.t("contract.col_location"), key="location")
        table.add_column(self.t("contract.col_installed"), key="installed")
        table.add_column(self.t("contract.col_legalisation"), key="legalisation")
        table.add_column(self.t("contract.col_diameter"), key="diameter")
        # SectionScreen.on_mount (title, first load) runs after this one: Textual calls every
        # class's handler along the MRO.

    async def load(self) -> None:
        await self.load_points()
        shown = self.shown_point
        contract = await self.api.contract(service_point=shown.code if shown is not None else None)
        # the server's date from the app's health checks (one round trip per section); asked
        # only when no check has answered yet
        today = self.ebok.server_today
        if today is None:
            try:
                today = (await self.api.health()).today
            except ApiError:
                today = None
        self.show_contract(contract, today)

    # --- rendering -----------------------------------------------------------------------------
    def services_text(self, services: list[str]) -> str:
        names = [self.i18n.label(f"contract.service_{s}", s) for s in services]
        return ", ".join(names) if names else self.t("app.none")

    def show_contract(self, contract: Contract, today: dt.date | None) -> None:
        i18n = self.i18n
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        # Text, not str: a Rich table would parse the server's text as markup
        shown = self.shown_point
        if shown is not None:
            grid.add_row(self.t("contract.point"), Text(f"{shown.label} ({shown.code})"))
        grid.add_row(self.t("contract.number"), Text(contract.number))
        grid.add_row(self.t("contract.concluded_on"), i18n.date(contract.concluded_on))
        grid.add_row(self.t("contract.services"), Text(self.services_text(contract.services)))
        grid.add_row(self.t("contract.tariff_group"), Text(contract.tariff_group))
        grid.add_row(self.t("contract.connection_address"), Text(contract.connection_address))
        self.query_one("#contract-info", Static).update(grid)

        table = self.query_one("#meters", DataTable)
        table.clear()
        notes: list[Text] = []
        for meter in contract.meters:
            state = legalisation_state(meter.legalisation_valid_until, today) if today else "unknown"
            table.add_row(*self._meter_cells(meter, state), key=meter.number)
            if state in _STATE_STYLE:
                notes.append(
                    Text(
                        "! "
                        + self.t(
                            f"contract.note_{state}", meter=meter.number, date=i18n.date(meter.legalisation_valid_until)
                        ),
                        style=_STATE_STYLE[state],
                    )
                )
        if not contract.meters:
            notes.append(Text(self.t("contract.no_meters"), style="italic"))
        if notes:
            notes.append(Text(self.t("contract.note_contact"), style="dim"))
        self.query_one("#meters-note", Static).update(Text("\n").join(notes))

    def _meter_cells(self, meter: Meter, state: str) -> list[Text | str]:
        i18n = self.i18n
        legal = Text(i18n.date(meter.legalisation_valid_until))
        if state in _STATE_STYLE:
            state_key = "contract.state_" + state
            legal.append(f" – {self.t(state_key)}")
            legal.stylize(_STATE_STYLE[state])
        diameter = self.t("contract.diameter_mm", mm=meter.diameter_mm) if meter.diameter_mm else self.t("app.none")
        return [  # Text, not str: server data is never parsed as markup
            Text(meter.number),
            Text(meter.location or self.t("app.none")),
            i18n.date(meter.installed_on),
            legal,
            diameter,
        ]
