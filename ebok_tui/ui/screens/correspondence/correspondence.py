"""Korespondencja: the resident's threads with the utility, paged like the API, plus unsent drafts.
A thread with a utility reply the resident has not opened yet is marked ● (and bold); the page's
unread count goes to the navigation bar (``EbokApp.unread_threads``).

``d`` deletes the draft on the cursor row (after asking); ``x`` lists the old / orphaned drafts
on this computer and deletes them if the resident agrees. Enter opens a thread (:class:`~ebok_tui.ui.screens.correspondence.thread.ThreadScreen`) or, for a draft, the composer
(:class:`~ebok_tui.ui.screens.correspondence.compose.ComposeScreen`); ``n`` writes a new message. Drafts live in the
session's :class:`~ebok_tui.core.drafts.DraftStore` (one file per server identity + customer number); a new-thread
draft's ``id`` is the ``Idempotency-Key`` of its POST, a reply draft has ``reply_to`` = thread id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ebok_tui.core.api import Thread, ThreadPage
from ebok_tui.core.drafts import DraftSaveError, OrphanDraft
from ebok_tui.ui.widgets.list_table import ListTable
from ebok_tui.ui.screens.base import SectionScreen
from ebok_tui.ui.screens.correspondence.common import (
    STATUS_STYLE,
    is_reply_draft,
    kind_label,
    split_drafts,
    status_label,
)
from ebok_tui.ui.screens.correspondence.draft_dialogs import confirm_delete_draft, confirm_delete_orphans
from ebok_tui.ui.sections import load_screen

PAGE_SIZE = 15
SUBJECT_WIDTH = 26


def draft_time(draft: dict[str, Any]) -> dt.datetime | None:
    raw = draft.get("updated_at") or draft.get("created_at")
    try:
        return dt.datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class CorrespondenceScreen(SectionScreen):
    SECTION = "correspondence"

    # staff acting for the customer: a new thread is a complaint written up for them; the drafts
    # on this machine are the resident's
    ACTING = {"new": "complaint", "delete_draft": None, "orphans": None}

    BINDINGS = [
        Binding("enter", "open", "bind.open"),
        Binding("n", "new", "bind.new"),
        Binding("left_square_bracket", "page(-1)", "correspondence.bind_prev", key_display="["),
        Binding("right_square_bracket", "page(1)", "correspondence.bind_next", key_display="]"),
        # shown only where they apply (check_action): on a row with a draft / when old drafts exist
        Binding("d", "delete_draft", "correspondence.bind_delete_draft"),
        Binding("x", "orphans", "correspondence.bind_orphans"),
    ]

    DEFAULT_CSS = """
    CorrespondenceScreen #drafts-notice, CorrespondenceScreen #orphans-notice {
        height: auto; display: none; color: $warning; text-style: bold;
    }
    CorrespondenceScreen #drafts-notice.-visible, CorrespondenceScreen #orphans-notice.-visible { display: block; }
    CorrespondenceScreen #threads { height: 1fr; }
    CorrespondenceScreen #pager { height: 1; color: $text-muted; }
    """

    # queried on each use (textual.getters)
    table = getters.query_one("#threads", DataTable)

    def __init__(self) -> None:
        super().__init__()
        self.page_offset = 0
        self.page: ThreadPage | None = None
        self.orphans: list[OrphanDraft] = []
        #: the drafts as last read (in a worker thread: no file I/O on the event loop)
        self.draft_list: list[dict[str, Any]] = []
        # "17 Nov 2026 10:15" is a column wider than "17.11.2026 10:15": the subject gives way
        widest = self.i18n.datetime(dt.datetime(2026, 12, 28, 23, 59))
        self.updated_width = max(len(widest), len(self.t("correspondence.col_updated")), 16)
        self.subject_width = SUBJECT_WIDTH - (self.updated_width - 16)

    def compose_body(self) -> ComposeResult:
        yield Static(id="drafts-notice")
        yield Static(id="orphans-notice")
        yield ListTable(id="threads", cursor_type="row")
        yield Static(id="pager")

    def on_mount(self) -> None:
        table = self.table
        table.add_column(self.t("correspondence.col_subject"), key="subject", width=self.subject_width)
        table.add_column(self.t("correspondence.col_kind"), key="kind", width=13)
        table.add_column(self.t("correspondence.col_status"), key="status", width=13)
        table.add_column(self.t("correspondence.col_updated"), key="updated", width=self.updated_width)

    # --- data ----------------------------------------------------------------------------------
    async def load(self) -> None:
        page = await self.api.threads(offset=self.page_offset, limit=PAGE_SIZE)
        if not page.items and page.total and self.page_offset:
            self.page_offset = max(0, (page.total - 1) // PAGE_SIZE * PAGE_SIZE)
            page = await self.api.threads(offset=self.page_offset, limit=PAGE_SIZE)
        self.page = page
        self.ebok.unread_threads = page.unread
        store = self.session.drafts
        if store is not None:
            self.draft_list, self.orphans = await asyncio.to_thread(lambda: (store.load(), store.orphans()))
        else:
            self.draft_list, self.orphans = [], []
        self.show()

    async def _reread_drafts(self) -> None:
        """The drafts changed here (one deleted): read them again, off the event loop, and show."""
        store = self.session.drafts
        self.draft_list = await asyncio.to_thread(store.load) if store is not None else []
        self.show()

    def show(self) -> None:
        drafts, replies = split_drafts(self.draft_list)
        table = self.table
        previous = table.cursor_row
        table.clear()
        i18n = self.i18n
        if self.page_offset == 0:
            for draft in drafts:
                subject = draft.get("subject") or self.t("correspondence.no_subject")
                table.add_row(
                    Text("✎ " + clip(subject, self.subject_width - 2), style="italic"),
                    kind_label(i18n, str(draft.get("kind") or ""), short=True) if draft.get("kind") else "",
                    Text(self.t("correspondence.status_draft"), style="bold yellow"),
                    i18n.datetime(draft_time(draft)),
                    key=f"d:{draft['id']}",
                )
        page = self.page
        for thread in page.items if page else []:
            # ● an unread utility reply (bold), ✎ an unsent reply draft
            mark = ("● " if thread.unread else "") + ("✎ " if str(thread.id) in replies else "")
            table.add_row(
                Text(  # Text: never markup
                    mark + clip(thread.subject, self.subject_width - len(mark)), style="bold" if thread.unread else ""
                ),
                Text(kind_label(i18n, thread.kind, short=True)),
                Text(status_label(i18n, thread.status), style=STATUS_STYLE.get(thread.status, "")),
                i18n.datetime(thread.updated_at),
                key=f"t:{thread.id}",
            )
        if table.row_count:
            table.move_cursor(row=min(previous, table.row_count - 1))

        notice = self.query_one("#drafts-notice", Static)
        pending = len(drafts) + len(replies)
        if pending:
            notice.update("✎ " + self.t("correspondence.drafts_pending", count=pending))
            notice.add_class("-visible")
        else:
            notice.remove_class("-visible")
        orphans_notice = self.query_one("#orphans-notice", Static)
        if self.orphans:
            orphans_notice.update(self.t("correspondence.orphans_notice", count=len(self.orphans)))
        orphans_notice.set_class(bool(self.orphans), "-visible")
        self.refresh_bindings()

        pager = self.query_one("#pager", Static)
        if page is None or page.total == 0:
            pager.update(self.t("correspondence.empty") if not drafts else "")
        else:
            pages = (page.total + PAGE_SIZE - 1) // PAGE_SIZE
            pager.update(
                self.t(
                    "correspondence.pager",
                    first=page.offset + 1,
                    last=page.end,
                    total=page.total,
                    page=page.offset // PAGE_SIZE + 1,
                    pages=pages,
                )
            )

    # --- drafts: delete one, or the old ones -----------------------------------------------------
    def _cursor_draft(self) -> tuple[dict[str, Any], str] | None:
        """The draft on the cursor row and its subject: a new-message draft, or a thread's unsent reply."""
        store = self.session.drafts
        tables = self.query("#threads").results(DataTable)
        table = next(tables, None)
        if store is None or table is None or not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        kind, _, ident = str(row_key.value).partition(":")
        if kind == "d":
            draft = next((d for d in self.draft_list if d["id"] == ident), None)
            return (draft, str(draft.get("subject") or "")) if draft else None
        _, replies = split_drafts(self.draft_list)
        thread = next((t for t in (self.page.items if self.page else []) if str(t.id) == ident), None)
        if ident in replies and thread is not None:
            return replies[ident], thread.subject
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.acting_allows(action):
            return False
        if action == "delete_draft":
            return self._cursor_draft() is not None
        if action == "orphans":
            return bool(self.orphans)
        return super().check_action(action, parameters)

    @on(DataTable.RowHighlighted, "#threads")
    def _row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_delete_draft(self) -> None:
        found = self._cursor_draft()
        if found is None:
            self.notify(self.t("correspondence.not_a_draft"))
            return
        draft, subject = found

        async def answered(yes: bool | None) -> None:
            store = self.session.drafts
            if not yes or store is None:
                return
            try:
                await asyncio.to_thread(store.discard, draft["id"])
            except DraftSaveError:
                self.notify(self.t("drafts.delete_failed"), severity="error")
                return
            self.notify(self.t("correspondence.draft_deleted"))
            await self._reread_drafts()

        self.app.push_screen(confirm_delete_draft(self, subject, reply=is_reply_draft(draft)), callback=answered)

    def action_orphans(self) -> None:
        if not self.orphans:
            return
        orphans = list(self.orphans)

        async def answered(yes: bool | None) -> None:
            store = self.session.drafts
            if not yes or store is None:
                return
            try:
                await asyncio.to_thread(store.delete_orphans, orphans)
            except DraftSaveError:
                self.notify(self.t("drafts.delete_failed"), severity="error")
            else:
                self.notify(self.t("correspondence.orphans_deleted", count=len(orphans)))
            self.action_reload()

        self.app.push_screen(confirm_delete_orphans(self, orphans), callback=answered)

    # --- actions -------------------------------------------------------------------------------
    def action_page(self, step: int) -> None:
        if self.page is None:
            return
        offset = self.page_offset + step * PAGE_SIZE
        if offset < 0 or offset >= max(self.page.total, 1):
            return
        self.page_offset = offset
        self.table.move_cursor(row=0)
        self.action_reload()

    def action_new(self) -> None:
        if self.session.drafts is None and self.session.me is None:
            return
        self.app.push_screen(load_screen("compose")(), callback=self._returned)

    def action_open(self) -> None:
        table = self.table
        if not table.row_count:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        self._open_key(str(row_key.value))

    @on(DataTable.RowSelected, "#threads")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self._open_key(str(event.row_key.value))

    def _open_key(self, key: str) -> None:
        kind, _, ident = key.partition(":")
        if kind == "d":
            self.run_worker(self._open_draft(ident), group="open-draft", exclusive=True)
        elif kind == "t":
            thread_id: Any = int(ident) if ident.isdigit() else ident
            listed = next((t for t in (self.page.items if self.page else []) if str(t.id) == ident), None)
            status = listed.status if listed else None
            self.app.push_screen(load_screen("thread")(thread_id, status), callback=self._returned)

    async def _open_draft(self, ident: str) -> None:
        """Open a new-thread draft as it is now in the file (read off the event loop)."""
        store = self.session.drafts
        draft = await asyncio.to_thread(store.get, ident) if store is not None else None
        if draft is None:  # sent or discarded meanwhile
            self.action_reload()
            return
        self.app.push_screen(load_screen("compose")(draft), callback=self._returned)

    def _returned(self, result: Any = None) -> None:
        """Back from the thread / composer: something may have been sent or drafted."""
        if isinstance(result, Thread):
            self.page_offset = 0
        self.action_reload()
