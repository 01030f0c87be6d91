"""Wniosek o dostęp do eBOK (registration request), pushed from the login screen.

The resident gives their name, e-mail and the contract and meter numbers as printed on the
contract / meter; the server always answers 202 (no account enumeration) and, when contract and
meter match, mails the customer number and a generated password.
"""

from __future__ import annotations

from ebok_tui.ui.screens.auth.public_form import FormField, PublicForm


class RegisterScreen(PublicForm):
    TITLE_KEY = "register.title"
    INTRO_KEY = "register.intro"
    SUBMIT_KEY = "register.submit"
    DONE_KEY = "register.done"
    FIELDS = (
        FormField("full_name", "register.full_name", {"max_length": 200}),
        FormField("email", "register.email", {"max_length": 254, "placeholder": "jan.kowalski@example.pl"}),
        FormField("contract_number", "register.contract_number", {"max_length": 50, "placeholder": "UM/2015/00123"}),
        FormField("meter_number", "register.meter_number", {"max_length": 50, "placeholder": "WM-1234567"}),
    )

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.value("full_name"):
            errors["full_name"] = self.t("register.error_full_name")
        if email_error := self.email_error():
            errors["email"] = email_error
        if not self.value("contract_number"):
            errors["contract_number"] = self.t("register.error_contract_number")
        if not self.value("meter_number"):
            errors["meter_number"] = self.t("register.error_meter_number")
        return errors

    async def send(self) -> None:
        await self.api.register(
            self.value("full_name"), self.value("email"), self.value("contract_number"), self.value("meter_number")
        )

    def done_text(self) -> str:
        return self.t("register.done", email=self.value("email"))
