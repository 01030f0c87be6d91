"""Logowanie pracownika (staff login): login name, password and the TOTP code from an
authenticator app; a plain sentence that staff credentials are not remembered on this machine
(nothing is stored: no keyring, no file); ctrl+s back to the resident's login. In demo mode a panel
lists the demo staff accounts (``/demo-info``) with their passwords and TOTP secrets.

Not a staff-shell screen: nobody is logged in yet, so there is no navigation bar.
"""

from __future__ import annotations

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.validation import Length, Regex
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ebok_tui.core.api import ApiError, InvalidCredentials, RateLimited
from ebok_tui.ui.messages import StaffLoggedIn
from ebok_tui.ui.screens.api_mixin import ApiMixin
from ebok_tui.ui.widgets.chrome import ErrorBanner, KeyFooter, ServerStatus, TopBar
from ebok_tui.ui.widgets.enter import EnterMovesOn
from ebok_tui.ui.widgets.forms import check_field, link_button, login_css, show_field_error

#: Staff login names (docs/API.md): lower-case letters, digits, ``.``, ``_``, ``-``; 3–64 characters.
LOGIN_PATTERN = r"[a-z0-9][a-z0-9._-]{2,63}"


class StaffLoginScreen(EnterMovesOn, ApiMixin, Screen):
    """The staff login. ``message`` (session expired, logged out) is shown at the top."""

    ENTER = {
        "staff-login": "#staff-password",
        "staff-password": "#staff-totp",
        "staff-totp": "login",
    }  # Enter moves on (widgets/enter.py)

    BINDINGS = [
        Binding("ctrl+s", "app.login_as('resident')", "staff_login.bind_resident"),
        Binding("ctrl+o", "demo_mail", "bind.demo_mail"),  # demo only (check_action)
    ]

    DEFAULT_CSS = (
        login_css("StaffLoginScreen", 12)
        + """
    StaffLoginScreen #login { margin: 0 0 0 12; min-width: 16; }
    StaffLoginScreen #not-stored { height: auto; margin: 1 0 0 0; }
    """
    )

    form = getters.query_one("#login-form", VerticalScroll)

    def __init__(self, message: str | None = None) -> None:
        super().__init__()
        self.message = message
        self._login = Input(
            placeholder=self.t("staff_login.login_placeholder"),
            id="staff-login",
            max_length=64,
            restrict=r"[a-zA-Z0-9._-]*",
            validators=[Regex(LOGIN_PATTERN, failure_description=self.t("staff_login.error_login"))],
            validate_on=(),
        )
        self._password = Input(
            password=True,
            id="staff-password",
            max_length=200,
            validators=[Length(minimum=1, failure_description=self.t("login.error_password"))],
            validate_on=(),
        )
        self._totp = Input(
            placeholder=self.t("staff_login.totp_placeholder"),
            id="staff-totp",
            restrict=r"\d*",
            max_length=6,
            validators=[Regex(r"(\d{6})?", failure_description=self.t("staff_login.error_totp_shape"))],
            validate_on=(),
        )
        self._errors = {
            "login": Static("", id="login-error", classes="field-error"),
            "password": Static("", id="password-error", classes="field-error"),
            "totp": Static("", id="totp-error", classes="field-error"),
        }

    # --- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TopBar(self.t("staff_login.title"))
        yield ServerStatus()
        if self.message:
            yield Static(self.message, id="login-message")
        with Horizontal(id="login-columns"):
            with VerticalScroll(id="login-form"):
                yield Static(self.t("staff_login.intro"), id="login-intro", classes="muted")
                for field, widget in (("login", self._login), ("password", self._password), ("totp", self._totp)):
                    with Horizontal(classes="login-row"):
                        yield Label(self.t(f"staff_login.{field}"), id=f"{field}-label")
                        yield widget
                    yield self._errors[field]
                yield Button(self.t("login.submit"), id="login", variant="primary", action="screen.login")
                yield ErrorBanner()
                yield Static(self.t("staff_login.not_stored"), id="not-stored")
                yield link_button(self.t("staff_login.resident_link"), "resident", "app.login_as('resident')")
            if self.ebok.demo_info is not None and self.ebok.demo_info.staff:
                yield self._demo_panel()
        yield KeyFooter()

    def _demo_panel(self) -> OptionList:
        """The demo staff accounts; Enter on one fills in the form (the TOTP code is the user's)."""
        assert self.ebok.demo_info is not None
        options = []
        for account in self.ebok.demo_info.staff:
            prompt = Text.assemble(
                (self.t("staff_login.demo_login", login=account.login, password=account.password), "bold")
            )
            if account.totp_secret:
                prompt.append("\n")
                prompt.append(self.t("staff_login.demo_totp"))
                prompt.append("\n")
                prompt.append(account.totp_secret)
            description = account.description(self.i18n.lang)
            if description:
                prompt.append("\n")
                prompt.append(description, style="dim")
            options.append(Option(prompt, id=account.login))
        panel = OptionList(*options, id="demo-panel")
        panel.border_title = self.t("staff_login.demo_title")
        panel.border_subtitle = self.t("login.demo_hint")
        return panel

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo_mail":
            return self.ebok.demo
        return True

    def action_demo_mail(self) -> None:
        self.ebok.action_demo_mail()

    @on(OptionList.OptionSelected, "#demo-panel")
    def _demo_selected(self, event: OptionList.OptionSelected) -> None:
        info = self.ebok.demo_info
        account = next((a for a in (info.staff if info else []) if a.login == event.option.id), None)
        if account is None:
            return
        self._login.value = account.login
        self._password.value = account.password
        self._totp.value = ""
        (self._totp if account.totp_secret else self.query_one("#login", Button)).focus()

    def on_mount(self) -> None:
        self.title = self.t("staff_login.title")
        self._login.focus()

    # --- input -----------------------------------------------------------------------------------
    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        for field, widget in self._fields().items():
            if widget is event.input:
                show_field_error(self._errors[field], widget, None)

    def _fields(self) -> dict[str, Input]:
        return {"login": self._login, "password": self._password, "totp": self._totp}

    # --- logging in ------------------------------------------------------------------------------
    def action_login(self) -> None:
        for field, widget in self._fields().items():
            if not check_field(widget, self._errors[field]):
                widget.focus()
                return
        login, password, code = self._login.value.strip(), self._password.value, self._totp.value.strip()
        self.clear_error()
        self.run_api(lambda: self._send(login, password, code or None), target=self.form, group="login")

    async def _send(self, login: str, password: str, code: str | None) -> None:
        await self.ebok.staff.login(login, password, code)
        if self.form.is_attached:
            self.post_message(StaffLoggedIn())  # the app opens the staff shell from its own queue

    def on_api_error(self, error: ApiError) -> bool:
        if not self.is_attached:
            return True
        focus = self._password
        if isinstance(error, InvalidCredentials) and error.code == "totp_required":
            message, focus = self.t("staff_login.error_totp_required"), self._totp
        elif isinstance(error, InvalidCredentials) and error.code == "invalid_totp":
            message, focus = self.t("staff_login.error_totp_invalid"), self._totp
        elif isinstance(error, InvalidCredentials):
            message = self.t("staff_login.error_invalid")
        elif isinstance(error, RateLimited) and error.code == "rate_limited" and error.retry_after:
            if error.retry_after < 90:
                message = self.t("login.error_rate_limited_seconds", seconds=error.retry_after)
            else:
                message = self.t("login.error_rate_limited_minutes", minutes=max(1, (error.retry_after + 59) // 60))
        else:
            message = self.error_message(error)
        self.show_error(message)
        # typing replaces the selected text (a code is used once: the next attempt needs the next one)
        focus.focus()
        focus.select_all()
        return True
