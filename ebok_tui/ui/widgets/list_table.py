"""A list of things to open, one per row."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable


class ListTable(DataTable):
    """A row-cursor table where Home/End move the cursor to the first/last row; DataTable's own
    Home/End scroll sideways, which does nothing in a list that fits."""

    BINDINGS = [
        Binding("home", "scroll_top", "bind.top", show=False),
        Binding("end", "scroll_bottom", "bind.bottom", show=False),
    ]
