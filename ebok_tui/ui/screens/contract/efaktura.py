"""e-FAKTURA: status, the billing fee with and without it, the consent history, and the steps of
consent (art. 106n of the VAT act).

The resident opens the terms dialog (``e``): the terms the server serves (scrollable), an accept
checkbox and the address. Sending it asks the server to mail a 6-digit code to that address; the
screen then shows the code step (``k``), and e-FAKTURA is switched on (or moves to the new address)
only once the code is confirmed. In a demo the code mail is in the demo mailbox (``ctrl+o``).
Withdrawal (``w``) asks first. Staff acting for a customer use the same dialog; instead of a code
they record how the customer consented (the consent dialog) and the server mails the address a
notice. Fees come from the API (grosze) and are formatted with ``i18n.money``. What the resident
typed stays in its field on any error; the server's 422 is shown under the field.
"""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.validation import Function
from textual.widgets import Button, Checkbox, Input, Label, Static

from ebok_tui.core.api import ApiError, EFaktura, EFakturaTerms, ValidationFailed
from ebok_tui.core.api.staff import Consent
from ebok_tui.core.validation import EMAIL_MAX_LENGTH, email_problem
from ebok_tui.ui.screens.base import BaseModal, SectionScreen
from ebok_tui.ui.staff_sections import load_staff_screen
from ebok_tui.ui.widgets.forms import Problem, check_field, show_field_error

EVENT_KEYS = {
    "given": "efaktura.event_given",
    "address_changed": "efaktura.event_address_changed",
    "withdrawn": "efaktura.event_withdrawn",
}
CHANNEL_KEYS = {
    "app": "efaktura.channel_app",
    "staff": "efaktura.channel_staff",
    "before_history": "efaktura.channel_before_history",
}


def _code_problem(text: str) -> str | None:
    if not text:
        return "empty"
    return None if re.fullmatch(r"[0-9]{6}", text) else "invalid"


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


