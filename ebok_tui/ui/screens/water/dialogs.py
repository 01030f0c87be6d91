"""The dialogs of the water and year screen: which CSV export for which period (``ExportCsvModal``),
and the number of persons in the household (``HouseholdModal``). Saving the file itself is the
shared save dialog's (``load_screen("save_pdf")``)."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from ebok_tui.core.api import Household
from ebok_tui.core.validation import date_problem, household_problem, parse_date
from ebok_tui.ui.screens.base import BaseModal
from ebok_tui.ui.widgets.forms import Problem, check_fields, show_field_error

#: What the server exports (``GET /export/{kind}.csv``).
EXPORT_KINDS = ("invoices", "payments", "readings")

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 64; height: auto; max-height: 22; border: thick $primary; background: $surface; padding: 0 1;
}}
{name} .title {{ text-style: bold; margin: 0 0 1 0; }}
{name} Input {{ width: 24; }}
{name} .error {{ color: $error; height: auto; }}
{name} .hint {{ color: $text-muted; height: auto; }}
{name} Horizontal {{ height: auto; align-horizontal: right; margin: 1 0 0 0; }}
{name} Button {{ margin: 0 0 0 2; }}
"""


def _buttons(t, ok: str) -> Horizontal:
    return Horizontal(
        Button(t(ok), id="ok", variant="primary", action="screen.ok"),
        Button(t("bind.cancel"), id="cancel", action="screen.cancel"),
    )


class _FormModal(BaseModal):
    """A small form: its first input has the focus; Enter in any input is the OK button."""

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_ok()

    def action_ok(self) -> None:
        raise NotImplementedError


class ExportCsvModal(_FormModal):
    """Which export (invoices, payments, readings) of which period (dates typed, checked by the
    inputs' validators). Dismisses with ``(kind, date_from, date_to)`` or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ExportCsvModal")

    def __init__(self, year: int) -> None:
        super().__init__()
        self.year = year

    def compose(self) -> ComposeResult:
        t = self.t
        messages = {"empty": t("water.date_empty"), "invalid": t("water.date_invalid")}
        first, last = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        with Vertical(id="dialog"):
            yield Static(t("water.export_title"), classes="title")
            yield Label(t("water.export_kind"))
            yield Select(
                [(t(f"water.export_{kind}"), kind) for kind in EXPORT_KINDS],
                value="invoices",
                allow_blank=False,
                compact=True,
                id="kind",
            )
            yield Label(t("water.date_from"))
            yield Input(
                first.strftime("%d.%m.%Y"), id="from", validators=[Problem(date_problem, messages)], validate_on=()
            )
            yield Static("", id="from-error", classes="error")
            yield Label(t("water.date_to"))
            yield Input(
                last.strftime("%d.%m.%Y"), id="to", validators=[Problem(date_problem, messages)], validate_on=()
            )
            yield Static("", id="to-error", classes="error")
            yield Static(t("water.date_hint"), classes="hint")
            yield _buttons(t, "water.export_next")

    def action_ok(self) -> None:
        start, end = self.query_one("#from", Input), self.query_one("#to", Input)
        errors = self.query_one("#from-error", Static), self.query_one("#to-error", Static)
        if not check_fields([(start, errors[0]), (end, errors[1])]):
            return
        date_from, date_to = parse_date(start.value), parse_date(end.value)
        assert date_from is not None and date_to is not None  # the validators passed
        if date_to < date_from:
            show_field_error(errors[1], end, self.t("water.date_order"))
            end.focus()
            return
        self.dismiss((str(self.query_one("#kind", Select).value), date_from, date_to))


class HouseholdModal(_FormModal):
    """The number of persons in the household (1-20; empty: the server's default), saved on the
    server. Dismisses with the server's :class:`Household` or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="HouseholdModal")

    def __init__(self, persons: int, is_default: bool) -> None:
        super().__init__()
        self.persons = persons
        self.is_default = is_default

    def compose(self) -> ComposeResult:
        t = self.t
        with Vertical(id="dialog"):
            yield Static(t("water.household_title"), classes="title")
            yield Label(t("water.household_label"))
            yield Input(
                "" if self.is_default else str(self.persons),
                id="size",
                validators=[Problem(household_problem, {"invalid": t("water.household_invalid")})],
                validate_on=(),
            )
            yield Static("", id="size-error", classes="error")
            yield Static(Text(t("water.household_hint")), classes="hint")
            yield _buttons(t, "water.household_save")

    def show_error(self, message: str) -> None:  # API errors appear in the dialog, not behind it
        show_field_error(self.query_one("#size-error", Static), self.query_one("#size", Input), message)

    def clear_error(self) -> None:
        pass

    def action_ok(self) -> None:
        field = self.query_one("#size", Input)
        if not check_fields([(field, self.query_one("#size-error", Static))]):
            return
        size = int(field.value) if field.value.strip() else None

        async def save() -> Household:
            household = await self.api.set_household(size)
            self.dismiss(household)
            return household

        self.run_api(save, target=self.query_one("#dialog"), group="save")
