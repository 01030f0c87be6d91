"""Small helpers for the contract / e-FAKTURA / correspondence screen tests."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget
from textual.widgets import DataTable, Static

from tests.tui_support import plain


def text_of(widget: Widget) -> str:
    """What a Static shows, as plain text (Rich tables and Text included, 200 columns wide)."""
    assert isinstance(widget, Static)
    content = widget.content
    if isinstance(content, str):
        return content
    if isinstance(content, Text):
        return content.plain
    return plain(content, 200)


def table_rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
