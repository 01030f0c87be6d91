"""Konta pracowników (staff accounts, supervisors): the list (login, name, role, TOTP, disabled);
``n`` opens the form for a new account — after it is created its TOTP secret and ``otpauth://`` URI
are shown once, to be added to the new colleague's authenticator; ``d`` disables the account on the
cursor row after a confirmation (its sessions and open accesses end)."""

from __future__ import annotations

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static

from ebok_tui.core.api import ApiError, ValidationFailed
from ebok_tui.core.api.staff import STAFF_ROLES, StaffAccount
from ebok_tui.ui.screens.base import BaseModal
from ebok_tui.ui.screens.staff.base import StaffTableScreen
from ebok_tui.ui.widgets.paged_table import Column

COLUMNS = (Column("login", 14), Column("name", 26), Column("role", 16), Column("totp", 6), Column("state", 14))
MIN_PASSWORD = 12


class StaffAccountsScreen(StaffTableScreen):
    SECTION = "accounts"
    TABLE, HEADINGS, COLUMNS = "accounts", "staff_accounts.col_", COLUMNS

    BINDINGS = [
        Binding("n", "add", "staff_accounts.bind_add"),
        Binding("d", "disable", "staff_accounts.bind_disable"),
    ]

    DEFAULT_CSS = """
    StaffAccountsScreen #accounts { height: 1fr; }
    StaffAccountsScreen #accounts-result { height: auto; padding: 0 1; }
    StaffAccountsScreen #accounts-result.-ok { color: $text-success; }
    """

    result = getters.query_one("#accounts-result", Static)

    def __init__(self) -> None:
        super().__init__()
        self.accounts: list[StaffAccount] = []

    def compose_body(self) -> ComposeResult:
        yield self.compose_table()
        yield Static("", id="accounts-result")

    async def load(self) -> None:
        self.accounts = await self.staff.api.accounts()
        t = self.t
        self.show_rows(
            (
                a.login,
                {
                    "login": a.login,
                    "name": a.full_name,
                    "role": t(f"staff.role_{a.role}"),
                    "totp": t("staff_accounts.yes") if a.totp_enabled else t("staff_accounts.no"),
                    "state": t("staff_accounts.disabled") if a.disabled else t("staff_accounts.active"),
                },
            )
            for a in self.accounts
        )

    def _current(self) -> StaffAccount | None:
        if not self.accounts or self.table.row_count == 0:
            return None
        row = self.table.cursor_row
        return self.accounts[row] if 0 <= row < len(self.accounts) else None

    def _say(self, text: str, *, ok: bool = True) -> None:
        self.result.update(Text(text))
        self.result.set_class(ok, "-ok")

    def action_add(self) -> None:
        self.app.push_screen(AddAccountModal(), callback=self._added)

    def _added(self, created: object) -> None:
        if created is not None:
            self.action_reload()

    def action_disable(self) -> None:
        account = self._current()
        if account is None or account.disabled:
            return
        self.app.push_screen(ConfirmDisableModal(account), callback=self._confirmed)

    def _confirmed(self, login: str | None) -> None:
        if not login:
            return

        async def disable() -> None:
            await self.staff.api.disable_account(login)
            self._say(self.t("staff_accounts.disabled_done", login=login))
            await self.load()

        self.run_api(disable, group="change")


