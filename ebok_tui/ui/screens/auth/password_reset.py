"""Odzyskiwanie hasła (password reset), pushed from the login screen, in two steps.

1. :class:`PasswordResetScreen`: customer number + the e-mail on file. The server always answers
   202 and, when they match, mails a one-time code (valid 30 minutes). Nothing changes yet.
2. :class:`ResetCodeScreen` ("Mam kod"): the code and a new password (twice); then every session
   of the customer is signed out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.validation import Function, Validator

from ebok_tui.core.validation import EMAIL_MAX_LENGTH, email_problem, valid_customer_number
from ebok_tui.ui.screens.auth.public_form import CodeForm, FormField, PublicForm
from ebok_tui.ui.widgets.forms import Problem


class PasswordResetScreen(PublicForm):
    TITLE_KEY = "reset.title"
    INTRO_KEY = "reset.intro"
    SUBMIT_KEY = "reset.submit"
    DONE_KEY = "reset.done"
    NEXT_STEP_KEY = "reset.have_code"
    FIELDS = (
        FormField(
            "customer_number",
            "reset.customer_number",
            {"restrict": r"\d*", "max_length": 5, "placeholder": "12345"},
        ),
        FormField("email", "reset.email", {"max_length": EMAIL_MAX_LENGTH, "placeholder": "jan.kowalski@example.pl"}),
    )

    def __init__(self, customer_number: str = "") -> None:
        super().__init__(customer_number=customer_number)

    def field_validators(self) -> dict[str, list[Validator]]:
        return {
            "customer_number": [Function(valid_customer_number, self.t("reset.error_customer_number"))],
            "email": [
                Problem(
                    email_problem,
                    {"empty": self.t("public.error_email_empty"), "invalid": self.t("public.error_email")},
                )
            ],
        }

    async def send(self) -> None:
        await self.api.reset_password(self.value("customer_number"), self.value("email"))

    def done_text(self) -> str:
        return self.t("reset.done", email=self.value("email"))

    def open_next_step(self) -> None:
        self.app.switch_screen(ResetCodeScreen(self.value("customer_number")))


class ResetCodeScreen(CodeForm):
    KEYS = "reset.code_"

    def confirm(self) -> Callable[[str, str, str], Awaitable[None]]:
        return self.api.confirm_password_reset
