"""The self-reading form: choose the meter, type the value, see the last reading; checks first
here, then on the server; every rejection is explained next to the value, which stays typed.

A meter that already has a self-reading in this billing period gets the correction form instead
(``PUT /readings/{id}``, until the period is billed): it shows the value submitted and, as the
resident types, the old and the new value side by side."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Select, Static

from ebok_tui.core.api import ApiError, Reading, ReadingMeter, ReadingsInfo
from ebok_tui.ui.screens.base import BaseModal, dialog_css
from ebok_tui.ui.widgets.forms import check_field, show_field_error

_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


class ReadingValue(Validator):
    """The value typed for the chosen meter: a number, not negative, at most three decimals, not
    below the reading it follows (messages from the catalogue, in the app's language)."""

    def __init__(self, modal: SubmitReadingModal) -> None:
        super().__init__()
        self.modal = modal

    def validate(self, value: str) -> ValidationResult:
        t, i18n = self.modal.t, self.modal.i18n
        if not value.strip():
            return self.failure(t("submit_reading.empty"))
        number = i18n.parse_decimal(value)
        if number is None:
            return self.failure(t("submit_reading.not_a_number"))
        if number < 0:
            return self.failure(t("submit_reading.negative"))
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -3:
            return self.failure(t("submit_reading.too_many_decimals"))
        previous = self.modal.previous_value()
        if previous is not None and number < previous[0]:
            return self.failure(
                t("submit_reading.below_last", last=i18n.volume(previous[0]), date=i18n.date(previous[1]))
            )
        return self.success()


class SubmitReadingModal(BaseModal):
    """Dismisses with the accepted (new or corrected) :class:`Reading`, or None when cancelled."""

    DEFAULT_CSS = (
        dialog_css("SubmitReadingModal", 72)
        + """
    SubmitReadingModal #point { height: auto; margin: 0 0 1 0; }
    SubmitReadingModal #already { color: $warning; height: auto; margin: 0 0 1 0; display: none; }
    SubmitReadingModal.-correction #already { display: block; }
    SubmitReadingModal #change { height: auto; display: none; }
    SubmitReadingModal.-correction #change { display: block; }
    SubmitReadingModal #meter-row { height: 1; margin: 0 0 1 0; }
    SubmitReadingModal #meter-row Label { width: auto; padding: 0 1 0 0; }
    SubmitReadingModal #meter { width: 30; }
    SubmitReadingModal #last { height: auto; }
    SubmitReadingModal #value { width: 30; }
    SubmitReadingModal #value-error { color: $error; height: auto; }
    SubmitReadingModal #hint { color: $text-muted; height: auto; }
    SubmitReadingModal Horizontal#buttons { height: auto; align-horizontal: right; margin: 1 0 0 0; }
    """
    )

    def __init__(self, info: ReadingsInfo, drafts: dict[str, str] | None = None, point: str | None = None) -> None:
        """``point``: the service point's name, for a customer with several (its meters only)."""
        super().__init__()
        self.info = info
        self.point = point
        self.meters = {m.number: m for m in info.meters}
        self.drafts = drafts if drafts is not None else {}
        self.meter_number = info.meters[0].number if info.meters else ""

    # --- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        t = self.t
        with Vertical(id="dialog"):
            yield Static(t("submit_reading.title"), id="title")
            if self.point is not None:
                yield Static(Text(t("points.reading_for", point=self.point)), id="point")
            yield Static("", id="already")  # this meter's self-reading of the period: correct it
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
            yield Input(
                self.drafts.get(self.meter_number, ""),
                placeholder=t("submit_reading.placeholder"),
                id="value",
                validators=[ReadingValue(self)],
                validate_on=(),  # checked when sent; typing clears the message
            )
            yield Static("", id="change")
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

    @property
    def submitted(self) -> Reading | None:
        """This meter's self-reading of the current period (then the form corrects it). Staff acting
        for the customer register readings only (the staff API has no correction route): for them
        a second reading in the period is refused by the server as already submitted."""
        meter = self.meter
        if meter is None or meter.self_reading_id is None or self.ebok.acting is not None:
            return None
        return next((r for r in self.info.items if str(r.id) == str(meter.self_reading_id)), None)

    def previous(self) -> Reading | None:
        """The reading a value is checked against: the meter's last one, or when correcting, the
        one before the self-reading being corrected (items are newest first)."""
        submitted = self.submitted
        own = [r for r in self.info.items if r.meter_number == self.meter_number]
        if submitted is None:
            return own[0] if own else None
        after = False
        for r in own:
            if after:
                return r
            after = str(r.id) == str(submitted.id)
        return None

    def previous_value(self) -> tuple[Decimal, date] | None:
        previous = self.previous()
        if previous is not None:
            return previous.value, previous.date
        meter = self.meter
        if self.submitted is None and meter is not None and meter.last_value is not None and meter.last_date:
            return meter.last_value, meter.last_date
        return None

    def show_last(self) -> None:
        t, i18n = self.t, self.i18n
        submitted = self.submitted
        self.set_class(submitted is not None, "-correction")
        previous = self.previous_value()
        if previous is None:
            text = t("submit_reading.no_last")
        else:
            key = "submit_reading.previous" if submitted is not None else "submit_reading.last"
            text = t(key, value=i18n.volume(previous[0]), date=i18n.date(previous[1]))
        self.query_one("#last", Static).update(Text(text))
        if submitted is not None:
            self.query_one("#already", Static).update(
                Text(
                    t(
                        "submit_reading.correct_intro",
                        value=i18n.volume(submitted.value),
                        date=i18n.date(submitted.date),
                        start=i18n.date(self.info.period.start),
                        end=i18n.date(self.info.period.end),
                    )
                )
            )
        self.query_one("#value-label", Label).update(
            t("submit_reading.value_corrected" if submitted is not None else "submit_reading.value")
        )
        self.query_one("#send", Button).label = t("submit_reading.correct" if submitted is not None else "bind.submit")
        self.show_change()

    def show_change(self) -> None:
        """Correcting: the value submitted and the one typed, side by side."""
        submitted = self.submitted
        if submitted is None:
            return
        i18n = self.i18n
        typed = i18n.parse_decimal(self.query_one("#value", Input).value)
        new = i18n.volume(typed) if typed is not None and typed >= 0 else "…"
        self.query_one("#change", Static).update(
            Text(self.t("submit_reading.change", old=i18n.volume(submitted.value), new=new))
        )

    # --- messages ------------------------------------------------------------------------------
    def field_error(self, message: str) -> None:
        show_field_error(self.query_one("#value-error", Static), self.query_one("#value", Input), message)

    def show_error(self, message: str) -> None:  # errors stay in the dialog, next to the value
        self.field_error(message)

    def clear_error(self) -> None:
        pass

    def on_api_error(self, error: ApiError) -> bool:
        t, i18n = self.t, self.i18n
        code = error.code
        if code == "reading_below_last":
            previous = self.previous_value()
            if previous is not None:
                message = t("submit_reading.below_last", last=i18n.volume(previous[0]), date=i18n.date(previous[1]))
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
        elif code == "reading_window_closed":
            message = t("submit_reading.correction_closed")
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
        self.show_change()

    @on(Input.Submitted, "#value")
    def _submitted(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        field = self.query_one("#value", Input)
        if not check_field(field, self.query_one("#value-error", Static)):
            field.focus()
            return
        value = self.i18n.parse_decimal(field.value)
        assert value is not None  # ReadingValue passed
        meter_number = self.meter_number
        submitted = self.submitted

        async def send() -> Reading:
            if submitted is not None:
                reading = await self.api.correct_reading(submitted.id, value)
            else:
                reading = await self.api.submit_reading(meter_number, value)
            self.finish(reading)
            return reading

        self.run_api(send, target=self.query_one("#dialog"), group="submit")