class ConfirmDisableModal(BaseModal):
    """ "Disable <login>? Their sessions end." — nothing happens without an explicit yes."""

    DEFAULT_CSS = """
    ConfirmDisableModal > Vertical { width: 60; height: auto; border: thick $warning; padding: 1 2; background: $surface; }
    ConfirmDisableModal #buttons { height: auto; margin: 1 0 0 0; }
    """

    def __init__(self, account: StaffAccount) -> None:
        super().__init__()
        self.account = account

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.t("staff_accounts.confirm", login=self.account.login, name=self.account.full_name)))
            with Horizontal(id="buttons"):
                yield Button(self.t("staff_accounts.confirm_yes"), id="yes", variant="error")
                yield Button(self.t("staff_accounts.confirm_no"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(self.account.login)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(None)


class AddAccountModal(BaseModal):
    """A new staff account: login, name, role, initial password, TOTP. Once created, the TOTP secret
    and URI are shown (once) until the supervisor closes the dialog."""

    BINDINGS = [Binding("ctrl+s", "create", "staff_accounts.bind_create", priority=True)]

    DEFAULT_CSS = """
    AddAccountModal > Vertical { width: 76; height: auto; max-height: 22; border: thick $primary; padding: 0 1; background: $surface; }
    AddAccountModal .row { height: 1; }
    AddAccountModal .row Label { width: 16; }
    AddAccountModal .row Input { width: 1fr; }
    AddAccountModal RadioSet { layout: horizontal; height: auto; }
    AddAccountModal #add-error { height: auto; color: $error; }
    AddAccountModal #secret { height: auto; color: $text-success; }
    AddAccountModal #buttons { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.created = None

    def compose(self) -> ComposeResult:
        t = self.t
        with Vertical():
            yield Static(Text(t("staff_accounts.add_title"), style="bold"))
            for field, limit in (("login", 64), ("full_name", 200), ("password", 200)):
                with Horizontal(classes="row"):
                    yield Label(t(f"staff_accounts.{field}"))
                    yield Input(id=f"add-{field}", max_length=limit, compact=True, password=field == "password")
            with RadioSet(id="add-role"):
                for role in STAFF_ROLES:
                    yield RadioButton(t(f"staff.role_{role}"), id=f"role-{role}", value=role == "clerk")
            yield Checkbox(t("staff_accounts.totp"), True, id="add-totp")
            yield Static("", id="add-error")
            yield Static("", id="secret")
            with Horizontal(id="buttons"):
                yield Button(t("staff_accounts.create"), id="create", variant="primary", action="screen.create")
                yield Button(t("staff_accounts.close"), id="close", action="screen.cancel")

    def on_mount(self) -> None:
        self.query_one("#add-login", Input).focus()

    def _value(self, field: str) -> str:
        return self.query_one(f"#add-{field}", Input).value.strip()

    def action_create(self) -> None:
        if self.created is not None:
            return
        login, name, password = (
            self._value("login"),
            self._value("full_name"),
            self.query_one("#add-password", Input).value,
        )
        error = self.query_one("#add-error", Static)
        if not login or not name:
            error.update(self.t("staff_accounts.error_required"))
            return
        if len(password) < MIN_PASSWORD:
            error.update(self.t("staff_accounts.error_password", min=MIN_PASSWORD))
            return
        pressed = self.query_one("#add-role", RadioSet).pressed_button
        role = (pressed.id or "role-clerk")[5:] if pressed is not None else "clerk"
        totp = self.query_one("#add-totp", Checkbox).value or role == "supervisor"
        error.update("")

        async def create() -> None:
            created = await self.staff_api.add_account(login, name, role, password, totp=totp)
            self.created = created
            lines = [self.t("staff_accounts.created", login=created.login)]
            if created.totp_secret:
                lines += [
                    self.t("staff_accounts.secret", secret=created.totp_secret),
                    created.totp_uri or "",
                    self.t("staff_accounts.shown_once"),
                ]
            self.query_one("#secret", Static).update(Text("\n".join(lines)))
            self.query_one("#create", Button).disabled = True
            self.query_one("#close", Button).focus()

        self.run_api(create, group="create")

    @property
    def staff_api(self):
        return self.ebok.staff.api

    def on_api_error(self, error: ApiError) -> bool:
        text = self.error_message(error)
        if isinstance(error, ValidationFailed):
            fields = self.field_messages(error)
            if fields:
                text = " ".join(fields.values())
        self.query_one("#add-error", Static).update(Text(text))
        return True

    def action_cancel(self) -> None:
        self.dismiss(self.created)
