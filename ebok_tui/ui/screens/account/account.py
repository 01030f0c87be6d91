"""Konto (account): who is logged in, password change, log out (and forget me), keyring status, which
events also come by e-mail (notification preferences, stored on the server), and who viewed my data
(dates and purposes of staff access, never staff names)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.validation import Function, Length
from textual.widgets import Button, Checkbox, Input, Label, Static

from ebok_tui.core.api import ApiError, DataAccess, Me, NotificationPreferences, ValidationFailed
from ebok_tui.core.validation import PASSWORD_MIN_LENGTH
from ebok_tui.ui.messages import LogoutRequested
from ebok_tui.ui.screens.base import SectionScreen
from ebok_tui.ui.widgets.field_rows import field_rows_css
from ebok_tui.ui.widgets.forms import check_fields, show_field_error
from ebok_tui.ui.wording import keyring_saved

#: API field name → this screen's field id
_FIELDS = {"current_password": "current", "new_password": "new", "repeat": "repeat"}


class AccountScreen(SectionScreen):
    SECTION = "account"
    #: Nothing focused on arrival: Enter must not log out by accident, and l / f work at once.
    AUTO_FOCUS = ""
    #: ``session.me`` is fresh (fetched at login, refreshed after an e-FAKTURA change): shown as it is,
    #: ``r`` fetches /me again.
    LOAD_ON_MOUNT = False

    BINDINGS = [
        Binding("l", "logout", "account.bind_logout"),
        Binding("f", "logout_forget", "account.bind_logout_forget"),
        Binding("d", "show_access", "account.bind_access"),
        Binding("e", "show_notifications", "account.bind_notifications"),
    ]

    DEFAULT_CSS = (
        field_rows_css("AccountScreen", "pw-row", 15)
        + """
    AccountScreen #account-columns { height: 1fr; }
    AccountScreen #account-left { width: 38; height: 1fr; margin: 0 1 0 0; }
    AccountScreen #account-right { width: 1fr; height: 1fr; }
    AccountScreen .section-title { text-style: bold underline; height: 1; margin: 1 0 0 0; }
    AccountScreen #me { height: auto; }
    AccountScreen #keyring-status { height: auto; margin: 1 0 0 0; }
    AccountScreen #logout-buttons { height: auto; margin: 1 0 0 0; }
    AccountScreen #logout-buttons Button { width: 100%; margin: 0 0 0 0; }
    AccountScreen #change-password { margin: 0 0 0 15; }
    AccountScreen #password-result { height: auto; margin: 1 0 0 0; }
    AccountScreen #password-result.-ok { color: $text-success; }
    AccountScreen #access-intro, AccountScreen #notify-intro { height: auto; }
    AccountScreen #notify-result { height: auto; }
    AccountScreen Checkbox, AccountScreen Checkbox:focus { border: none; padding: 0; height: 1; }
    AccountScreen #data-access { height: auto; min-height: 3; margin: 1 0 0 0; }
    """
    )

    def __init__(self) -> None:
        super().__init__()
        # kept, not queried: a reply may arrive while the app is closing and the DOM is gone
        self._me_widget = Static(id="me")
        self._keyring_widget = Static(self.t("account.keyring_checking"), id="keyring-status", classes="muted")
        t = self.t
        validators = {  # checked when the form is sent (validate_on=()); typing clears the error
            "current": [Length(minimum=1, failure_description=t("account.error_current_empty"))],
            "new": [
                Length(
                    minimum=PASSWORD_MIN_LENGTH,
                    failure_description=t("account.error_new_short", min=PASSWORD_MIN_LENGTH),
                ),
                Function(lambda new: new != self._value("current"), t("account.error_new_same")),
            ],
            "repeat": [Function(lambda repeat: repeat == self._value("new"), t("account.error_repeat"))],
        }
        self._inputs = {
            f: Input(password=True, id=f"pw-{f}", max_length=200, validators=checks, validate_on=())
            for f, checks in validators.items()
        }
        self._errors = {f: Static("", id=f"pw-{f}-error", classes="field-error") for f in self._inputs}
        self._result = Static("", id="password-result")
        #: notification preferences: None until the server's answer is in (the boxes are disabled)
        self.preferences: NotificationPreferences | None = None
        self._notify_title = Static(self.t("account.notify_title"), id="notify-title", classes="section-title")
        self._notify_boxes = {
            kind: Checkbox(self.t(f"account.notify_{kind}"), id=f"notify-{kind}", disabled=True)
            for kind in NotificationPreferences.model_fields
        }
        self._notify_result = Static("", id="notify-result", classes="muted")
        self._access_title = Static(self.t("account.access_title"), id="access-title", classes="section-title")
        self._access = Static(self.t("account.access_loading"), id="data-access")
        # both columns scroll: a long keyring name or result message is never cut off at 80x24
        self._form = VerticalScroll(id="account-right")

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="account-columns"):
            with VerticalScroll(id="account-left"):
                yield Static(self.t("account.who_title"), classes="section-title")
                yield self._me_widget
                yield self._keyring_widget
                with Vertical(id="logout-buttons"):
                    yield Button(self.t("account.logout"), id="logout", action="screen.logout")
                    yield Button(self.t("account.logout_forget"), id="logout-forget", action="screen.logout_forget")
            with self._form:
                yield Static(self.t("account.password_title"), classes="section-title")
                for field, label in (
                    ("current", "account.current_password"),
                    ("new", "account.new_password"),
                    ("repeat", "account.repeat_password"),
                ):
                    with Horizontal(classes="pw-row"):
                        yield Label(self.t(label))
                        yield self._inputs[field]
                    yield self._errors[field]
                yield Button(
                    self.t("account.change_password"),
                    id="change-password",
                    variant="primary",
                    action="screen.change_password",
                )
                yield self._result
                yield self._notify_title
                yield Static(self.t("account.notify_intro"), id="notify-intro", classes="muted")
                yield from self._notify_boxes.values()
                yield self._notify_result
                yield self._access_title
                yield Static(self.t("account.access_intro"), id="access-intro", classes="muted")
                yield self._access

    def on_mount(self) -> None:
        if self.session.me is not None:
            self.show_me(self.session.me)
            if self.session.me.notifications is not None:  # in /me: no request of its own
                self.show_preferences(self.session.me.notifications)
        self.run_worker(self._keyring_status(), group="keyring", exclusive=True)
        self.run_api(self._load_access, target=self._access, group="data-access")

    async def load(self) -> None:
        me = await self.api.me()
        self.session.refreshed(me)
        self.show_me(me)
        if me.notifications is not None:
            self.show_preferences(me.notifications)
        await self._load_access()

    async def _load_access(self) -> None:
        self.show_access(await self.api.data_access())

    # --- notification preferences ------------------------------------------------------------------
    def show_preferences(self, preferences: NotificationPreferences) -> None:
        self.preferences = preferences
        for kind, box in self._notify_boxes.items():
            with box.prevent(Checkbox.Changed):  # the server's state, not the resident's choice
                box.value = getattr(preferences, kind)
            box.disabled = False
        me = self.session.me
        if me is not None and not me.email:
            self._notify_result.update(self.t("account.notify_no_email"))

    @on(Checkbox.Changed)
    def _preference_changed(self, event: Checkbox.Changed) -> None:
        if self.preferences is None:
            return
        wanted = {kind: box.value for kind, box in self._notify_boxes.items()}
        self.run_api(lambda: self._save_preferences(wanted), target=self._notify_result, group="notify")

    async def _save_preferences(self, wanted: dict[str, bool]) -> None:
        stored = await self.api.set_notification_preferences(**wanted)
        me = self.session.me
        if me is not None:  # the app's copy of /me stays true
            self.session.refreshed(me.model_copy(update={"notifications": stored}))
        self.show_preferences(stored)
        self._notify_result.update(self.t("account.notify_saved"))

    def action_show_notifications(self) -> None:
        """Bring the notification preferences into view (below the password form at 80x24)."""
        self._form.scroll_to_widget(self._notify_title, top=True)
        self._notify_boxes["reply"].focus()

    def show_access(self, access: DataAccess) -> None:
        if not access.items:
            self._access.update(self.t("account.access_empty"))
            return
        out = Text()
        for n, item in enumerate(access.items):
            if n:
                out.append("\n\n")
            purpose = self.i18n.label(
                f"account.access_purpose_{item.purpose}", self.t("account.access_purpose_unknown")
            )
            if item.purpose_text:
                purpose = f"{purpose}: {item.purpose_text}"
            out.append(self.i18n.datetime(item.opened_at), style="bold")
            out.append(" · ")
            out.append(purpose)
            what: list[str] = []
            for resource in item.resources:
                label = self.i18n.label(
                    f"account.access_resource_{resource}", self.t("account.access_resource_unknown")
                )
                if label not in what:
                    what.append(label)
            if what:
                out.append("\n")
                out.append(self.t("account.access_viewed", what=", ".join(what)), style="dim")
            if item.changed:
                out.append("\n")
                out.append(self.t("account.access_changed"), style="dim")
        self._access.update(out)

    def action_show_access(self) -> None:
        """Bring "who viewed my data" into view (below the password form at 80x24)."""
        self._form.scroll_to_widget(self._access_title, top=True)

    def show_me(self, me: Me) -> None:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        # Text, not str: a Rich table would parse the server's text as markup
        grid.add_row(self.t("account.customer_number"), Text(me.customer_number))
        grid.add_row(self.t("account.full_name"), Text(me.full_name))
        grid.add_row(self.t("account.email"), Text(me.email or self.t("account.no_email")))
        grid.add_row(self.t("account.address"), Text(me.address))
        grid.add_row(
            self.t("account.efaktura"),
            self.t("account.efaktura_on") if me.efaktura_active else self.t("account.efaktura_off"),
        )
        self._me_widget.update(grid)

    async def _keyring_status(self) -> None:
        store = self.session.credentials
        status = self._keyring_widget
        if store is None:
            status.update(self.t("account.keyring_none"))
            return
        backend = await store.describe_backend()
        if backend is None:
            status.update(self.t("account.keyring_unavailable"))
        else:
            status.update(self.t("account.keyring_backend", backend=backend))

    # --- password change -------------------------------------------------------------------------
    def _value(self, field: str) -> str:
        return self._inputs[field].value

    def set_field_error(self, field: str, message: str | None) -> None:
        show_field_error(self._errors[field], self._inputs[field], message)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        order = ["current", "new", "repeat"]
        field = (event.input.id or "")[3:]
        if field in order[:-1] and not self._value(order[order.index(field) + 1]):
            self._inputs[order[order.index(field) + 1]].focus()
            return
        self.action_change_password()

    def action_change_password(self) -> None:
        inputs = self._inputs
        ok = check_fields(
            [(inputs[f], self._errors[f]) for f in ("current", "new", "repeat")],
            after={inputs["repeat"]: inputs["new"]},
        )
        result = self._result
        result.update("")
        result.remove_class("-ok")
        if not ok:
            return
        current, new = self._value("current"), self._value("new")
        self.run_api(lambda: self._change(current, new), target=self._form, group="password")

    async def _change(self, current: str, new: str) -> None:
        await self.api.change_password(current, new)
        for widget in self._inputs.values():
            widget.value = ""
        lines = [self.t("account.password_changed")]
        lines.append(await self._update_keyring(new))
        result = self._result
        result.update("\n".join(line for line in lines if line))
        result.add_class("-ok")

    async def _update_keyring(self, new: str) -> str:
        """Keep a remembered password in step with the new one. Returns what to tell the user."""
        store = self.session.credentials
        me = self.session.me
        number = me.customer_number if me else self.api.customer_number
        if store is None or number is None:
            return ""
        saved = await store.load()
        if saved is None:
            if store.last_problem is not None:
                return self.t("account.keyring_not_checked")
            return ""  # nothing was remembered
        if saved.customer_number != number:
            return ""  # someone else's login is remembered; leave it alone
        outcome = await store.save(number, new)
        if outcome.saved:
            return self.t("account.keyring_updated")
        return self.t("account.keyring_not_updated", reason=keyring_saved(self.i18n, outcome))

    def on_api_error(self, error: ApiError) -> bool:
        if isinstance(error, ValidationFailed):
            shown = False
            for name, message in self.field_messages(error).items():
                field = _FIELDS.get(name)
                if field is not None:
                    self.set_field_error(field, message)
                    if self._form.is_attached:
                        self._inputs[field].focus()
                    shown = True
            return shown
        return False

    # --- logging out -----------------------------------------------------------------------------
    def action_logout(self) -> None:
        self.post_message(LogoutRequested())

    def action_logout_forget(self) -> None:
        self.post_message(LogoutRequested(forget=True))