class TermsModal(BaseModal):
    """The terms (scrollable), the accept checkbox and the address. The resident's request mails a
    code (the screen then asks for it); staff record the customer's consent instead. Dismisses
    with the status the server answered, or None (nothing changed)."""

    DEFAULT_CSS = """
    TermsModal { align: center middle; }
    TermsModal #dialog { width: 78; height: auto; max-height: 24; padding: 0 1; border: thick $accent;
                         background: $panel; }
    TermsModal #dialog-title { text-style: bold; height: 1; }
    TermsModal #terms { height: 10; border: round $panel-lighten-2; padding: 0 1; }
    TermsModal #terms:focus { border: round $accent; }
    TermsModal #accept { width: 1fr; }
    TermsModal #email { width: 1fr; }
    TermsModal .field-error { height: auto; }
    TermsModal #dialog-buttons { height: 1; align-horizontal: right; }
    TermsModal #dialog-buttons Button { margin-left: 2; }
    """

    email_input = getters.query_one("#email", Input)
    email_error = getters.query_one("#email-error", Static)
    accept = getters.query_one("#accept", Checkbox)
    accept_error = getters.query_one("#accept-error", Static)

    def __init__(self, status: EFaktura, terms: EFakturaTerms) -> None:
        super().__init__()
        self.status = status
        self.terms = terms

    def compose(self) -> ComposeResult:
        t = self.t
        acting = self.ebok.acting is not None
        text = self.terms.text.get(self.i18n.lang) or self.terms.text.get("pl", "")
        with Vertical(id="dialog"):
            title = "efaktura.terms_title_change" if self.status.active else "efaktura.terms_title"
            yield Label(t(title), id="dialog-title")
            with VerticalScroll(id="terms", can_focus=True):
                yield Static(Text(text), id="terms-text")
            yield Checkbox(
                t("efaktura.accept_staff" if acting else "efaktura.accept", version=self.terms.version),
                id="accept",
                compact=True,
            )
            yield Static("", id="accept-error", classes="field-error")
            yield Input(
                placeholder=t("efaktura.email_placeholder"),
                id="email",
                type="text",
                max_length=EMAIL_MAX_LENGTH,
                validators=[
                    Problem(email_problem, {p: t(f"efaktura.email_{p}") for p in ("empty", "invalid")}),
                    Function(lambda text: not self._is_current_address(text), t("efaktura.email_same")),
                ],
                validate_on=(),
                compact=True,
            )
            yield Static("", id="email-error", classes="field-error")
            with Horizontal(id="dialog-buttons"):
                yield Button(
                    t("efaktura.record" if acting else "efaktura.send_code"),
                    id="send",
                    variant="primary",
                    action="screen.send",
                    compact=True,
                )
                yield Button(t("bind.cancel"), id="cancel", action="screen.cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#terms").focus()

    def _is_current_address(self, text: str) -> bool:
        """Invoices already go to ``text``."""
        status = self.status
        return bool(status.active and text.strip().lower() == (status.email or "").lower())

    @on(Checkbox.Changed, "#accept")
    def _accepted(self) -> None:
        show_field_error(self.accept_error, self.accept, None)

    @on(Input.Submitted, "#email")
    def action_send(self) -> None:
        accepted = self.accept.value
        show_field_error(self.accept_error, self.accept, None if accepted else self.t("efaktura.accept_needed"))
        email_ok = check_field(self.email_input, self.email_error)
        if not accepted:
            self.accept.focus()
            return
        if not email_ok:
            self.email_input.focus()
            return
        email = self.email_input.value.strip()
        if self.ebok.acting is None:
            self.run_api(lambda: self._request(email), group="change")
            return

        def answered(consent: Consent | None) -> None:
            if consent is not None:
                self.run_api(lambda: self._record(email, consent), group="change")

        self.app.push_screen(load_staff_screen("consent")(self.terms.version), callback=answered)

    async def _request(self, email: str) -> None:
        try:
            status = await self.api.efaktura_request(email, self.terms.version)
        except ValidationFailed as error:
            self._rejected(error)
            return
        self.dismiss(status)

    async def _record(self, email: str, consent: Consent) -> None:
        try:
            status = await self.api.efaktura_record(email, self.terms.version, consent=consent)  # type: ignore[attr-defined]
        except ValidationFailed as error:
            self._rejected(error)
            return
        self.dismiss(status)

    def _rejected(self, error: ValidationFailed) -> None:
        fields = self.field_messages(error)
        if "terms_version" in fields:  # the terms changed meanwhile: read them again
            show_field_error(self.accept_error, self.accept, self.error_message(error))
            self.accept.focus()
            return
        show_field_error(self.email_error, self.email_input, fields.get("email") or self.error_message(error))
        self.email_input.focus()


