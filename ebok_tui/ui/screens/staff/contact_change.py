"""Wniosek o zmianę danych kontaktowych (a contact-data change request, recorded by a clerk for the
customer being served): the new name, address, e-mail and/or phone and a note. The server records
it as a ``contract_change`` thread of the customer (the back office checks and makes the change)
and in the audit log, before and after. Sent once: a resend after a lost reply carries the same
Idempotency-Key."""

from __future__ import annotations

import uuid

from textual import getters, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Static

from ebok_tui.core.api import ApiError, ValidationFailed
from ebok_tui.core.validation import email_problem, phone_problem
from ebok_tui.ui.screens.staff.base import ActingForm
from ebok_tui.ui.widgets.forms import Problem, check_field, show_field_error

FIELDS = ("full_name", "address", "email", "phone", "note")
MAX_LENGTH = {"full_name": 200, "address": 300, "email": 254, "phone": 40, "note": 2000}


class ContactChangeScreen(ActingForm):
    # only for staff acting for the customer with the permission (the contract screen opens it)
    ACTING = {"send": "contact_change"}
    TITLE_KEY = "staff_contact.title"

    DEFAULT_CSS = """
    ContactChangeScreen .row Label { width: 22; }
    ContactChangeScreen .field-error { padding: 0 0 0 22; }
    ContactChangeScreen #current { height: auto; margin: 1 0 0 0; color: $text-muted; }
    ContactChangeScreen #send { margin: 1 0 0 22; }
    """

    current = getters.query_one("#current", Static)

    def __init__(self) -> None:
        super().__init__()
        self._key = str(uuid.uuid4())  # one request, however often it is sent

    def compose_body(self) -> ComposeResult:
        t = self.t
        yield Static(t("staff_contact.intro"), id="intro", classes="muted")
        validators = {
            "email": [Problem(lambda v: None if not v else email_problem(v), {"invalid": t("efaktura.email_invalid")})],
            "phone": [Problem(phone_problem, {"invalid": t("staff_contact.phone_invalid")})],
        }
        for field in FIELDS:
            with Horizontal(classes="row"):
                yield Label(t(f"staff_contact.{field}"))
                yield Input(
                    id=field,
                    max_length=MAX_LENGTH[field],
                    compact=True,
                    validators=validators.get(field, []),
                    validate_on=(),
                )
            yield Static("", id=f"{field}-error", classes="field-error")
        yield Static(id="current")
        yield Button(t("staff_contact.send"), id="send", variant="primary", action="screen.send")

    def on_mount(self) -> None:
        super().on_mount()
        access = self.ebok.acting
        if access is not None:
            c = access.customer
            none = self.t("app.none")
            self.current.update(
                self.t(
                    "staff_contact.current",
                    name=c.full_name,
                    address=c.address,
                    email=c.email or none,
                    phone=c.phone or none,
                )
            )
        self.query_one("#full_name", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        index = FIELDS.index(event.input.id) if event.input.id in FIELDS else -1
        if 0 <= index < len(FIELDS) - 1:
            self.query_one(f"#{FIELDS[index + 1]}", Input).focus()
        else:
            self.action_send()

    def _values(self) -> dict[str, str]:
        return {f: v for f in FIELDS if (v := self.query_one(f"#{f}", Input).value.strip())}

    def action_send(self) -> None:
        if not self.may_send():
            return
        for field in FIELDS:
            widget = self.query_one(f"#{field}", Input)
            if not check_field(widget, self.query_one(f"#{field}-error", Static)):
                widget.focus()
                return
        values = self._values()
        if not set(values) - {"note"}:
            self.show_error(self.t("staff_contact.nothing"))
            self.query_one("#full_name", Input).focus()
            return
        self.submit(
            lambda: self.api.contact_change(**values, idempotency_key=self._key),  # type: ignore[attr-defined]
            "staff_contact.sent",
        )

    def on_api_error(self, error: ApiError) -> bool:
        if isinstance(error, ValidationFailed):
            fields = {k: v for k, v in self.field_messages(error).items() if k in FIELDS}
            for field, message in fields.items():
                show_field_error(self.query_one(f"#{field}-error", Static), self.query_one(f"#{field}", Input), message)
            if fields:
                self.query_one(f"#{next(iter(fields))}", Input).focus()
                return True
        return False
