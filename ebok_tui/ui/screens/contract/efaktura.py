"""e-FAKTURA: status, the billing fee with and without it, activate / change e-mail / withdraw.

Fees come from the API (``fee_with_gross`` / ``fee_without_gross`` / ``current_fee_gross``, grosze)
and are formatted with ``i18n.money``. The e-mail the resident typed stays in the field on any
error; the server's 422 is shown under the field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.table import Table
from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.validation import Function
from textual.widgets import Button, Input, Label, Static

from ebok_tui.core.api import ApiError, EFaktura, ValidationFailed
from ebok_tui.core.api.staff import Consent
from ebok_tui.ui.screens.base import BaseModal, SectionScreen
from ebok_tui.ui.staff_sections import load_staff_screen
from ebok_tui.ui.widgets.forms import Problem, check_field, show_field_error
from ebok_tui.core.validation import EMAIL_MAX_LENGTH
from ebok_tui.core.validation import email_problem


class ConfirmWithdrawModal(BaseModal):
    """Asks before withdrawing consent; says the fee goes back up. Dismisses with True/None."""

    DEFAULT_CSS = """
    ConfirmWithdrawModal { align: center middle; }
    ConfirmWithdrawModal #dialog {
        width: 64; height: auto; padding: 1 2; border: thick $warning; background: $panel;
    }
    ConfirmWithdrawModal #dialog-title { text-style: bold; margin-bottom: 1; }
    ConfirmWithdrawModal #dialog-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmWithdrawModal Button { margin-left: 2; }
    """

    def __init__(self, status: EFaktura) -> None:
        super().__init__()
        self.status = status

    def compose(self) -> ComposeResult:
        money = self.i18n.money
        with Vertical(id="dialog"):
            yield Static(self.t("efaktura.confirm_title"), id="dialog-title")
            yield Static(
                self.t(
                    "efaktura.confirm_text",
                    fee=money(self.status.fee_without_gross),
                    fee_with=money(self.status.fee_with_gross),
                ),
                id="dialog-text",
            )
            with Horizontal(id="dialog-buttons"):
                yield Button(
                    self.t("efaktura.confirm_yes"), id="confirm-yes", variant="error", action="screen.dismiss(True)"
                )
                yield Button(self.t("efaktura.confirm_no"), id="confirm-no", variant="primary", action="screen.dismiss")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()  # the safe choice is the default


class EFakturaScreen(SectionScreen):
    SECTION = "efaktura"
    AUTO_FOCUS = ""  # keep 1–7 / r working until the resident chooses the field (e or Tab)

    # staff acting for the customer change e-FAKTURA only with the "efaktura" permission, and record
    # how the customer consented (art. 106n of the VAT act: any form) in the consent dialog
    ACTING = {"focus_email": "efaktura", "withdraw": "efaktura", "submit": "efaktura"}

    BINDINGS = [
        Binding("e", "focus_email", "efaktura.bind_email"),
        Binding("w", "withdraw", "efaktura.bind_withdraw"),
        Binding("escape", "unfocus", "bind.back", show=False),
    ]

    DEFAULT_CSS = """
    EFakturaScreen #status { height: auto; margin: 1 0 0 0; }
    EFakturaScreen #fees { height: auto; margin: 1 0 0 0; }
    EFakturaScreen #fee-now { height: auto; margin: 0 0 1 0; }
    EFakturaScreen #form { height: auto; }
    EFakturaScreen #form-title { text-style: bold; }
    EFakturaScreen #email-row { height: 3; }
    EFakturaScreen #email { width: 1fr; }
    EFakturaScreen #email-row Button { margin-left: 1; }
    EFakturaScreen #email-error { height: auto; padding: 0 1; }
    """

    # queried on each use (textual.getters)
    email_input = getters.query_one("#email", Input)
    email_error = getters.query_one("#email-error", Static)

    def __init__(self) -> None:
        super().__init__()
        self.status: EFaktura | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="status")
        yield Static(id="fees")
        yield Static(id="fee-now")
        with Vertical(id="form"):
            yield Label("", id="form-title")
            with Horizontal(id="email-row"):
                yield Input(
                    placeholder=self.t("efaktura.email_placeholder"),
                    id="email",
                    type="text",
                    max_length=EMAIL_MAX_LENGTH,
                    validators=[
                        Problem(email_problem, {p: self.t(f"efaktura.email_{p}") for p in ("empty", "invalid")}),
                        Function(lambda text: not self._is_current_address(text), self.t("efaktura.email_same")),
                    ],
                    validate_on=(),
                )
                yield Button(self.t("efaktura.activate"), id="submit", variant="primary")
                yield Button(self.t("efaktura.withdraw"), id="withdraw", variant="error", action="screen.withdraw")
            yield Static("", id="email-error", classes="field-error")

    def on_mount(self) -> None:
        self.query_one("#form").display = False  # until the status is known

    # --- data ----------------------------------------------------------------------------------
    async def load(self) -> None:
        self.show_status(await self.api.efaktura())

    def show_status(self, status: EFaktura) -> None:
        self.status = status
        t, money, i18n = self.t, self.i18n.money, self.i18n

        line = Text()
        line.append(f"{t('efaktura.status_label')}: ", style="bold")
        if status.active:
            since = i18n.date(status.activated_at.date()) if status.activated_at else t("app.none")
            line.append(t("efaktura.status_active", date=since), style="bold green")
            line.append("\n")
            line.append(f"{t('efaktura.email_label')}: ", style="bold")
            line.append(status.email or t("app.none"))
        else:
            line.append(t("efaktura.status_inactive"), style="bold yellow")
        self.query_one("#status", Static).update(line)

        fees = Table.grid(padding=(0, 2))
        fees.add_column(no_wrap=True)
        fees.add_column(justify="right", no_wrap=True)
        fees.add_column()
        current = status.current_fee_gross
        for key, amount, applies in (
            ("efaktura.fee_with", status.fee_with_gross, status.active),
            ("efaktura.fee_without", status.fee_without_gross, not status.active),
        ):
            style = "bold" if applies else "dim"
            fees.add_row(
                Text(("▶ " if applies else "  ") + t(key), style=style),
                Text(money(amount), style=style),
                Text(t("efaktura.fee_applies") if applies else "", style="bold"),
            )
        title = Text(t("efaktura.fee_title"), style="bold")
        box = Table.grid()
        box.add_row(title)
        box.add_row(fees)
        self.query_one("#fees", Static).update(box)

        now_key = "efaktura.now_active" if status.active else "efaktura.now_inactive"
        self.query_one("#fee-now", Static).update(t(now_key, fee=money(current), fee_with=money(status.fee_with_gross)))

        self.query_one("#form-title", Label).update(
            t("efaktura.form_change") if status.active else t("efaktura.form_activate")
        )
        self.query_one("#submit", Button).label = t("efaktura.change") if status.active else t("efaktura.activate")
        self.query_one("#withdraw", Button).display = status.active
        self.query_one("#form").display = self.acting_allows("submit")
        self.refresh_bindings()

    # --- actions -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.acting_allows(action):
            return False
        if action == "withdraw":
            return bool(self.status and self.status.active)
        if action == "focus_email":
            return self.status is not None
        return True

    def action_focus_email(self) -> None:
        self.email_input.focus()

    def action_unfocus(self) -> None:
        self.set_focus(None)

    def set_email_error(self, message: str | None) -> None:
        show_field_error(self.email_error, self.email_input, message)

    def _is_current_address(self, text: str) -> bool:
        """Invoices already go to ``text``."""
        status = self.status
        return bool(status and status.active and text.strip().lower() == (status.email or "").lower())

    @on(Input.Submitted, "#email")
    @on(Button.Pressed, "#submit")
    def submit(self) -> None:
        if self.status is None or not self.acting_allows("submit"):
            return
        field = self.email_input
        email = field.value.strip()
        if not check_field(field, self.email_error):
            field.focus()
            return
        was_active = self.status.active
        self._with_consent(lambda consent: self._activate(email, was_active, consent))

    def _with_consent(self, change: Callable[[Consent | None], Awaitable[None]]) -> None:
        """Run ``change``; staff acting for the customer first say how the customer consented
        (the server records it; cancelling the dialog changes nothing)."""
        if self.ebok.acting is None:
            self.run_api(lambda: change(None), group="change")
            return

        def answered(consent: Consent | None) -> None:
            if consent is not None:
                self.run_api(lambda: change(consent), group="change")

        self.app.push_screen(load_staff_screen("consent")(), callback=answered)

    async def _activate(self, email: str, was_active: bool, consent: Consent | None = None) -> None:
        try:
            if consent is not None:  # the acting client's e-FAKTURA change carries the consent
                status = await self.api.efaktura_activate(email, consent=consent)  # type: ignore[call-arg]
            else:
                status = await self.api.efaktura_activate(email)
        except ValidationFailed as error:
            fields = self.field_messages(error)
            self.set_email_error(fields.get("email") or self.error_message(error))
            self.email_input.focus()
            return
        self.email_input.value = ""
        key = "efaktura.changed" if was_active else "efaktura.activated"
        self.notify(
            self.t(key, email=status.email or email, fee=self.i18n.money(status.current_fee_gross)), markup=False
        )
        await self._after_change(status)

    def action_withdraw(self) -> None:
        if self.status is None or not self.status.active:
            return
        self.app.push_screen(ConfirmWithdrawModal(self.status), callback=self._withdraw_answer)

    def _withdraw_answer(self, confirmed: bool | None) -> None:
        if confirmed:
            self._with_consent(self._withdraw)

    async def _withdraw(self, consent: Consent | None = None) -> None:
        if consent is not None:
            status = await self.api.efaktura_withdraw(consent=consent)  # type: ignore[call-arg]
        else:
            status = await self.api.efaktura_withdraw()
        self.notify(self.t("efaktura.withdrawn", fee=self.i18n.money(status.current_fee_gross)), markup=False)
        await self._after_change(status)

    async def _after_change(self, status: EFaktura) -> None:
        """Show the status the server answered with (PUT / DELETE reply with the full status
        object, as GET does) and refresh ``session.me``, which carries efaktura_active."""
        self.show_status(status)
        try:
            self.session.refreshed(await self.api.me())
        except ApiError:
            pass  # the change itself succeeded; the header refreshes on the next screen
