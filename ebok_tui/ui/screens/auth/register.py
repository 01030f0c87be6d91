"""Wniosek o dostęp do eBOK (first-time access), pushed from the login screen, in two steps.

1. :class:`RegisterScreen`: contract number, meter number and the gross amount of one of the
   last three invoices. The server always answers 202 (no account enumeration); when they match
   a customer without online access, it mails a one-time access code to the address it has on
   file, or sends it by post.
2. :class:`RegisterCodeScreen` ("Mam kod"): customer number, the code and the resident's own
   password.
"""

from __future__ import annotations

from ebok_tui.core.validation import parse_amount_grosze
from ebok_tui.ui.screens.auth.public_form import CodeForm, FormField, PublicForm


class RegisterScreen(PublicForm):
    TITLE_KEY = "register.title"
    INTRO_KEY = "register.intro"
    SUBMIT_KEY = "register.submit"
    DONE_KEY = "register.done"
    NEXT_STEP_KEY = "register.have_code"
    FIELDS = (
        FormField(
            "contract_number",
            "register.contract_number",
            {"max_length": 40, "placeholder_key": "register.contract_number_placeholder"},
        ),
        FormField(
            "meter_number",
            "register.meter_number",
            {"max_length": 40, "placeholder_key": "register.meter_number_placeholder"},
        ),
        FormField("invoice_gross", "register.invoice_gross", {"max_length": 20, "placeholder": "123,45"}),
    )

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.value("contract_number"):
            errors["contract_number"] = self.t("register.error_contract_number")
        if not self.value("meter_number"):
            errors["meter_number"] = self.t("register.error_meter_number")
        if parse_amount_grosze(self.value("invoice_gross")) is None:
            errors["invoice_gross"] = self.t("register.error_invoice_gross")
        return errors

    async def send(self) -> None:
        await self.api.register(
            self.value("contract_number"),
            self.value("meter_number"),
            parse_amount_grosze(self.value("invoice_gross")) or 0,
        )

    def open_next_step(self) -> None:
        self.app.switch_screen(RegisterCodeScreen())


class RegisterCodeScreen(CodeForm):
    TITLE_KEY = "register.code_title"
    INTRO_KEY = "register.code_intro"
    SUBMIT_KEY = "register.code_submit"
    DONE_KEY = "register.code_done"

    async def send(self) -> None:
        await self.api.confirm_registration(self.value("customer_number"), self.value("code"), self.password())
