"""Logowanie (login): customer number + password, remember-me in the OS keyring, links to the
registration request, password reset and the staff login (ctrl+s), and in demo mode a panel with the demo customers (asked
again whenever the screen is shown, so a password changed or reset in the demo is not shown) and
ctrl+o for the demo mailbox. The panel is there from the first frame: while the demo server starts
(``EbokApp.demo_loading``) it says so, and it fills in when the app has the demo logins.

Not a section screen: nobody is logged in yet, so there is no navigation bar.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from rich.text import Text
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static
from textual.validation import Function, Length
from textual.widgets.option_list import Option

from ebok_tui.core.api import ApiError, InvalidCredentials, RateLimited
from ebok_tui.ui.messages import LoggedIn
from ebok_tui.ui.screens.api_mixin import ApiMixin
from ebok_tui.ui.widgets.chrome import ErrorBanner, KeyFooter, ServerStatus, TopBar
from ebok_tui.ui.widgets.enter import EnterMovesOn
from ebok_tui.ui.widgets.forms import check_field, link_button, login_css, show_field_error
from ebok_tui.core.validation import valid_customer_number
from ebok_tui.ui.sections import load_screen
from ebok_tui.ui.wording import keyring_not_loaded, keyring_saved


class RememberMe(Checkbox, inherit_bindings=False):
    """Space ticks it; Enter logs in like everywhere else on the form. Ticked shows ``X``,
    unticked a blank box — not only a different colour — and a disabled one (no keyring) is blank."""

    BINDINGS = [
        Binding("space", "toggle_button", show=False),
        Binding("enter", "screen.login", show=False),
    ]

    @property
    def _button(self) -> Content:
        button_style = self.get_visual_style("toggle--button")
        side_style = Style(foreground=button_style.background, background=self.background_colors[1])
        inner = self.BUTTON_INNER if self.value and not self.disabled else " "
        return Content.assemble((self.BUTTON_LEFT, side_style), (inner, button_style), (self.BUTTON_RIGHT, side_style))


class LoginScreen(EnterMovesOn, ApiMixin, Screen):
    """The first screen. ``message`` (session expired, logged out) is shown at the top."""

    ENTER = {"customer-number": "number_entered", "password": "login"}  # widgets/enter.py
    BINDINGS = [
        Binding("ctrl+r", "register", "login.bind_register"),
        Binding("ctrl+t", "reset_password", "login.bind_reset"),
        Binding("ctrl+s", "app.login_as('staff')", "login.bind_staff", show=False),  # the link says so
        Binding("ctrl+o", "demo_mail", "bind.demo_mail"),  # demo only (check_action)
    ]
    #: Focus goes straight to the customer number. Textual's default ("*") would focus the form's
    #: scroll container first and move to the input in ``on_mount``: two focus changes, each
    #: restyling the whole form and recomposing the footer, before the first frame (start-up).
    AUTO_FOCUS = "#customer-number"

    # The demo panel keeps its scrollbar's column (scrollbar-gutter: stable): Textual 8.2.8's
    # OptionList measures how many lines each entry wraps to at the width it has when it measures;
    # when the scrollbar the entries bring appears afterwards, nothing measures again, and an entry
    # that wraps one line more at the narrower width loses its last line. Reproduction (40x8 list):
    #     ol = OptionList(Option("starting", disabled=True)); ...; ol.clear_options()
    #     ol.add_options([Option(f"{i}: " + "x" * 30 + "y" * i) for i in range(12)])
    #     await pilot.pause()  # "2: x…yy" (35 cells): measured 1 line at 36, drawn as 2 at 34
    # Under load the first measurement can come before the scrollbar on a freshly mounted list
    # too: test_screen[login_pl] once drew 10001's entry without its last line, "WM-1234567.".
    DEFAULT_CSS = (
        login_css("LoginScreen", 15)
        + """
    LoginScreen #remember { margin: 0 0 0 15; }
    LoginScreen #login { margin: 1 0 0 15; min-width: 16; }
    LoginScreen #reset, LoginScreen #staff { margin: 0; }
    LoginScreen #keyring-status { height: auto; }
    LoginScreen #demo-panel { scrollbar-gutter: stable; }
    """
    )

    def __init__(self, message: str | None = None) -> None:
        super().__init__()
        self.message = message
        # kept, not queried: a reply may arrive while the app is closing and the DOM is gone
        self._number = Input(
            placeholder=self.t("login.customer_number_placeholder"),
            restrict=r"\d*",
            max_length=5,
            id="customer-number",
            validators=[Function(valid_customer_number, self.t("login.error_number"))],
            validate_on=(),
        )
        self._password = Input(
            password=True,
            id="password",
            validators=[Length(minimum=1, failure_description=self.t("login.error_password"))],
            validate_on=(),
        )
        self._remember = RememberMe(self.t("login.remember"), id="remember", compact=True)
        self._login_button = Button(self.t("login.submit"), id="login", variant="primary", action="screen.login")
        self._errors = {
            "number": Static("", id="number-error", classes="field-error"),
            "password": Static("", id="password-error", classes="field-error"),
        }
        self._keyring_status = Static("", id="keyring-status", classes="muted")
        self._form = VerticalScroll(id="login-form")

    # --- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TopBar(self.t("login.title"))
        yield ServerStatus()
        if self.message:
            yield Static(self.message, id="login-message")
        if self.ebok.demo:  # the demo logins beside the form (they may come later)
            with Horizontal(id="login-columns"):
                yield from self._compose_form()
                if self.ebok.demo_info is not None or self.ebok.demo_loading:
                    yield self._demo_panel()
        else:  # nothing beside it: one container less to lay out before the first frame (issue 11)
            yield from self._compose_form()
        yield KeyFooter()

    def _compose_form(self) -> ComposeResult:
        with self._form:
            yield Static(self.t("login.intro"), id="login-intro", classes="muted")
            with Horizontal(classes="login-row"):
                yield Label(self.t("login.customer_number"), id="number-label")
                yield self._number
            with Horizontal(classes="login-row"):
                yield Label(self.t("login.password"), id="password-label")
                yield self._password
            yield self._remember
            yield self._login_button
            yield ErrorBanner()
            yield link_button(self.t("login.register_link"), "register", "screen.register")
            yield link_button(self.t("login.reset_link"), "reset", "screen.reset_password")
            yield link_button(self.t("login.staff_link"), "staff", "app.login_as('staff')")
            yield self._keyring_status

    def _demo_panel(self) -> OptionList:
        """The demo customers; Enter on one fills in the form."""
        panel = OptionList(*self._demo_options(), id="demo-panel")
        panel.border_title = self.t("login.demo_title")
        panel.border_subtitle = self.t("login.demo_hint")
        return panel

    def _demo_options(self) -> list[Option]:
        lang = self.i18n.lang
        options = []
        if self.ebok.demo_info is None:  # still coming
            return [Option(Text(self.t("login.demo_starting"), style="italic"), disabled=True)]
        for customer in self.ebok.demo_info.customers:
            if customer.password is None:  # changed or reset in this demo: no longer true
                line = self.t("login.demo_login_changed", number=customer.customer_number)
            else:
                line = self.t("login.demo_login", number=customer.customer_number, password=customer.password)
            prompt = Text.assemble((line, "bold"))
            description = customer.description(lang)
            if description:
                prompt.append("\n")
                prompt.append(description, style="dim")
            options.append(Option(prompt, id=customer.customer_number))
        return options

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo_mail":
            return self.ebok.demo
        return super().check_action(action, parameters)

    def action_demo_mail(self) -> None:
        self.ebok.action_demo_mail()

    def on_screen_resume(self) -> None:
        """Shown (again): back from a password reset, or after a logout. Demo passwords may have
        changed meanwhile: ask the server which are still true."""
        if self.ebok.demo:
            self.run_worker(self._refresh_demo_panel(), group="demo-info", exclusive=True)

    async def _refresh_demo_panel(self) -> None:
        await self.ebok.refresh_demo_info()  # a change reaches _show_demo_info

    async def _show_demo_info(self) -> None:
        """The app's demo logins changed (arrived, or changed in the demo): show them."""
        if not self._form.is_attached:
            return
        panel = next(self.query("#demo-panel").results(OptionList), None)
        if self.ebok.demo_info is None:
            if panel is not None and not self.ebok.demo_loading:
                await panel.remove()  # the server has none to give: no panel, as without a demo
            return
        shown_ids = [panel.get_option_at_index(i).id for i in range(panel.option_count)] if panel else []
        if panel is None or shown_ids == [None]:  # none yet, or the "starting" line: a fresh panel
            if panel is not None:
                await panel.remove()
            if self._form.is_attached and not self.query("#demo-panel"):  # (not done meanwhile)
                await self.query_one("#login-columns", Horizontal).mount(self._demo_panel())
            return
        options = self._demo_options()
        if shown_ids == [option.id for option in options]:  # the usual case: only passwords changed
            for index, option in enumerate(options):
                panel.replace_option_prompt_at_index(index, option.prompt)
        else:
            highlighted = panel.highlighted
            panel.clear_options()
            panel.add_options(options)
            if highlighted is not None and panel.option_count:
                panel.highlighted = min(highlighted, panel.option_count - 1)

    @on(OptionList.OptionSelected, "#demo-panel")
    def _demo_selected(self, event: OptionList.OptionSelected) -> None:
        info = self.ebok.demo_info
        if info is None:
            return
        for customer in info.customers:
            if customer.customer_number == event.option.id:
                self._number.value = customer.customer_number
                if customer.password is None:  # changed: the resident types the new one
                    self._password.value = ""
                    self._password.focus()
                else:
                    self._password.value = customer.password
                    self._login_button.focus()
                return

    def on_mount(self) -> None:
        self.title = self.t("login.title")
        if self.ebok.demo:
            self.watch(self.ebok, "demo_info", self._show_demo_info, init=False)
            self.watch(self.ebok, "demo_loading", self._show_demo_info, init=False)
        self._number.focus()
        if self.session.credentials is None:
            self._remember.disabled = True
            self._keyring_status.update(self.t("login.keyring_none"))
        else:
            # after the first frame: loading the keyring takes a few hundred ms of CPU
            self.call_after_refresh(self.run_worker, self._prefill, group="prefill", exclusive=True)

    async def _prefill(self) -> None:
        store = self.session.credentials
        if store is None:
            return
        saved = await store.load()
        if not self._alive():
            return
        status = self._keyring_status
        if saved is None:
            problem = store.last_problem
            if problem is not None:
                status.update(keyring_not_loaded(self.i18n, problem))
            return
        number = self._number
        password = self._password
        if number.value or password.value:
            return  # the resident started typing meanwhile: never overwrite it
        number.value = saved.customer_number
        password.value = saved.password
        self._remember.value = True
        status.update(self.t("login.keyring_prefilled"))
        self._login_button.focus()

    # --- input -----------------------------------------------------------------------------------
    def action_number_entered(self) -> None:
        if self._password.value:
            self.action_login()
        else:
            # at once, not queued as Widget.focus() does: the keys behind this Enter are the password
            self.set_focus(self._password)

    @on(Input.Changed, "#customer-number")
    def _number_changed(self) -> None:
        self._set_field_error("number", None)

    @on(Input.Changed, "#password")
    def _password_changed(self) -> None:
        self._set_field_error("password", None)

    def _input(self, field: str) -> Input:
        return self._number if field == "number" else self._password

    def _error_line(self, field: str) -> Static:
        """The line under ``field`` for its error, mounted the first time it may be needed: the
        login screen is the app's first frame, drawn without it (start-up, issue 11)."""
        error = self._errors[field]
        if error.parent is None:
            self._form.mount(error, after=self._input(field).parent)
        return error

    def _set_field_error(self, field: str, message: str | None) -> None:
        error = self._error_line(field) if message else self._errors[field]
        show_field_error(error, self._input(field), message)

    def _check(self, field: str) -> bool:
        return check_field(self._input(field), self._error_line(field))

    def action_register(self) -> None:
        self.app.push_screen(load_screen("register")())

    def action_reset_password(self) -> None:
        number = self._number.value
        self.app.push_screen(load_screen("password_reset")(customer_number=number))

    # --- logging in ------------------------------------------------------------------------------
    def action_login(self) -> None:
        number_input = self._number
        password_input = self._password
        number = number_input.value.strip()
        password = password_input.value
        number_ok, password_ok = self._check("number"), self._check("password")
        if not number_ok:
            number_input.focus()
            return
        if not password_ok:
            password_input.focus()
            return
        remember = self._remember.value
        self.clear_error()
        self.run_api(
            lambda: self._login(number, password, remember),
            target=self._form,
            group="login",
        )

    async def _login(self, number: str, password: str, remember: bool) -> None:
        me = await self.session.login(number, password)
        store = self.session.credentials
        if store is not None:
            if remember:
                result = await store.save(number, password)
                if not result.saved:
                    self.ebok.notify(
                        keyring_saved(self.i18n, result),
                        title=self.t("login.remember_failed_title"),
                        severity="warning",
                        timeout=10,
                    )
            else:
                await store.forget()
        if not self._alive():
            return
        # The app switches screens (from its own queue: the switch removes this screen, which
        # cancels this worker).
        self.post_message(LoggedIn(me))

    def _alive(self) -> bool:
        """False once the screen's widgets are gone (the app is closing)."""
        return self._form.is_attached

    def on_api_error(self, error: ApiError) -> bool:
        if not self._alive():
            return True
        if isinstance(error, InvalidCredentials):
            message = self.t("login.error_invalid")
        elif isinstance(error, RateLimited):
            if error.code == "rate_limited" and error.retry_after and error.retry_after < 90:
                message = self.t("login.error_rate_limited_seconds", seconds=error.retry_after)
            elif error.code == "rate_limited" and error.retry_after:
                minutes = max(1, (error.retry_after + 59) // 60)
                message = self.t("login.error_rate_limited_minutes", minutes=minutes)
            else:
                message = self.error_message(error)
        else:  # ConnectionFailed, RequestTimeout, server errors: the client layer's message
            message = self.error_message(error)
        self.show_error(message)
        # keep the customer number (and what was typed); let the resident retype the password
        password = self._password
        password.focus()
        password.select_all()
        return True
