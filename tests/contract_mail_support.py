"""Small helpers for the contract / e-FAKTURA / correspondence screen tests."""

from __future__ import annotations

import io
import socket

from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Static


async def settle(pilot: Pilot) -> None:
    """Let pending messages, workers (API calls) and the resulting refreshes finish."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(widget: Widget) -> str:
    """What a Static shows, as plain text (Rich tables and Text included)."""
    assert isinstance(widget, Static)
    content = widget.content
    if isinstance(content, str):
        return content
    if isinstance(content, Text):
        return content.plain
    console = Console(width=200, file=io.StringIO(), color_system=None, record=True)
    console.print(content)
    return console.export_text()


def table_rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
