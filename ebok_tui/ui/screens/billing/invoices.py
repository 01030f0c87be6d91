"""Invoices and payments: two paged tables that stay smooth with 10 000 rows.

Only the first page is fetched up front; further pages are fetched when the cursor nears the end
of what is loaded (``Feed``). Rows are appended, never re-added, so the cursor stays where it is and
the DataTable (which only renders the visible lines) does not re-render everything. ``p`` switches
between the invoices and the payments of the account; ``f`` focuses the filters.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Label, Select, Static

from ebok_tui.core.api import INVOICE_FILTERS, INVOICE_STATUSES, InvoiceSummary, Page, Payment
from ebok_tui.ui.screens.point_section import PointSectionScreen
from ebok_tui.ui.screens.billing.status import STATUS_STYLES
from ebok_tui.ui.widgets.chrome import TopBar
from ebok_tui.ui.widgets.paged_table import Column, Feed, PagedTable, cell
from ebok_tui.ui.sections import load_screen

PAGE_SIZE = 100
#: fetch the next page when the cursor is this many rows (or fewer) from the last loaded row
PREFETCH_ROWS = 30

ALL = "all"


class InvoicesScreen(PointSectionScreen):
    SECTION = "invoices"

    BINDINGS = [
        Binding("p", "toggle_view", "invoices.bind_payments"),
        Binding("f", "focus_filters", "bind.filter"),
        Binding("enter", "open_invoice", "bind.open"),
    ]

    DEFAULT_CSS = """
    InvoicesScreen #body { padding: 0; }
    InvoicesScreen #filters { height: 1; padding: 0 1; }
    InvoicesScreen #filters Label { padding: 0 1 0 0; }
    InvoicesScreen #filters Select { margin: 0 2 0 0; }
    InvoicesScreen #year { width: 16; }
    InvoicesScreen #status { width: 24; }
    InvoicesScreen #count { width: 1fr; text-align: right; color: $text-muted; }
    InvoicesScreen #empty-message { display: none; height: auto; padding: 0 1; color: $text-muted; }
    InvoicesScreen #empty-message.-shown { display: block; }
    InvoicesScreen #payments { display: none; }
    InvoicesScreen.-payments #payments { display: block; }
    InvoicesScreen.-payments #invoices { display: none; }
    InvoicesScreen.-payments #filters Label, InvoicesScreen.-payments #filters Select { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.year: int | str = ALL
        self.status: str = ALL
        self.years: list[int] = []
        self.view = "invoices"
        self._filter_reload = False
        self.invoice_columns = self._invoice_columns()
        self.payment_columns = self._payment_columns()
        self.feeds = {
            "invoices": Feed("invoices", self._fetch_invoices, self._invoice_row),
            "payments": Feed("payments", self._fetch_payments, self._payment_row),
        }

    # --- layout --------------------------------------------------------------------------------
    def _invoice_columns(self) -> list[Column]:
        t, i18n = self.t, self.i18n
        date_w = len(i18n.date(date(2026, 12, 31))) + 1
        status_w = max(len(t(f"invoices.status.{s}")) for s in INVOICE_STATUSES) + 1
        return [
            Column("number", 18),
            Column("issue_date", max(date_w, len(t("invoices.col.issue_date")) + 1)),
            Column("due_date", max(date_w, len(t("invoices.col.due_date")) + 1)),
            Column("period", max(len(i18n.month(date(2026, 12, 1))) + 1, len(t("invoices.col.period")) + 1)),
            Column("gross", max(len(i18n.money(1_234_56)) + 1, len(t("invoices.col.gross")) + 1), right=True),
            Column("status", max(status_w, len(t("invoices.col.status")) + 1)),
        ]

    def _payment_columns(self) -> list[Column]:
        t, i18n = self.t, self.i18n
        return [
            Column("date", max(len(i18n.date(date(2026, 12, 31))) + 1, len(t("invoices.pcol.date")) + 1)),
            Column("amount", max(len(i18n.money(1_234_56)) + 1, len(t("invoices.pcol.amount")) + 1), right=True),
            Column(
                "method",
                max(
                    max(len(t(f"invoices.method.{m}")) for m in ("transfer", "cash", "card")) + 1,
                    len(t("invoices.pcol.method")) + 1,
                ),
            ),
            Column("reference", 24),
            Column("invoice_number", max(18, len(t("invoices.pcol.invoice_number")) + 1)),
        ]

    def compose_body(self) -> ComposeResult:
        t = self.t
        with Horizontal(id="filters"):
            yield Label(t("invoices.year"), id="year-label")
            yield Select([(t("invoices.all_years"), ALL)], value=ALL, allow_blank=False, compact=True, id="year")
            yield Label(t("invoices.status_label"), id="status-label")
            yield Select(
                [(t("invoices.all_statuses"), ALL)] + [(t(f"invoices.filter.{s}"), s) for s in INVOICE_FILTERS],
                value=ALL,
                allow_blank=False,
                compact=True,
                id="status",
            )
            yield Static("", id="count")
        # below the filters, full width: the message is longer than the room left beside them
        yield Static("", id="empty-message")
        yield PagedTable(id="invoices")
        yield PagedTable(id="payments")

    def on_mount(self) -> None:
        invoices = self.query_one("#invoices", PagedTable)
        for col in self.invoice_columns:
            invoices.add_column(cell(self.t(f"invoices.col.{col.key}"), col), width=col.width, key=col.key)
        payments = self.query_one("#payments", PagedTable)
        for col in self.payment_columns:
            payments.add_column(cell(self.t(f"invoices.pcol.{col.key}"), col), width=col.width, key=col.key)
        invoices.focus()

    # --- rows ----------------------------------------------------------------------------------
    def period_text(self, invoice: InvoiceSummary) -> str:
        start, end = invoice.period_from, invoice.period_to
        if (start.year, start.month) == (end.year, end.month):
            return self.i18n.month(start)
        return f"{self.i18n.month(start)}–{self.i18n.month(end)}"

    def status_text(self, status: str) -> Text:
        key = f"invoices.status.{status}"
        label = self.i18n.label(key, status)
        return Text(label, style=STATUS_STYLES.get(status, ""))

    def _invoice_row(self, inv: InvoiceSummary) -> list[Text]:
        i18n = self.i18n
        values: list[str | Text] = [
            inv.number,
            i18n.date(inv.issue_date),
            i18n.date(inv.due_date),
            self.period_text(inv),
            i18n.money(inv.gross),
            self.status_text(inv.status),
        ]
        return [cell(v, c) for v, c in zip(values, self.invoice_columns, strict=True)]

    def _payment_row(self, pay: Payment) -> list[Text]:
        i18n = self.i18n
        method_key = f"invoices.method.{pay.method}"
        values: list[str | Text] = [
            i18n.date(pay.date),
            i18n.money(pay.amount),
            i18n.label(method_key, pay.method),
            pay.reference or self.t("app.none"),
            pay.invoice_number or self.t("app.none"),
        ]
        return [cell(v, c) for v, c in zip(values, self.payment_columns, strict=True)]

    # --- fetching ------------------------------------------------------------------------------
    async def _fetch_invoices(self, offset: int, limit: int) -> Page[Any]:
        year = None if self.year == ALL else int(self.year)
        status = None if self.status == ALL else self.status
        page = await self.api.invoices(
            year=year, status=status, offset=offset, limit=limit, service_point=self.point_code
        )
        self._update_years(page.years)
        return page

    async def _fetch_payments(self, offset: int, limit: int) -> Page[Any]:
        return await self.api.payments(offset=offset, limit=limit)

    def _update_years(self, years: list[int]) -> None:
        if years == self.years:
            return
        self.years = list(years)
        select = self.query_one("#year", Select)
        options: list[tuple[str, int | str]] = [(self.t("invoices.all_years"), ALL)]
        options += [(str(y), y) for y in years]
        keep = self.year if self.year == ALL or self.year in years else ALL
        self.year = keep
        with select.prevent(Select.Changed):
            select.set_options(options)
            select.value = keep

    def reset_feed(self, name: str) -> Feed:
        feed = self.feeds[name]
        feed.reset(self.query_one(f"#{name}", PagedTable))
        self.workers.cancel_group(self, f"page-{name}")
        return feed

    async def fetch_page(self, feed: Feed) -> None:
        """Fetch the next page of ``feed`` and append its rows (skipping rows already shown)."""
        if await feed.fetch_next(self.query_one(f"#{feed.table_id}", PagedTable), PAGE_SIZE):
            self.update_count()
            self.maybe_fetch_more(feed)

    def maybe_fetch_more(self, feed: Feed) -> None:
        """Start fetching the next page when the cursor is near the end of the loaded rows."""
        if not feed.wants_more(self.query_one(f"#{feed.table_id}", PagedTable), PREFETCH_ROWS):
            return
        feed.busy = True  # claimed now, so a second key press cannot start a second fetch
        self.run_api(
            lambda: self.fetch_page(feed),
            target=self.query_one("#count"),
            group=f"page-{feed.table_id}",
            exclusive=False,
        )

    def update_count(self) -> None:
        feed = self.feeds[self.view]
        count = self.query_one("#count", Static)
        empty = self.query_one("#empty-message", Static)
        empty.update(self.t(f"invoices.empty_{self.view}") if feed.total == 0 else "")
        empty.set_class(feed.total == 0, "-shown")
        if feed.total is None or feed.total == 0:
            count.update("")
        else:
            count.update(
                self.t(
                    "invoices.count",
                    loaded=self.i18n.decimal(len(feed.keys), 0),
                    total=self.i18n.decimal(feed.total, 0),
                )
            )

    async def load(self) -> None:
        """First page of the visible table (on mount, on ``r`` and when a filter or the point
        changes)."""
        await self.load_points()
        feed = self.reset_feed(self.view)
        self.update_count()
        await self.fetch_page(feed)
        self.call_after_refresh(self._restore_focus)

    def _restore_focus(self) -> None:
        """The loading cover takes focus away from the table; give it back (unless a filter has it)."""
        if self._filter_reload:
            self._filter_reload = False  # the resident is working the filters: leave focus there
            return
        # after the refresh the resident may have switched section already: the table is gone then
        table = next(self.query(f"#{self.view}").results(PagedTable), None)
        if table is not None:
            table.focus()

    def action_reload(self) -> None:
        self.run_api(self.load, group="load", target=self.query_one(f"#{self.view}"))

    # --- events --------------------------------------------------------------------------------
    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table_id = event.data_table.id
        if table_id in self.feeds:
            self.maybe_fetch_more(self.feeds[table_id])

    @on(Select.Changed, "#year")
    def _year_changed(self, event: Select.Changed) -> None:
        if event.value != event.select.value or event.value == self.year or event.value is Select.NULL:
            return
        self.year = event.value  # type: ignore[assignment]
        self._filter_reload = event.select.has_focus
        self.action_reload()

    @on(Select.Changed, "#status")
    def _status_changed(self, event: Select.Changed) -> None:
        if event.value != event.select.value or event.value == self.status or event.value is Select.NULL:
            return
        self.status = str(event.value)
        self._filter_reload = event.select.has_focus
        self.action_reload()

    @on(DataTable.RowSelected, "#invoices")
    def _invoice_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_invoice(event.row_key.value)

    def action_open_invoice(self) -> None:
        table = self.query_one("#invoices", PagedTable)
        if self.view == "invoices" and table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.open_invoice(key)

    def open_invoice(self, key: str | None) -> None:
        invoice = self.feeds["invoices"].items.get(key or "")
        if invoice is None:
            return
        self.app.push_screen(load_screen("invoice_detail")(invoice.id))

    @property
    def section_title(self) -> str:
        """The top bar names the list shown: Faktury (and the point chosen) / Płatności (the
        customer's, not a point's)."""
        view = getattr(self, "view", "invoices")
        title = self.t(f"invoices.view_{view}")
        return self.point_title(title) if view == "invoices" else title

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The payments list has no filters and no detail to open: do not offer them there.
        if action in ("focus_filters", "open_invoice"):
            return self.view == "invoices"
        if action == "pick_point":
            return self.view == "invoices" and self.check_point_action(action)
        return super().check_action(action, parameters)

    def action_toggle_view(self) -> None:
        self.view = "payments" if self.view == "invoices" else "invoices"
        self.set_class(self.view == "payments", "-payments")
        table = self.query_one(f"#{self.view}", PagedTable)
        table.focus()
        self.title = self.sub_title = self.section_title
        top = self.query_one(TopBar)
        top.section_title = self.section_title
        top.refresh()
        self.refresh_bindings()  # check_action's answer changed
        if self.feeds[self.view].total is None and not self.feeds[self.view].busy:
            self.action_reload()
        else:
            self.update_count()

    def action_focus_filters(self) -> None:
        if self.view == "invoices":
            self.query_one("#year", Select).focus()
