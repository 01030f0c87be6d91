"""A DataTable fed page by page from the API: the table, its fixed-width columns, and what one
feed has loaded so far."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from ebok_tui.core.api import Page
from ebok_tui.ui.widgets.list_table import ListTable


class PagedTable(ListTable):
    """A row-cursor table where Home/End move the cursor to the first/last loaded row."""

    DEFAULT_CSS = """
    PagedTable { height: 1fr; scrollbar-size-vertical: 1; }
    """

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, cell_padding=0)


@dataclass
class Column:
    """A fixed-width column: content is padded by one space on the left (the gap)."""

    key: str
    width: int
    right: bool = False


def cell(text: str | Text, col: Column) -> Text:
    body = text if isinstance(text, Text) else Text(text)
    if col.right:
        body = body.copy()
        body.append(" ")
        body.justify = "right"
        return body
    out = Text(" ")
    out.append_text(body)
    out.truncate(col.width, overflow="ellipsis")
    return out


@dataclass
class Feed:
    """What one paged table has loaded so far."""

    table_id: str
    fetch: Callable[[int, int], Awaitable[Page[Any]]]
    to_row: Callable[[Any], Iterable[Text]]
    total: int | None = None
    loaded: int = 0  # items the server gave (offset of the next page)
    generation: int = 0  # bumped on every reset: answers for an older generation are dropped
    busy: bool = False
    keys: set[str] = field(default_factory=set)
    items: dict[str, Any] = field(default_factory=dict)

    @property
    def has_more(self) -> bool:
        return self.total is None or self.loaded < self.total
