"""Form helpers shared by the screens: a field's error line, Textual ``Input`` validators for
the per-field shape checks (run when the form is sent, not while typing), and the style the two
login screens share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from rich.text import Text
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Input, Static


def show_field_error(error: Static, field: Widget, message: str | None) -> None:
    """Show ``message`` (plain text, never markup) under ``field`` and mark the field invalid;
    ``None`` or ``""`` clears both. The message widget gets ``-shown`` while it has text. Editing
    the field clears it (see ``ApiMixin`` in ``ebok_tui.ui.screens.base``)."""
    field._ebok_field_error = error  # type: ignore[attr-defined]
    error.update(Text(message or ""))
    error.set_class(bool(message), "-shown")
    field.set_class(bool(message), "-invalid")


class Problem(Validator):
    """Fails with ``messages[problem]`` when ``find(value)`` (of the stripped value) names a problem
    (a shape check from ``ebok_tui.core.validation``: ``"empty"``, ``"invalid"``...), else passes."""

    def __init__(self, find: Callable[[str], str | None], messages: Mapping[str, str]) -> None:
        super().__init__()
        self.find = find
        self.messages = messages

    def validate(self, value: str) -> ValidationResult:
        problem = self.find(value.strip())
        return self.success() if problem is None else self.failure(self.messages.get(problem, problem))


class Required(Validator):
    """Fails with ``message`` when the value is empty or only spaces."""

    def __init__(self, message: str) -> None:
        super().__init__(failure_description=message)

    def validate(self, value: str) -> ValidationResult:
        return self.success() if value.strip() else self.failure()


def check_field(field: Input, error: Static) -> bool:
    """Run ``field``'s validators on its value now; show the first failure under it (or clear the
    error line). True if the value passes. Give such inputs ``validate_on=()``: the check runs when
    the form is sent, and typing clears the error."""
    result = field.validate(field.value)
    message = None if result is None or result.is_valid else result.failure_descriptions[0]
    show_field_error(error, field, message)
    return message is None


def check_fields(fields: Iterable[tuple[Input, Static]], after: Mapping[Input, Input] | None = None) -> bool:
    """:func:`check_field` on each ``(field, error line)`` in order and focus the first that fails.
    ``after`` maps a field to one it is checked only after (a repeated password: no "they differ"
    while the first one is still too short); until that one passes, its error line is cleared.
    True when every field passes."""
    passed: dict[Input, bool] = {}
    first: Input | None = None
    for field, error in fields:
        before = (after or {}).get(field)
        if before is not None and not passed.get(before, True):
            show_field_error(error, field, None)
            continue
        passed[field] = check_field(field, error)
        if not passed[field] and first is None:
            first = field
    if first is not None:
        first.focus()
    return first is None


def link_button(label: str, id: str, action: str) -> Button:
    """A button drawn as a link (``.link`` in :func:`login_css`): one compact line, ``action`` on
    Enter or a click - the login screens' "register", "reset" and "the other login" links."""
    return Button(label, id=id, classes="link", compact=True, action=action)


def login_css(screen: str, label: int) -> str:
    """The style the resident's and the staff login screens share: ``screen`` is the screen's class
    name, ``label`` the width of the field labels (the error lines start under the fields)."""
    return f"""
    {screen} #login-message {{ height: auto; padding: 0 1; background: $warning 20%; border-left: thick $warning; }}
    {screen} #login-columns {{ height: 1fr; }}
    {screen} #login-form {{ width: 44; height: 1fr; padding: 0 1; }}
    {screen} #login-intro {{ height: auto; }}
    {screen} .login-row {{ height: 3; }}
    {screen} .login-row Label {{ width: {label}; padding: 1 1 0 0; }}
    {screen} .login-row Input {{ width: 1fr; }}
    {screen} .field-error {{ padding: 0 0 0 {label}; display: none; }}
    {screen} .field-error.-shown {{ display: block; }}
    {screen} ErrorBanner {{ margin: 1 0 0 0; }}
    {screen} .link {{ margin: 1 0 0 0; height: 1; min-width: 0; width: auto; background: transparent;
                     text-style: underline; color: $text-accent; }}
    {screen} .link:focus {{ background: $accent; color: $text; text-style: bold underline; }}
    {screen} #demo-panel {{ width: 1fr; height: 1fr; border: round $accent; padding: 0 0 0 1;
                           border-title-color: $text-accent; }}
    {screen} #demo-panel:focus {{ border: round $text-accent; }}
    """
