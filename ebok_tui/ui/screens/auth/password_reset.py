"""Odzyskiwanie hasła (password reset), pushed from the login screen.

Customer number + the e-mail on file; the server always answers 202 and, when they match, mails
a new generated password (and signs out every session).
"""

from __future__ import annotations

from ebok_tui.ui.screens.auth.public_form import FormField, PublicForm
from ebok_tui.core.validation import valid_customer_number


class PasswordResetScreen(PublicForm):
    TITLE_KEY = "reset.title"
    INTRO_KEY = "reset.intro"
    SUBMIT_KEY = "reset.submit"
    DONE_KEY = "reset.done"
    FIELDS = (
        FormField(
            "customer_number",
            "reset.customer_number",
            {"restrict": r"\d*", "max_length": 5, "placeholder": "12345"},
        ),
        FormField("email", "reset.email", {"max_length": 254, "placeholder": "jan.kowalski@example.pl"}),
    )

    def __init__(self, customer_number: str = "") -> None:
        super().__init__(customer_number=customer_number)

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not valid_customer_number(self.value("customer_number")):
            errors["customer_number"] = self.t("reset.error_customer_number")
        if email_error := self.email_error():
            errors["email"] = email_error
        return errors

    async def send(self) -> None:
        await self.api.reset_password(self.value("customer_number"), self.value("email"))

    def done_text(self) -> str:
        return self.t("reset.done", email=self.value("email"))
