"""A form sent without being logged in, shared by the registration request, the password reset
and their second steps (the one-time code + a new password): no navigation bar, per-field
validation (Textual ``Input`` validators, checked when the form is sent), then a confirmation text in place of the form. Not a screen of its own; the auth
screens subclass it (:class:`CodeForm` for the second steps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.validation import Function, Length, Validator
from textual.widgets import Button, Input, Label, Static

from ebok_tui.core.api import ApiError, ValidationFailed
from ebok_tui.ui.screens.api_mixin import ApiMixin
from ebok_tui.ui.widgets.chrome import ErrorBanner, KeyFooter, TopBar
from ebok_tui.ui.widgets.field_rows import field_rows_css
from ebok_tui.ui.widgets.forms import Required, check_fields, show_field_error
from ebok_tui.core.validation import PASSWORD_MIN_LENGTH, valid_customer_number


@dataclass(frozen=True)
class FormField:
    name: str  # the API field name; widget ids are "f-<name>" and "e-<name>"
    label_key: str
    input_args: dict[str, Any] = field(default_factory=dict)
    #: Checked only once this other field passes (a repeated password: no "they differ" while the
    #: first one is still too short).
    after: str = ""


class PublicForm(ApiMixin, Screen):
    """A form sent without being logged in. Subclasses set FIELDS and the catalogue keys."""

    FIELDS: ClassVar[tuple[FormField, ...]] = ()
    TITLE_KEY: ClassVar[str] = ""
    INTRO_KEY: ClassVar[str] = ""
    SUBMIT_KEY: ClassVar[str] = ""
    DONE_KEY: ClassVar[str] = ""
    # When set: a button with this label on the form and on the confirmation opens the next step
    # (:meth:`open_next_step`), e.g. "I have a code".
    NEXT_STEP_KEY: ClassVar[str] = ""

    BINDINGS = [Binding("escape", "back", "bind.back")]

    DEFAULT_CSS = (
        field_rows_css("PublicForm", "form-row", 20)
        + """
    PublicForm #body { height: 1fr; padding: 0 1; }
    PublicForm #intro { height: auto; }
    PublicForm #form-buttons { height: 3; padding: 0 0 0 20; }
    PublicForm #form-buttons Button { margin: 0 2 0 0; }
    PublicForm #done { display: none; height: auto; margin: 1 0; padding: 1 2;
                       border: round $success; }
    PublicForm.-done #done { display: block; }
    PublicForm.-done #form { display: none; }
    PublicForm #done-buttons { height: 3; }
    PublicForm #done-buttons Button { margin: 0 2 0 0; }
    """
    )

    def __init__(self, **values: str) -> None:
        super().__init__()
        self.initial = values

    def _input_args(self, f: FormField) -> dict[str, Any]:
        """``input_args`` with a ``placeholder_key`` turned into the catalogue's placeholder."""
        args = dict(f.input_args)
        if "placeholder_key" in args:
            args["placeholder"] = self.t(args.pop("placeholder_key"))
        return args

    def compose(self) -> ComposeResult:
        validators = self.field_validators()
        yield TopBar(self.t(self.TITLE_KEY))
        with VerticalScroll(id="body"):
            with Vertical(id="form"):
                yield Static(self.t(self.INTRO_KEY), id="intro")
                for f in self.FIELDS:
                    with Horizontal(classes="form-row"):
                        yield Label(self.t(f.label_key))
                        yield Input(
                            value=self.initial.get(f.name, ""),
                            id=f"f-{f.name}",
                            validators=validators.get(f.name, []),
                            validate_on=(),  # checked when the form is sent; typing clears the error
                            **self._input_args(f),
                        )
                    yield Static("", id=f"e-{f.name}", classes="field-error")
                with Horizontal(id="form-buttons"):
                    yield Button(self.t(self.SUBMIT_KEY), id="submit", variant="primary", action="screen.submit")
                    if self.NEXT_STEP_KEY:
                        yield Button(self.t(self.NEXT_STEP_KEY), id="next-step", action="screen.next_step")
                    yield Button(self.t("public.back"), id="back", action="screen.back")
            with Vertical(id="done"):
                yield Static("", id="done-text")
                with Horizontal(id="done-buttons"):
                    if self.NEXT_STEP_KEY:
                        yield Button(
                            self.t(self.NEXT_STEP_KEY),
                            id="done-next-step",
                            variant="primary",
                            action="screen.next_step",
                        )
                    yield Button(
                        self.t("public.back_to_login"),
                        id="done-back",
                        variant="default" if self.NEXT_STEP_KEY else "primary",
                        action="screen.back",
                    )
        yield ErrorBanner()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = self.t(self.TITLE_KEY)
        for f in self.FIELDS:
            widget = self.query_one(f"#f-{f.name}", Input)
            if not widget.value:
                widget.focus()
                break
        else:
            self.query_one("#submit", Button).focus()

    # --- helpers ---------------------------------------------------------------------------------
    def value(self, name: str) -> str:
        return self.query_one(f"#f-{name}", Input).value.strip()

    def set_field_error(self, name: str, message: str | None) -> None:
        show_field_error(self.query_one(f"#e-{name}", Static), self.query_one(f"#f-{name}", Input), message)

    def field_validators(self) -> dict[str, list[Validator]]:
        """Field name → the Textual validators of its ``Input`` (messages from the catalogues)."""
        return {}

    def check_form(self) -> bool:
        """Every field's validators; failures shown under their fields, the first focused."""
        inputs = {f.name: self.query_one(f"#f-{f.name}", Input) for f in self.FIELDS}
        return check_fields(
            [(inputs[f.name], self.query_one(f"#e-{f.name}", Static)) for f in self.FIELDS],
            after={inputs[f.name]: inputs[f.after] for f in self.FIELDS if f.after},
        )

    async def send(self) -> None:
        """Send the form (raise ApiError freely)."""

    def done_text(self) -> str:
        return self.t(self.DONE_KEY)

    def open_next_step(self) -> None:
        """Replace this screen by the next step (subclasses with NEXT_STEP_KEY)."""

    # --- events ----------------------------------------------------------------------------------
    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        # Enter moves to the next empty field; on the last one (or when all are filled) it sends.
        names = [f.name for f in self.FIELDS]
        current = event.input.id[2:] if event.input.id else ""
        following = names[names.index(current) + 1 :] if current in names else []
        for name in following:
            if not self.value(name):
                self.query_one(f"#f-{name}", Input).focus()
                return
        self.action_submit()

    def action_next_step(self) -> None:
        self.open_next_step()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        if self.has_class("-done"):
            return
        if not self.check_form():
            return
        self.clear_error()
        self.run_api(self._send_and_confirm, target=self.query_one("#form"), group="send")

    def _alive(self) -> bool:
        """False once the widgets are gone (the app is closing while a reply arrives)."""
        return bool(self.query("#done-text"))

    async def _send_and_confirm(self) -> None:
        await self.send()
        if not self._alive():
            return
        self.query_one("#done-text", Static).update(Text(self.done_text()))  # quotes the typed e-mail
        self.add_class("-done")
        self.query_one("#done-next-step" if self.NEXT_STEP_KEY else "#done-back", Button).focus()

    def on_api_error(self, error: ApiError) -> bool:
        if not self._alive():
            return True
        if isinstance(error, ValidationFailed):
            shown = False
            names = {f.name for f in self.FIELDS}
            for name, message in self.field_messages(error).items():
                if name in names:
                    self.set_field_error(name, message)
                    shown = True
            if shown:
                return True
        return False  # the banner; everything typed stays in the form


