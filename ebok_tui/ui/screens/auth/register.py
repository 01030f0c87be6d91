"""Wniosek o dostęp do eBOK (first-time access), pushed from the login screen, in two steps.

1. :class:`RegisterScreen`: contract number, meter number and the gross amount of one of the
   last three invoices. The server always answers 202 (no account enumeration); when they match
   a customer without online access, it mails a one-time access code to the address it has on
   file, or sends it by post.
2. :class:`RegisterCodeScreen` ("Mam kod"): customer number, the code and the resident's own
   password.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.validation import Function, Validator

from ebok_tui.core.validation import parse_amount_grosze
from ebok_tui.ui.screens.auth.public_form import CodeForm, FormField, PublicForm
from ebok_tui.ui.widgets.forms import Required


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

    def field_validators(self) -> dict[str, list[Validator]]:
        return {
            "contract_number": [Required(self.t("register.error_contract_number"))],
            "meter_number": [Required(self.t("register.error_meter_number"))],
            "invoice_gross": [
                Function(lambda text: parse_amount_grosze(text) is not None, self.t("register.error_invoice_gross"))
            ],
        }

    async def send(self) -> None:
        await self.api.register(
            self.value("contract_number"),
            self.value("meter_number"),
            parse_amount_grosze(self.value("invoice_gross")) or 0,
        )

    def open_next_step(self) -> None:
        self.app.switch_screen(RegisterCodeScreen())


class RegisterCodeScreen(CodeForm):
    KEYS = "register.code_"

    def confirm(self) -> Callable[[str, str, str], Awaitable[None]]:
        return self.api.confirm_registration