class EFakturaScreen(SectionScreen):
    SECTION = "efaktura"
    AUTO_FOCUS = ""  # keep 1–7 / r working until the resident chooses a field

    # staff acting for the customer change e-FAKTURA only with the "efaktura" permission, and record
    # how the customer consented (art. 106n of the VAT act: any form) in the consent dialog
    ACTING = {"start": "efaktura", "withdraw": "efaktura"}

    BINDINGS = [
        Binding("e", "start", "efaktura.bind_start"),
        Binding("k", "focus_code", "efaktura.bind_code"),
        Binding("w", "withdraw", "efaktura.bind_withdraw"),
        Binding("ctrl+o", "demo_mail", "bind.demo_mail"),  # demo, while a code is awaited (check_action)
        Binding("escape", "unfocus", "bind.back", show=False),
    ]

    DEFAULT_CSS = """
    EFakturaScreen #efaktura-scroll { height: 1fr; }
    EFakturaScreen #status { height: auto; margin: 1 0 0 0; }
    EFakturaScreen #fees { height: auto; margin: 1 0 0 0; }
    EFakturaScreen #fee-now { height: auto; }
    EFakturaScreen #pending { height: auto; margin: 1 0 0 0; border-left: thick $warning; padding: 0 1; }
    EFakturaScreen #code-row { height: 1; }
    EFakturaScreen #code { width: 12; }
    EFakturaScreen #code-row Button { margin-left: 2; }
    EFakturaScreen #code-error { height: auto; }
    EFakturaScreen #actions { height: 1; margin: 1 0 0 0; }
    EFakturaScreen #actions Button { margin-right: 2; }
    EFakturaScreen #history { height: auto; margin: 1 0 0 0; }
    """

    code_input = getters.query_one("#code", Input)
    code_error = getters.query_one("#code-error", Static)

    def __init__(self) -> None:
        super().__init__()
        self.status: EFaktura | None = None

    def compose_body(self) -> ComposeResult:
        t = self.t
        with VerticalScroll(id="efaktura-scroll"):
            yield Static(id="status")
            yield Static(id="fees")
            yield Static(id="fee-now")
            with Vertical(id="pending"):
                yield Static("", id="pending-text")
                with Horizontal(id="code-row"):
                    yield Input(
                        placeholder="000000",
                        id="code",
                        restrict=r"[0-9]*",
                        max_length=6,
                        validators=[Problem(_code_problem, {p: t(f"efaktura.code_{p}") for p in ("empty", "invalid")})],
                        validate_on=(),
                        compact=True,
                    )
                    yield Button(t("efaktura.confirm_code"), id="confirm", variant="primary", compact=True)
                yield Static("", id="code-error", classes="field-error")
            with Horizontal(id="actions"):
                yield Button(t("efaktura.start"), id="start", variant="primary", action="screen.start", compact=True)
                yield Button(
                    t("efaktura.withdraw"), id="withdraw", variant="error", action="screen.withdraw", compact=True
                )
            yield Static(id="history")

    def on_mount(self) -> None:
        for part in ("#pending", "#actions"):
            self.query_one(part).display = False  # until the status is known

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
        box = Table.grid()
        box.add_row(Text(t("efaktura.fee_title"), style="bold"))
        box.add_row(fees)
        self.query_one("#fees", Static).update(box)
        now_key = "efaktura.now_active" if status.active else "efaktura.now_inactive"
        self.query_one("#fee-now", Static).update(
            t(now_key, fee=money(status.current_fee_gross), fee_with=money(status.fee_with_gross))
        )

        pending = status.pending
        self.query_one("#pending").display = pending is not None
        if pending is not None:
            key = "efaktura.pending_demo" if self.ebok.demo else "efaktura.pending"
            if self.ebok.acting is not None:
                key = "efaktura.pending_staff"
            self.query_one("#pending-text", Static).update(
                Text(
                    t(
                        key,
                        email=pending.email,
                        until=i18n.datetime(pending.expires_at),
                        attempts=pending.attempts_left,
                    )
                )
            )
        self.query_one("#code-row").display = pending is not None and self.acting_allows("focus_code")

        self.query_one("#actions").display = self.acting_allows("start")
        self.query_one("#start", Button).label = t("efaktura.start_change" if status.active else "efaktura.start")
        self.query_one("#withdraw", Button).display = status.active
        self.query_one("#history", Static).update(self._history(status))
        self.refresh_bindings()

    def _history(self, status: EFaktura) -> Table:
        t, i18n = self.t, self.i18n
        box = Table.grid()
        box.add_row(Text(t("efaktura.history_title"), style="bold"))
        if not status.history:
            box.add_row(Text(t("efaktura.history_empty"), style="dim"))
            return box
        rows = Table.grid(padding=(0, 2))
        rows.add_column(no_wrap=True)
        rows.add_column(no_wrap=True)
        rows.add_column(ratio=1, overflow="fold")  # the address, how, which terms: wraps
        for entry in status.history:
            how = [entry.email, t(CHANNEL_KEYS[entry.channel])]
            if entry.terms_version:
                how.append(t("efaktura.terms_short", version=entry.terms_version))
            rows.add_row(i18n.datetime(entry.at), t(EVENT_KEYS[entry.event]), " · ".join(how))
        box.add_row(rows)
        return box

    # --- actions -------------------------------------------------------------------------------
    def acting_allows(self, action: str) -> bool:
        if action == "focus_code":  # the code is the resident's: staff record consent instead
            return self.ebok.acting is None
        return super().acting_allows(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.acting_allows(action):
            return False
        pending = self.status is not None and self.status.pending is not None
        if action == "withdraw":
            return bool(self.status and self.status.active)
        if action == "start":
            return self.status is not None
        if action == "focus_code":
            return pending
        if action == "demo_mail":
            return self.ebok.demo and pending and self.ebok.acting is None
        return True

    def action_unfocus(self) -> None:
        self.set_focus(None)

    def action_demo_mail(self) -> None:
        self.ebok.action_demo_mail()

    def action_focus_code(self) -> None:
        self.code_input.focus()

    def action_start(self) -> None:
        if self.status is None or not self.acting_allows("start"):
            return
        status = self.status
        self.run_api(lambda: self._open_terms(status), group="change")

    async def _open_terms(self, status: EFaktura) -> None:
        terms = await self.api.efaktura_terms()
        self.app.push_screen(TermsModal(status, terms), callback=self._terms_answer)

    def _terms_answer(self, status: EFaktura | None) -> None:
        if status is None:
            return
        if status.pending is not None and self.ebok.acting is None:  # the pending text says where the code went
            self.show_status(status)
            self.code_input.value = ""
            show_field_error(self.code_error, self.code_input, None)
            self.code_input.focus()
            return
        self.notify(
            self.t("efaktura.recorded", email=status.email or "", fee=self.i18n.money(status.current_fee_gross)),
            markup=False,
        )
        self.run_api(lambda: self._after_change(status), group="change")

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        if self.status is None or self.status.pending is None or not self.acting_allows("focus_code"):
            return
        if not check_field(self.code_input, self.code_error):
            self.code_input.focus()
            return
        code = self.code_input.value.strip()
        was_active = self.status.active
        self.run_api(lambda: self._confirm(code, was_active), group="change")

    async def _confirm(self, code: str, was_active: bool) -> None:
        try:
            status = await self.api.efaktura_confirm(code)
        except ValidationFailed as error:
            message = self.field_messages(error).get("code") if error.code == "validation_error" else None
            self.show_status(await self.api.efaktura())  # attempts left, or the request gone
            show_field_error(self.code_error, self.code_input, message or self.error_message(error))
            if self.status is not None and self.status.pending is not None:
                self.code_input.focus()
            return
        self.code_input.value = ""
        key = "efaktura.changed" if was_active else "efaktura.activated"
        self.notify(self.t(key, email=status.email or "", fee=self.i18n.money(status.current_fee_gross)), markup=False)
        await self._after_change(status)

    def action_withdraw(self) -> None:
        if self.status is None or not self.status.active:
            return
        self.app.push_screen(ConfirmWithdrawModal(self.status), callback=self._withdraw_answer)

    def _withdraw_answer(self, confirmed: bool | None) -> None:
        if not confirmed:
            return
        if self.ebok.acting is None:
            self.run_api(self._withdraw, group="change")
            return

        def answered(consent: Consent | None) -> None:
            if consent is not None:
                self.run_api(lambda: self._withdraw(consent), group="change")

        self.app.push_screen(load_staff_screen("consent")(), callback=answered)

    async def _withdraw(self, consent: Consent | None = None) -> None:
        if consent is not None:
            status = await self.api.efaktura_withdraw(consent=consent)  # type: ignore[call-arg]
        else:
            status = await self.api.efaktura_withdraw()
        self.notify(self.t("efaktura.withdrawn", fee=self.i18n.money(status.current_fee_gross)), markup=False)
        await self._after_change(status)

    async def _after_change(self, status: EFaktura) -> None:
        """Show the status the server answered with (every change replies with the full status
        object, as GET does) and refresh ``session.me``, which carries efaktura_active."""
        self.show_status(status)
        try:
            self.session.refreshed(await self.api.me())
        except ApiError:
            pass  # the change itself succeeded; the header refreshes on the next screen
