"""Szukaj klienta (customer search): a query field searched as the member of staff types (once the
typing pauses for ``DEBOUNCE`` seconds, or at once on Enter), a paged result table (number, name,
address, how it matched), ``/`` back to the query (k9s/lazygit style), Enter on a row opens the
customer (the reason dialog, then act-for mode)."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from ebok_tui.core.api.staff import CustomerHit, CustomerSearchPage
from ebok_tui.ui.messages import CustomerOpened
from ebok_tui.ui.screens.staff.base import StaffTableScreen
from ebok_tui.ui.staff_sections import load_staff_screen
from ebok_tui.ui.widgets.paged_table import Column

PAGE_SIZE = 20
#: Seconds of no typing before the query is sent.
DEBOUNCE = 0.3
#: The server needs a word of 3+ letters or digits (docs/API.md "Customer search").
_WORD = re.compile(r"[^\W_]{3,}")

COLUMNS = (Column("number", 7), Column("name", 24), Column("address", 33), Column("match", 12))


def searchable(query: str) -> bool:
    return bool(_WORD.search(query))


class StaffSearchScreen(StaffTableScreen):
    SECTION = "search"
    TABLE, HEADINGS, COLUMNS = "results", "staff_search.col_", COLUMNS
    FIRST_FOCUS = "#query"  # the table is empty until something is typed
    LOAD_ON_MOUNT: ClassVar[bool] = False  # nothing to show until something is typed

    BINDINGS = [
        Binding("slash", "focus_query", "staff_search.bind_query", key_display="/"),
        Binding("escape", "focus_results", "staff_search.bind_results", show=False),
        Binding("left_square_bracket", "page(-1)", "staff_search.bind_prev", key_display="["),
        Binding("right_square_bracket", "page(1)", "staff_search.bind_next", key_display="]"),
    ]

    DEFAULT_CSS = """
    StaffSearchScreen #query { margin: 0; }
    StaffSearchScreen #search-status { height: auto; padding: 0 1; }
    StaffSearchScreen #search-status.-warning { color: $warning; text-style: bold; }
    StaffSearchScreen #results { height: 1fr; }
    """

    query_input = getters.query_one("#query", Input)
    status = getters.query_one("#search-status", Static)

    def __init__(self) -> None:
        super().__init__()
        self.page: CustomerSearchPage | None = None
        self.searched_for = ""  # the query the table shows
        self.page_offset = 0
        self._timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder=self.t("staff_search.placeholder"), id="query", max_length=100)
        yield Static(self.t("staff_search.hint"), id="search-status", classes="muted")
        yield self.compose_table()

    # --- typing --------------------------------------------------------------------------------
    @on(Input.Changed, "#query")
    def _typed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self._search_typed, name="search-debounce")

    def _search_typed(self) -> None:
        self._timer = None
        self.search(self.query_input.value)

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.search(self.query_input.value, focus_results=True)

    def action_focus_query(self) -> None:
        self.query_input.focus()

    def action_focus_results(self) -> None:
        if self.table.row_count:
            self.table.focus()

    # --- searching -----------------------------------------------------------------------------
    def search(self, query: str, *, offset: int = 0, focus_results: bool = False) -> None:
        """Search for ``query`` (the page at ``offset``); a query the server cannot search (no word
        of 3+ characters) empties the list and says why."""
        query = query.strip()
        if not searchable(query):
            self.page, self.searched_for, self.page_offset = None, "", 0
            self.table.clear()
            self._status(self.t("staff_search.hint") if not query else self.t("staff_search.too_short"))
            self.refresh_bindings()
            return
        self.run_api(lambda: self._fetch(query, offset, focus_results), target=self.table, group="search")

    async def load(self) -> None:
        """``r``: the same query and page again."""
        if self.searched_for:
            await self._fetch(self.searched_for, self.page_offset, False)

    async def _fetch(self, query: str, offset: int, focus_results: bool) -> None:
        page = await self.staff.api.search(query, offset=offset, limit=PAGE_SIZE)
        if query != self.query_input.value.strip():
            return  # typed on meanwhile: a newer search follows
        self.page, self.searched_for, self.page_offset = page, query, page.offset
        self.show_rows((hit.customer_number, self._row(hit)) for hit in page.items)
        self._show_count(page)
        self.refresh_bindings()
        if focus_results and page.items:
            self.table.focus()

    def _row(self, hit: CustomerHit) -> dict[str, str | Text]:
        return {
            "number": hit.customer_number,
            "name": hit.full_name,
            "address": hit.address,
            "match": self.t(f"staff_search.match_{hit.match}"),
        }

    def _show_count(self, page: CustomerSearchPage) -> None:
        if not page.items:
            self._status(self.t("staff_search.none", query=self.searched_for), warning=True)
            return
        text = self.t(
            "staff_search.count",
            first=page.offset + 1,
            last=page.end,
            total=page.total,
        )
        if page.truncated:
            self._status(f"{text} {self.t('staff_search.truncated')}", warning=True)
        else:
            self._status(text)

    def _status(self, text: str, *, warning: bool = False) -> None:
        self.status.update(Text(text))
        self.status.set_class(warning, "-warning")

    # --- paging and opening --------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page":
            step = parameters[0] if parameters else 1
            return self.page is not None and self.page.can_move(step)
        return True

    def action_page(self, step: int) -> None:
        if self.page is None or not self.check_action("page", (step,)):
            return
        self.search(self.searched_for, offset=max(self.page_offset + step * PAGE_SIZE, 0), focus_results=True)

    @on(DataTable.RowSelected, "#results")
    def _selected(self, event: DataTable.RowSelected) -> None:
        number = event.row_key.value
        hit = next((h for h in (self.page.items if self.page else []) if h.customer_number == number), None)
        if hit is not None:
            self.app.push_screen(load_staff_screen("open_customer")(hit), callback=self._opened)

    def _opened(self, opened: bool | None) -> None:
        if opened:
            self.post_message(CustomerOpened())  # the app switches to act-for mode
