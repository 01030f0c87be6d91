"""Form helpers shared by the screens."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static


def show_field_error(error: Static, field: Widget, message: str | None) -> None:
    """Show ``message`` (plain text, never markup) under ``field`` and mark the field invalid;
    ``None`` or ``""`` clears both. The message widget gets ``-shown`` while it has text. Editing
    the field clears it (see ``ApiMixin`` in ``ebok_tui.ui.screens.base``)."""
    field._ebok_field_error = error  # type: ignore[attr-defined]
    error.update(Text(message or ""))
    error.set_class(bool(message), "-shown")
    field.set_class(bool(message), "-invalid")
