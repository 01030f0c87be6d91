"""Korespondencja (the staff correspondence queue): every customer's threads with status, kind, age
and the regulation deadline, overdue ones first and marked ``!``; filters by status (``s``), kind
(``k``) and assignee (``a``: everyone, mine, nobody's), ``/`` filters the listed rows by text; Enter
opens a thread (:class:`QueueThreadScreen`): take it (``t``), reply (``ctrl+s``; the resident sees
it), mark it in progress (``p``) or close it (``c``), assign it (``g``, supervisors)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Input, Static, TextArea

from ebok_tui.core.api.models import THREAD_KINDS
from ebok_tui.core.api.staff import QueueItem, QueuePage, QueueThread
from ebok_tui.ui.screens.staff.base import StaffScreen, StaffTableScreen
from ebok_tui.ui.widgets.enter import EnterMovesOn
from ebok_tui.ui.widgets.paged_table import Column

PAGE_SIZE = 200
STATUSES = (None, "sent", "in_progress", "answered", "closed")
KINDS = (None, *THREAD_KINDS)
ASSIGNEES = (None, "me", "none")

COLUMNS = (
    Column("mark", 2),
    Column("customer", 7),
    Column("subject", 21),
    Column("kind", 12),
    Column("status", 13),
    Column("deadline", 11),
    Column("assignee", 9),
)


def _next(values: tuple, current: object) -> object:
    return values[(values.index(current) + 1) % len(values)]


class StaffQueueScreen(EnterMovesOn, StaffTableScreen):
    SECTION = "queue"
    TABLE, HEADINGS, COLUMNS = "queue", "staff_queue.col_", COLUMNS
    ENTER = {"queue-filter": "focus_list"}

    BINDINGS = [
        Binding("slash", "focus_filter", "staff_queue.bind_filter", key_display="/"),
        Binding("escape", "focus_list", "staff_queue.bind_list", show=False),
        Binding("s", "cycle('status')", "staff_queue.bind_status"),
        Binding("k", "cycle('kind')", "staff_queue.bind_kind"),
        Binding("a", "cycle('assignee')", "staff_queue.bind_assignee"),
    ]

    DEFAULT_CSS = """
    StaffQueueScreen #queue-filter { margin: 0; }
    StaffQueueScreen #queue-status { height: auto; padding: 0 1; }
    StaffQueueScreen #queue { height: 1fr; }
    """

    filter_input = getters.query_one("#queue-filter", Input)
    status_line = getters.query_one("#queue-status", Static)

    def __init__(self) -> None:
        super().__init__()
        self.filters: dict[str, str | None] = {"status": None, "kind": None, "assignee": None}
        self.page: QueuePage | None = None

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder=self.t("staff_queue.filter_placeholder"), id="queue-filter", max_length=100)
        yield Static("", id="queue-status", classes="muted")
        yield self.compose_table()

    async def load(self) -> None:
        f = self.filters
        self.page = await self.staff.api.queue(
            status=f["status"], kind=f["kind"], assignee=f["assignee"], limit=PAGE_SIZE
        )
        self._fill()

    # --- showing ---------------------------------------------------------------------------------
    def _matches(self, item: QueueItem, text: str) -> bool:
        if not text:
            return True
        hay = f"{item.customer_number} {item.customer_name} {item.subject} {item.assignee or ''}".casefold()
        return all(word in hay for word in text.casefold().split())

    def _fill(self) -> None:
        page = self.page
        text = self.filter_input.value.strip()
        shown = [i for i in page.items if self._matches(i, text)] if page is not None else []
        self.show_rows((str(item.id), self._row(item)) for item in shown)
        if page is not None:
            self._status(len(shown), page)

    def _row(self, item: QueueItem) -> dict[str, str | Text]:
        t = self.t
        overdue = "bold red" if item.overdue else ""
        return {
            "mark": Text("!", style="bold red") if item.overdue else Text(""),
            "customer": item.customer_number,
            "subject": item.subject,
            "kind": t(f"correspondence.kind_short_{item.kind}"),
            "status": t(f"correspondence.status_{item.status}"),
            "deadline": Text(self.i18n.date(item.deadline), style=overdue),
            "assignee": item.assignee or "—",
        }

    def _status(self, shown: int, page: QueuePage) -> None:
        t = self.t
        f = self.filters
        parts = [
            t("staff_queue.count", shown=shown, total=page.total),
            t("staff_queue.overdue", n=sum(1 for i in page.items if i.overdue)),
            t(
                "staff_queue.filter_status",
                value=t(f"correspondence.status_{f['status']}") if f["status"] else t("staff_queue.all"),
            ),
            t(
                "staff_queue.filter_kind",
                value=t(f"correspondence.kind_short_{f['kind']}") if f["kind"] else t("staff_queue.all"),
            ),
            t("staff_queue.filter_assignee", value=t(f"staff_queue.assignee_{f['assignee'] or 'all'}")),
        ]
        self.status_line.update(Text(" · ".join(parts)))

    # --- filters ---------------------------------------------------------------------------------
    def action_cycle(self, name: str) -> None:
        values = {"status": STATUSES, "kind": KINDS, "assignee": ASSIGNEES}[name]
        self.filters[name] = _next(values, self.filters[name])  # type: ignore[assignment]
        self.action_reload()

    def action_focus_filter(self) -> None:
        self.filter_input.focus()

    def action_focus_list(self) -> None:
        self.table.focus()

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self) -> None:
        self._fill()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # letters typed into the filter are text, not filter keys
        if action == "cycle" and self.filter_input.has_focus:
            return False
        return True

    # --- opening ---------------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#queue")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(QueueThreadScreen(int(event.row_key.value)), callback=lambda _: self.action_reload())


class QueueThreadScreen(StaffScreen):
    """One thread from the queue: its messages, who has it, the deadline; take, reply, status."""

    SECTION = "queue"
    LOAD_ON_MOUNT: ClassVar[bool] = True

    BINDINGS = [
        Binding("escape", "back", "bind.back"),
        Binding("t", "take", "staff_thread.bind_take"),
        Binding("ctrl+s", "send", "staff_thread.bind_send", priority=True),
        Binding("p", "set_status('in_progress')", "staff_thread.bind_in_progress"),
        Binding("c", "set_status('closed')", "staff_thread.bind_close"),
        Binding("g", "assign", "staff_thread.bind_assign"),
    ]

    DEFAULT_CSS = """
    QueueThreadScreen #thread-head { height: auto; }
    QueueThreadScreen #thread-messages { height: 1fr; }
    QueueThreadScreen #reply { height: 5; }
    QueueThreadScreen #assign-row { height: 1; display: none; }
    QueueThreadScreen #assign-row.-shown { display: block; }
    QueueThreadScreen #assign-row Static { width: 24; }
    QueueThreadScreen #assign-login { width: 1fr; }
    QueueThreadScreen #thread-result { height: auto; color: $text-success; }
    """

    head = getters.query_one("#thread-head", Static)
    messages = getters.query_one("#thread-body", Static)
    reply = getters.query_one("#reply", TextArea)
    result = getters.query_one("#thread-result", Static)

    def __init__(self, thread_id: int) -> None:
        super().__init__()
        self.thread_id = thread_id
        self.thread: QueueThread | None = None

    @property
    def heading(self) -> str:
        return self.t("staff_thread.title", id=self.thread_id)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="thread-head")
        with VerticalScroll(id="thread-messages"):
            yield Static("", id="thread-body")
        yield TextArea(id="reply", soft_wrap=True, show_line_numbers=False)
        with Horizontal(id="assign-row"):
            yield Static(self.t("staff_thread.assign_label"))
            yield Input(placeholder=self.t("staff_thread.assign_placeholder"), id="assign-login", max_length=64)
        yield Static("", id="thread-result")

    async def load(self) -> None:
        self.show(await self.staff.api.queue_thread(self.thread_id))

    def show(self, thread: QueueThread) -> None:
        self.thread = thread
        t = self.t
        head = Text()
        head.append(f"{thread.customer_number} {thread.customer_name}", style="bold")
        head.append(f" · {thread.subject}\n")
        head.append(
            t(
                "staff_thread.state",
                status=t(f"correspondence.status_{thread.status}"),
                deadline=self.i18n.date(thread.deadline),
                assignee=thread.assignee or t("staff_thread.nobody"),
            )
        )
        if thread.overdue:
            head.append(" " + t("staff_thread.overdue"), style="bold red")
        self.head.update(head)
        body = Text()
        for n, m in enumerate(thread.messages):
            if n:
                body.append("\n\n")
            who = t("staff_thread.from_utility") if m.author == "utility" else t("staff_thread.from_customer")
            body.append(f"{self.i18n.datetime(m.created_at)} · {who}\n", style="bold")
            body.append(m.body)
        self.messages.update(body)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "assign":
            return self.staff.can("queue_assign")
        if action in ("send", "set_status") and self.thread is not None and self.thread.status == "closed":
            return None  # shown greyed out: a closed thread takes nothing more
        if action in ("take", "set_status", "assign") and self.focused is self.reply:
            return False  # letters typed into the reply are text
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def _done(self, text: str) -> None:
        self.result.update(Text(text))

    def action_take(self) -> None:
        async def take() -> None:
            self.show(await self.staff.api.take(self.thread_id))
            self._done(self.t("staff_thread.taken"))

        self.run_api(take, group="change")

    def action_send(self) -> None:
        text = self.reply.text.strip()
        if not text:
            self.show_error(self.t("staff_thread.reply_empty"))
            self.reply.focus()
            return

        async def send() -> None:
            await self.staff.api.queue_reply(self.thread_id, text, "answered")
            self.reply.text = ""
            self.show(await self.staff.api.queue_thread(self.thread_id))
            self._done(self.t("staff_thread.sent"))

        self.run_api(send, group="change")

    def action_set_status(self, status: str) -> None:
        async def change() -> None:
            self.show(await self.staff.api.set_status(self.thread_id, status))
            self._done(self.t(f"staff_thread.now_{status}"))

        self.run_api(change, group="change")

    def action_assign(self) -> None:
        row = self.query_one("#assign-row")
        row.add_class("-shown")
        self.query_one("#assign-login", Input).focus()

    @on(Input.Submitted, "#assign-login")
    def _assign(self, event: Input.Submitted) -> None:
        login = event.value.strip() or None

        async def assign() -> None:
            self.show(await self.staff.api.assign(self.thread_id, login))
            self.query_one("#assign-row").remove_class("-shown")
            self._done(self.t("staff_thread.assigned", login=login or self.t("staff_thread.nobody")))

        self.run_api(assign, group="change")