class CodeForm(PublicForm):
    """Second step: customer number, the one-time code from the mail or letter, and the new password
    twice. Subclasses set :attr:`KEYS` and :meth:`confirm`."""

    #: The start of the catalogue keys: ``<KEYS>title``, ``<KEYS>intro``, ``<KEYS>submit`` and
    #: ``<KEYS>done`` (e.g. ``"reset.code_"``).
    KEYS: ClassVar[str] = ""

    FIELDS = (
        FormField(
            "customer_number", "code.customer_number", {"restrict": r"\d*", "max_length": 5, "placeholder": "12345"}
        ),
        FormField("code", "code.code", {"max_length": 60, "placeholder": "ABCD-EFGH-…"}),
        FormField("new_password", "code.new_password", {"password": True, "max_length": 256}),
        FormField(
            "new_password_confirm", "code.new_password_confirm", {"password": True, "max_length": 256}, "new_password"
        ),
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.KEYS:
            cls.TITLE_KEY, cls.INTRO_KEY, cls.SUBMIT_KEY, cls.DONE_KEY = (
                f"{cls.KEYS}{name}" for name in ("title", "intro", "submit", "done")
            )

    def __init__(self, customer_number: str = "") -> None:
        super().__init__(customer_number=customer_number)

    def confirm(self) -> Callable[[str, str, str], Awaitable[None]]:
        """The API call that sets the password: (customer number, code, new password)."""
        raise NotImplementedError

    async def send(self) -> None:
        await self.confirm()(self.value("customer_number"), self.value("code"), self.password())

    def password(self) -> str:
        """The new password exactly as typed (spaces at either end belong to it)."""
        return self.query_one("#f-new_password", Input).value

    def field_validators(self) -> dict[str, list[Validator]]:
        return {
            "customer_number": [Function(valid_customer_number, self.t("code.error_customer_number"))],
            "code": [Required(self.t("code.error_code"))],
            "new_password": [
                Length(minimum=PASSWORD_MIN_LENGTH, failure_description=self.t("code.error_password_short"))
            ],
            "new_password_confirm": [
                Function(lambda repeated: repeated == self.password(), self.t("code.error_password_mismatch"))
            ],
        }
