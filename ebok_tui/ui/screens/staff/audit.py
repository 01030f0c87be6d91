"""Dziennik dostępu (the audit log, supervisors): every staff view and change of customer data,
newest first, filtered by customer number and/or staff login (Enter in either field), paged with
``[``/``]``; ``e`` exports the entries matching the filters as CSV to the file named in the export
field (private, 0600; never overwriting) and says where it went."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from ebok_tui.core.api.staff import AuditItem, AuditPage
from ebok_tui.core.files import default_path, resolve_target, write_private_atomic
from ebok_tui.ui.screens.staff.base import StaffTableScreen
from ebok_tui.ui.widgets.paged_table import Column

PAGE_SIZE = 50
COLUMNS = (
    Column("at", 17),
    Column("staff", 11),
    Column("customer", 7),
    Column("action", 7),
    Column("resource", 19),
    Column("reason", 17),
)


def _export_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    return f"audit-{now:%Y%m%d-%H%M%S}.csv"


class StaffAuditScreen(StaffTableScreen):
    SECTION = "audit"
    TABLE, HEADINGS, COLUMNS = "audit", "staff_audit.col_", COLUMNS

    BINDINGS = [
        Binding("e", "export", "staff_audit.bind_export"),
        Binding("left_square_bracket", "page(-1)", "staff_audit.bind_prev", key_display="["),
        Binding("right_square_bracket", "page(1)", "staff_audit.bind_next", key_display="]"),
    ]

    DEFAULT_CSS = """
    StaffAuditScreen .row { height: 1; }
    StaffAuditScreen .row Label { width: 16; }
    StaffAuditScreen .row Input { width: 1fr; }
    StaffAuditScreen #audit-status { height: auto; padding: 0 1; }
    StaffAuditScreen #audit-status.-ok { color: $text-success; }
    StaffAuditScreen #audit { height: 1fr; }
    """

    status_line = getters.query_one("#audit-status", Static)

    def __init__(self) -> None:
        super().__init__()
        self.page: AuditPage | None = None
        self.page_offset = 0
        self.filters: dict[str, str | None] = {"customer_number": None, "staff_login": None}

    def compose_body(self) -> ComposeResult:
        t = self.t
        with Horizontal(classes="row"):
            yield Label(t("staff_audit.customer"))
            yield Input(
                placeholder=t("staff_audit.customer_hint"),
                id="audit-customer",
                max_length=5,
                compact=True,
                restrict=r"[0-9]*",
            )
            yield Label(t("staff_audit.staff"))
            yield Input(placeholder=t("staff_audit.staff_hint"), id="audit-staff", max_length=64, compact=True)
        with Horizontal(classes="row"):
            yield Label(t("staff_audit.export_to"))
            yield Input(default_path(_export_name()), id="audit-export", max_length=500, compact=True)
        yield Static("", id="audit-status", classes="muted")
        yield self.compose_table()

    async def load(self) -> None:
        page = await self.staff.api.audit(
            customer_number=self.filters["customer_number"],
            staff_login=self.filters["staff_login"],
            offset=self.page_offset,
            limit=PAGE_SIZE,
        )
        self.page = page
        self.show_rows((str(item.id), self._row(item)) for item in page.items)
        if page.items:
            self._status(self.t("staff_audit.count", first=page.offset + 1, last=page.end, total=page.total))
        else:
            self._status(self.t("staff_audit.none"))
        self.refresh_bindings()

    def _row(self, item: AuditItem) -> dict[str, str]:
        t = self.t
        reason = item.reason or ""
        reason = self.i18n.label(f"staff.reason_{reason}", reason) if reason else "—"
        return {
            "at": self.i18n.datetime(item.at),
            "staff": item.staff_login or "—",
            "customer": item.customer_number or "—",
            "action": t(f"staff_audit.action_{item.action}") if item.action in ("view", "change") else item.action,
            "resource": item.resource,
            "reason": reason,
        }

    def _status(self, text: str, *, ok: bool = False) -> None:
        self.status_line.update(Text(text))
        self.status_line.set_class(ok, "-ok")

    # --- filters and paging ----------------------------------------------------------------------
    @on(Input.Submitted, "#audit-customer, #audit-staff")
    def _filter(self) -> None:
        number = self.query_one("#audit-customer", Input).value.strip()
        login = self.query_one("#audit-staff", Input).value.strip()
        if number and len(number) != 5:
            self.show_error(self.t("staff_audit.customer_invalid"))
            return
        self.filters = {"customer_number": number or None, "staff_login": login or None}
        self.page_offset = 0
        self.action_reload()
        self.table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if isinstance(self.focused, Input) and action in ("export", "page"):
            return False  # typing
        if action == "page":
            step = parameters[0] if parameters else 1
            return self.page is not None and self.page.can_move(step)
        return True

    def action_page(self, step: int) -> None:
        if not self.check_action("page", (step,)):
            return
        self.page_offset = max(self.page_offset + step * PAGE_SIZE, 0)
        self.action_reload()

    # --- export ----------------------------------------------------------------------------------
    def action_export(self) -> None:
        typed = self.query_one("#audit-export", Input).value
        if not typed.strip():
            self.show_error(self.t("staff_audit.export_no_path"))
            return
        target = resolve_target(typed, _export_name())
        if target.exists():
            self.show_error(self.t("staff_audit.export_exists", path=str(target)))
            return
        if not target.parent.is_dir():
            self.show_error(self.t("staff_audit.export_no_dir", path=str(target.parent)))
            return
        filters = dict(self.filters)

        async def export() -> None:
            data = await self.staff.api.audit_export(
                customer_number=filters["customer_number"], staff_login=filters["staff_login"]
            )
            try:
                await asyncio.to_thread(write_private_atomic, target, data)
            except OSError as error:
                self.show_error(self.t("staff_audit.export_failed", path=str(target), reason=error.strerror or ""))
                return
            self.exported = Path(target)
            self._status(self.t("staff_audit.exported", path=str(target)), ok=True)
            self.query_one("#audit-export", Input).value = default_path(_export_name())

        self.run_api(export, group="export")
