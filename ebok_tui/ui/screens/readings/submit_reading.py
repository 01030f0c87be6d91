"""The self-reading form: choose the meter, type the value, see the last reading; checks first
here, then on the server; every rejection is explained next to the value, which stays typed."""

from __future__ import annotations

import re
from decimal import Decimal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from ebok_tui.core.api import ApiError, Reading, ReadingMeter, ReadingsInfo
from ebok_tui.ui.screens.base import BaseModal
from ebok_tui.ui.widgets.forms import show_field_error

_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


class SubmitReadingModal(BaseModal):
    """Dismisses with the accepted :class:`Reading`, or None when cancelled."""

    DEFAULT_CSS = """
    SubmitReadingModal { align: center middle; }
    SubmitReadingModal > Vertical {
        width: 72; height: auto; max-height: 22; border: thick $primary; background: $surface;
        padding: 0 1;
    }
    SubmitReadingModal #title { text-style: bold; margin: 0 0 1 0; }
    SubmitReadingModal #already { color: $warning; height: auto; margin: 0 0 1 0; }
    SubmitReadingModal #meter-row { height: 1; margin: 0 0 1 0; }
    SubmitReadingModal #meter-row Label { width: auto; padding: 0 1 0 0; }
    SubmitReadingModal #meter { width: 30; }
    SubmitReadingModal #last { height: auto; }
    SubmitReadingModal #value { width: 30; }
    SubmitReadingModal #value-error { color: $error; height: auto; }
    SubmitReadingModal #hint { color: $text-muted; height: auto; }
    SubmitReadingModal Horizontal#buttons { height: auto; align-horizontal: right; margin: 1 0 0 0; }
    SubmitReadingModal Button { margin: 0 0 0 2; }
    """

    def __init__(self, info: ReadingsInfo, drafts: dict[str, str] | None = None) -> None:
        super().__init__()
        self.info = info
        self.meters = {m.number: m for m in info.meters}
        self.drafts = drafts if drafts is not None else {}
        self.meter_number = info.meters[0].number if info.meters else ""

    # --- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        t = self.t
        with Vertical(id="dialog"):
            yield Static(t("submit_reading.title"), id="title")
            if self.info.period.self_reading_submitted:
                yield Static(
                    t(
                        "submit_reading.already",
                        start=self.i18n.date(self.info.period.start),
                        end=self.i18n.date(self.info.period.end),
                    ),
                    id="already",
                )
            with Horizontal(id="meter-row"):
                yield Label(t("submit_reading.meter"))
                if len(self.meters) > 1:
                    yield Select(
                        [(Text(number), number) for number in self.meters],
                        value=self.meter_number,
                        allow_blank=False,
                        compact=True,
                        id="meter",
                    )
                else:
                    yield Label(Text(self.meter_number or t("app.none")), id="meter-number")
            yield Static("", id="last")
            yield Label(t("submit_reading.value"), id="value-label")
            yield Input(self.drafts.get(self.meter_number, ""), placeholder=t("submit_reading.placeholder"),
                        id="value")
            yield Static("", id="value-error")
            yield Static(t("submit_reading.hint"), id="hint")
            with Horizontal(id="buttons"):
                yield Button(t("bind.submit"), id="send", variant="primary", action="screen.send")
                yield Button(t("bind.cancel"), id="cancel", action="screen.dismiss")

    def on_mount(self) -> None:
        self.show_last()
        self.query_one("#value", Input).focus()

    @property
    def meter(self) -> ReadingMeter | None:
        return self.meters.get(self.meter_number)

    def show_last(self) -> None:
        meter = self.meter
        if meter is None or meter.last_value is None:
            text = self.t("submit_reading.no_last")
        else:
            text = self.t(
                "submit_reading.last",
                value=self.i18n.volume(meter.last_value),
                date=self.i18n.date(meter.last_date),
            )
        self.query_one("#last", Static).update(Text(text))

    # --- messages ------------------------------------------------------------------------------
    def field_error(self, message: str) -> None:
        show_field_error(self.query_one("#value-error", Static), self.query_one("#value", Input), message)

    def show_error(self, message: str) -> None:  # errors stay in the dialog, next to the value
        self.field_error(message)

    def clear_error(self) -> None:
        pass

    def on_api_error(self, error: ApiError) -> bool:
        t, i18n = self.t, self.i18n
        meter = self.meter
        code = error.code
        if code == "reading_below_last":
            if meter is not None and meter.last_value is not None:
                message = t("submit_reading.below_last", last=i18n.volume(meter.last_value),
                            date=i18n.date(meter.last_date))
            else:
                message = t("submit_reading.below_last_plain")
        elif code == "reading_implausible":
            maximum = self._number_in(error.fields.get("value", "")) if error.fields else None
            if maximum is not None:
                message = t("submit_reading.implausible_max", max=i18n.volume(maximum))
            else:
                message = t("submit_reading.implausible")
        elif code == "reading_already_submitted":
            message = t("submit_reading.already_submitted", meter=self.meter_number)
        elif code == "unknown_meter":
            message = t("submit_reading.unknown_meter", meter=self.meter_number)
        elif code == "validation_error":
            message = self.field_messages(error).get("value") or self.error_message(error)
        else:
            message = self.error_message(error)
        self.field_error(message)
        return True

    @staticmethod
    def _number_in(text: str) -> Decimal | None:
        match = _NUMBER.search(text)
        return Decimal(match.group().replace(",", ".")) if match else None

    # --- input ---------------------------------------------------------------------------------
    @on(Select.Changed, "#meter")
    def _meter_changed(self, event: Select.Changed) -> None:
        if event.value is Select.NULL or event.value == self.meter_number:
            return
        field = self.query_one("#value", Input)
        self.drafts[self.meter_number] = field.value
        self.meter_number = str(event.value)
        field.value = self.drafts.get(self.meter_number, "")
        self.field_error("")
        self.show_last()

    @on(Input.Changed, "#value")
    def _value_changed(self, event: Input.Changed) -> None:
        self.drafts[self.meter_number] = event.value

    def check(self, text: str) -> tuple[Decimal | None, str]:
        """Client-side checks; returns (value, "") or (None, message)."""
        t, i18n = self.t, self.i18n
        if not text.strip():
            return None, t("submit_reading.empty")
        value = i18n.parse_decimal(text)
        if value is None:
            return None, t("submit_reading.not_a_number")
        if value < 0:
            return None, t("submit_reading.negative")
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -3:
            return None, t("submit_reading.too_many_decimals")
        meter = self.meter
        if meter is not None and meter.last_value is not None and value < meter.last_value:
            return None, t("submit_reading.below_last", last=i18n.volume(meter.last_value),
                           date=i18n.date(meter.last_date))
        return value, ""

    @on(Input.Submitted, "#value")
    def _submitted(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        value, problem = self.check(self.query_one("#value", Input).value)
        if value is None:
            self.field_error(problem)
            self.query_one("#value", Input).focus()
            return
        self.field_error("")
        meter_number = self.meter_number

        async def send() -> Reading:
            reading = await self.api.submit_reading(meter_number, value)
            self.finish(reading)
            return reading

        self.run_api(send, target=self.query_one("#dialog"), group="submit")
