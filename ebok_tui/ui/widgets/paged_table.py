"""A DataTable fed page by page from the API: the table, its fixed-width columns, and the feed
that loads it (what it has loaded so far, the next page, when to ask for more)."""

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


def column_table(table_id: str, columns: Iterable[Column], heading: Callable[[str], str]) -> ListTable:
    """A zebra-striped row-cursor table with ``columns`` (fixed widths), each headed by
    ``heading(column key)`` after the one-space gap :func:`cell` leaves too."""
    table = ListTable(id=table_id, cursor_type="row", zebra_stripes=True, cell_padding=0)
    for col in columns:
        table.add_column(Text(" " + heading(col.key)), width=col.width, key=col.key)
    return table


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
    """What one paged table has loaded so far, and how it loads more: ``fetch(offset, limit)``
    gives a page, ``to_row(item)`` its row. Rows are keyed by the item's id (a row already shown
    is not added again); an answer for a feed reset meanwhile is dropped."""

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

    def reset(self, table: PagedTable) -> None:
        """Forget everything loaded and empty the table (answers still on their way are dropped)."""
        self.generation += 1
        self.total = None
        self.loaded = 0
        self.busy = False
        self.keys.clear()
        self.items.clear()
        table.clear()

    async def fetch_next(self, table: PagedTable, page_size: int) -> bool:
        """Fetch the next page and append its new rows to ``table``. False if the answer came for
        a feed that was reset meanwhile (nothing changed)."""
        generation = self.generation
        self.busy = True
        try:
            page = await self.fetch(self.loaded, page_size)
        finally:
            if generation == self.generation:
                self.busy = False
        if generation != self.generation:
            return False  # the filters changed meanwhile: this answer is for rows no longer shown
        self.total = page.total
        self.loaded = page.end
        rows = []
        for item in page.items:
            key = str(item.id)
            if key in self.keys:
                continue
            self.keys.add(key)
            self.items[key] = item
            rows.append((key, self.to_row(item)))
        for key, row in rows:
            table.add_row(*row, key=key)
        if not page.items:
            self.total = self.loaded  # the server has nothing more, whatever it said
        return True

    def wants_more(self, table: PagedTable, prefetch_rows: int) -> bool:
        """The cursor is within ``prefetch_rows`` of the last loaded row and there is more to load
        (and no fetch is running)."""
        if self.busy or not self.has_more or self.total is None:
            return False
        return table.row_count - table.cursor_row <= prefetch_rows
