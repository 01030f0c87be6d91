"""Otwórz klienta (open a customer): why (phone call, counter visit, written request, complaint
handling, other + text) and, for a phone call, the verification checklist — the caller confirmed
the customer number, and the address or the last invoice's amount. The server decides and records
the outcome: ``verification_failed`` is shown here and nothing is opened. Dismisses with True once
the staff session holds the access."""

from __future__ import annotations

from textual import getters, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, RadioSet, Static

from ebok_tui.core.api import ApiError, Forbidden
from ebok_tui.core.api.staff import ACCESS_REASONS, CustomerHit, Verification
from ebok_tui.ui.screens.base import BaseModal
from ebok_tui.ui.screens.staff.base import pressed_choice
from ebok_tui.ui.widgets.choice import Choice, TickBox
from ebok_tui.ui.widgets.chrome import ErrorBanner
from ebok_tui.ui.widgets.enter import EnterMovesOn

CHECKS = ("customer_number", "address", "last_invoice_amount")


class OpenCustomerModal(EnterMovesOn, BaseModal):
    ENTER = {"reason-text": "open"}
    DEFAULT_CSS = """
    OpenCustomerModal { align: center middle; }
    OpenCustomerModal > Vertical { width: 70; height: auto; max-height: 100%; border: thick $accent;
                                   background: $panel; padding: 0 1; }
    OpenCustomerModal #title { text-style: bold; height: auto; }
    OpenCustomerModal #address { color: $text-muted; height: auto; }
    OpenCustomerModal RadioSet { width: 1fr; height: auto; margin: 0; }
    OpenCustomerModal #reason-text { margin: 0; }
    OpenCustomerModal #checks { height: auto; display: none; margin: 1 0 0 0; }
    OpenCustomerModal.-phone #checks { display: block; }
    OpenCustomerModal #checks-title { text-style: bold; }
    OpenCustomerModal #text-error { display: none; }
    OpenCustomerModal #text-error.-shown { display: block; }
    OpenCustomerModal Horizontal#buttons { height: auto; align-horizontal: right; margin: 1 0 0 0; }
    OpenCustomerModal Button { margin: 0 0 0 2; }
    """

    reasons = getters.query_one("#reasons", RadioSet)
    reason_text = getters.query_one("#reason-text", Input)
    text_error = getters.query_one("#text-error", Static)

    def __init__(self, hit: CustomerHit) -> None:
        super().__init__()
        self.hit = hit

    def compose(self) -> ComposeResult:
        t = self.t
        with Vertical(id="dialog"):
            yield Label(t("staff_open.title", number=self.hit.customer_number, name=self.hit.full_name), id="title")
            yield Static(self.hit.address, id="address")
            with RadioSet(id="reasons", compact=True):
                for index, reason in enumerate(ACCESS_REASONS):
                    yield Choice(t(f"staff.reason_{reason}"), id=f"reason-{reason}", value=index == 0)
            yield Input(placeholder=t("staff_open.text_placeholder"), id="reason-text", max_length=500, compact=True)
            yield Static("", id="text-error", classes="field-error")
            with Vertical(id="checks"):
                yield Label(t("staff_open.checks_title"), id="checks-title")
                for check in CHECKS:
                    yield TickBox(t(f"staff_open.check_{check}"), id=f"check-{check}", compact=True)
                yield Static(t("staff_open.checks_rule"), classes="muted")
            yield ErrorBanner()
            with Horizontal(id="buttons"):
                yield Button(t("staff_open.open"), id="open", variant="primary", action="screen.open")
                yield Button(t("bind.cancel"), id="cancel", action="screen.cancel")

    def on_mount(self) -> None:
        self._reason_changed()
        self.reasons.focus()

    @property
    def reason(self) -> str:
        return pressed_choice(self.reasons, ACCESS_REASONS)

    @on(RadioSet.Changed, "#reasons")
    def _reason_changed(self) -> None:
        self.set_class(self.reason == "phone_call", "-phone")
        self.reason_text.placeholder = self.t(
            "staff_open.text_required" if self.reason == "other" else "staff_open.text_placeholder"
        )

    @on(Input.Changed, "#reason-text")
    def _text_changed(self) -> None:
        self.text_error.remove_class("-shown")

    def action_open(self) -> None:
        reason = self.reason
        text = self.reason_text.value.strip() or None
        if reason == "other" and text is None:
            self.text_error.update(self.t("staff_open.text_missing"))
            self.text_error.add_class("-shown")
            self.reason_text.focus()
            return
        verification = None
        if reason == "phone_call":
            verification = Verification(**{c: self.query_one(f"#check-{c}", Checkbox).value for c in CHECKS})
        self.clear_error()
        self.run_api(lambda: self._open(reason, text, verification), target=self.query_one("#dialog"))

    async def _open(self, reason: str, text: str | None, verification: Verification | None) -> None:
        await self.ebok.staff.open_customer(
            self.hit.customer_number, reason, reason_text=text, verification=verification
        )
        self.finish(True)

    def on_api_error(self, error: ApiError) -> bool:
        if isinstance(error, Forbidden) and error.code == "verification_failed":
            self.show_error(self.t("staff_open.verification_failed"))
            return True
        return False
