"""Typ klienta i NIP (the customer being served is a natural person, a business or a housing
community, the last two with their NIP), changed by a clerk with the reason, e.g. the business
register entry shown at the counter. The server checks the NIP's check digit, records the change in
the audit log, and from then on the customer's new invoices go through KSeF (or stop doing so);
invoices already issued keep what they were. Opened from the contract screen (``k``)."""

from __future__ import annotations

from textual import getters, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, RadioSet, Static

from ebok_tui.core.api import ApiError, ValidationFailed
from ebok_tui.core.api.staff import CUSTOMER_TYPES
from ebok_tui.core.validation import nip_digits, nip_problem
from ebok_tui.ui.screens.staff.base import ActingForm, pressed_choice
from ebok_tui.ui.widgets.choice import Choice
from ebok_tui.ui.widgets.enter import EnterMovesOn
from ebok_tui.ui.widgets.forms import Problem, check_fields, show_field_error

REASON_MIN, REASON_MAX = 3, 500  # as the server takes it (docs/API.md)


def reason_problem(text: str) -> str | None:
    return "short" if len(text.strip()) < REASON_MIN else None


class CustomerTypeScreen(EnterMovesOn, ActingForm):
    # only for staff acting for the customer with the permission (the contract screen opens it)
    ACTING = {"send": "customer_type"}
    TITLE_KEY = "staff_customer_type.title"
    ENTER = {"nip": "#reason", "reason": "send"}

    DEFAULT_CSS = """
    CustomerTypeScreen #current { height: auto; }
    CustomerTypeScreen #type-row { height: auto; }
    CustomerTypeScreen .row Label { width: 14; }
    CustomerTypeScreen #types { width: 1fr; height: auto; margin: 0; }
    CustomerTypeScreen .field-error { padding: 0 0 0 14; }
    CustomerTypeScreen #save { margin: 1 0 0 14; }
    """

    types = getters.query_one("#types", RadioSet)
    nip = getters.query_one("#nip", Input)
    reason = getters.query_one("#reason", Input)

    def compose_body(self) -> ComposeResult:
        t = self.t
        access = self.ebok.acting
        current = access.customer.customer_type if access is not None else "person"
        yield Static(t("staff_customer_type.intro"), id="intro", classes="muted")
        yield Static(id="current")
        with Horizontal(id="type-row", classes="row"):
            yield Label(t("staff_customer_type.type"))
            with RadioSet(id="types", compact=True):
                for kind in CUSTOMER_TYPES:
                    yield Choice(t(f"staff_customer_type.type_{kind}"), id=f"type-{kind}", value=kind == current)
        with Horizontal(classes="row"):
            yield Label(t("staff_customer_type.nip"))
            yield Input(
                value=(access.customer.nip or "") if access is not None else "",
                placeholder=t("staff_customer_type.nip_placeholder"),
                id="nip",
                max_length=20,
                compact=True,
                validators=[
                    Problem(
                        nip_problem,
                        {"empty": t("error.nip_required"), "invalid": t("error.invalid_nip")},
                    )
                ],
                validate_on=(),
            )
        yield Static("", id="nip-error", classes="field-error")
        with Horizontal(classes="row"):
            yield Label(t("staff_customer_type.reason"))
            yield Input(
                placeholder=t("staff_customer_type.reason_placeholder"),
                id="reason",
                max_length=REASON_MAX,
                compact=True,
                validators=[Problem(reason_problem, {"short": t("staff_customer_type.reason_missing")})],
                validate_on=(),
            )
        yield Static("", id="reason-error", classes="field-error")
        yield Button(t("staff_customer_type.save"), id="save", variant="primary", action="screen.send")

    def on_mount(self) -> None:
        super().on_mount()
        for field in (self.nip, self.reason):
            # one-line rows: app.tcss's tall error border (which outranks DEFAULT_CSS) would leave
            # no line for the text; an inline style outranks it, and a wrong field keeps
            # Textual's compact error tint
            field.styles.border = ("none", "transparent")
        self._show_current()
        self._nip_shown()
        self.types.focus()

    def _show_current(self) -> None:
        access = self.ebok.acting
        if access is None:
            return
        c = access.customer
        kind = self.t(f"staff_customer_type.type_{c.customer_type}")
        key = "staff_customer_type.current_nip" if c.nip else "staff_customer_type.current"
        self.query_one("#current", Static).update(self.t(key, type=kind, nip=c.nip or ""))

    @property
    def chosen(self) -> str:
        return pressed_choice(self.types, CUSTOMER_TYPES)

    @on(RadioSet.Changed, "#types")
    def _nip_shown(self) -> None:
        """A person has no NIP: the field is off (and its error cleared) while "person" is chosen."""
        person = self.chosen == "person"
        self.nip.disabled = person
        if person:
            show_field_error(self.query_one("#nip-error", Static), self.nip, None)

    def action_send(self) -> None:
        if not self.may_send():
            return
        kind = self.chosen
        fields = [(self.reason, self.query_one("#reason-error", Static))]
        if kind != "person":
            fields.insert(0, (self.nip, self.query_one("#nip-error", Static)))
        if not check_fields(fields):
            return
        nip = nip_digits(self.nip.value) if kind != "person" else None
        reason = self.reason.value.strip()
        self.submit(lambda: self._save(kind, nip, reason), "staff_customer_type.saved")

    async def _save(self, kind: str, nip: str | None, reason: str) -> None:
        await self.ebok.staff.set_customer_type(kind, nip, reason)

    def on_api_error(self, error: ApiError) -> bool:
        if isinstance(error, ValidationFailed):
            messages = self.field_messages(error)
            for field in ("nip", "reason"):
                if field in messages:
                    widget = self.query_one(f"#{field}", Input)
                    show_field_error(self.query_one(f"#{field}-error", Static), widget, messages[field])
                    widget.focus()
                    return True
        return False
