"""Komunikaty (notices, supervisors: permission ``notices``): the failures and planned
interruptions of supply the utility has published — in force, planned, or ended within the last 30
days — with their place and times; ``n`` opens the form that publishes a new one (kind, city,
streets, start, expected end, the text in Polish and English). The server records each publication
in the audit log and shows it to the residents at those streets."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from ebok_tui.core.api import ApiError, Notice, ValidationFailed
from ebok_tui.core.api.staff import NOTICE_KINDS
from ebok_tui.core.validation import datetime_problem, parse_local_datetime
from ebok_tui.ui.screens.base import BaseModal
from ebok_tui.ui.screens.staff.base import StaffTableScreen
from ebok_tui.ui.widgets.forms import Problem, Required, check_fields, show_field_error
from ebok_tui.ui.widgets.list_table import ListTable
from ebok_tui.ui.widgets.paged_table import Column

COLUMNS = (Column("state", 11), Column("kind", 11), Column("place", 19), Column("starts", 18), Column("ends", 18))
#: The form's text fields (ids = the API's field names), with their longest value.
FIELDS = {"city": 100, "streets": 2000, "starts_at": 16, "ends_at": 16, "text_pl": 2000, "text_en": 2000}


def notice_state(notice: Notice, now: dt.datetime) -> str:
    """``active`` (in force: the server says so), ``planned`` (starts after ``now``) or ``past``."""
    if notice.active:
        return "active"
    starts = notice.starts_at if notice.starts_at.tzinfo else notice.starts_at.replace(tzinfo=dt.UTC)
    return "planned" if starts > now else "past"


def business_now(server_today: dt.date | None) -> dt.datetime:
    """Now on the server's business date (a demo's or a test's fixed date; the time of day is the
    real one, as the server's own ``business_now``)."""
    now = dt.datetime.now(dt.UTC)
    return now if server_today is None else now + (server_today - now.date())


class StaffNoticesScreen(StaffTableScreen):
    SECTION = "notices"
    TABLE, HEADINGS, COLUMNS = "notices", "staff_notices.col_", COLUMNS

    BINDINGS = [Binding("n", "publish", "staff_notices.bind_publish")]

    DEFAULT_CSS = """
    StaffNoticesScreen #notices { height: 1fr; }
    StaffNoticesScreen #notice-text { height: auto; max-height: 4; padding: 0 1; }
    StaffNoticesScreen #notices-result { height: auto; padding: 0 1; color: $text-success; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.notices: list[Notice] = []

    def compose_body(self) -> ComposeResult:
        yield self.compose_table()
        yield Static("", id="notice-text")
        yield Static("", id="notices-result")

    async def load(self) -> None:
        self.notices = (await self.staff.api.notices()).items
        now = business_now(self.ebok.server_today)
        t, i18n = self.t, self.i18n
        self.show_rows(
            (
                str(n.id),
                {
                    "state": t(f"staff_notices.state_{notice_state(n, now)}"),
                    "kind": t(f"staff_notices.kind_{n.kind}"),
                    "place": n.city + (": " + ", ".join(n.streets) if n.streets else ""),
                    "starts": i18n.datetime(n.starts_at),
                    "ends": i18n.datetime(n.ends_at),
                },
            )
            for n in self.notices
        )
        self._show_text()

    @on(ListTable.RowHighlighted)
    def _show_text(self) -> None:
        row = self.table.cursor_row
        notice = self.notices[row] if 0 <= row < len(self.notices) else None
        text = notice.text(self.i18n.lang) if notice is not None else self.t("staff_notices.none")
        self.query_one("#notice-text", Static).update(Text(text))  # staff-written: never markup

    def action_publish(self) -> None:
        self.app.push_screen(PublishNoticeModal(), callback=self._published)

    def _published(self, notice: Notice | None) -> None:
        if notice is not None:
            self.query_one("#notices-result", Static).update(Text(self.t("staff_notices.published", city=notice.city)))
            self.action_reload()


class PublishNoticeModal(BaseModal):
    """A new notice. Each field is checked when it is sent (Textual ``Input`` validators, the
    message under the field); the server's own check (the end after the start...) answers per field
    the same way. Ctrl+S or the button publishes; Esc closes without publishing."""

    BINDINGS = [Binding("ctrl+s", "publish", "staff_notices.bind_send", priority=True)]

    DEFAULT_CSS = """
    PublishNoticeModal > Vertical { width: 78; height: auto; max-height: 24; border: thick $primary;
                                    padding: 0 1; background: $surface; }
    PublishNoticeModal .row { height: 1; }
    PublishNoticeModal .row Label { width: 18; }
    PublishNoticeModal .row Input { width: 1fr; }
    PublishNoticeModal RadioSet { layout: horizontal; height: auto; }
    PublishNoticeModal .field-error { padding: 0 0 0 18; color: $error; display: none; }
    PublishNoticeModal .field-error.-shown { display: block; }
    PublishNoticeModal #buttons { height: auto; }
    """

    def compose(self) -> ComposeResult:
        t = self.t
        when = Problem(
            datetime_problem, {"empty": t("staff_notices.when_required"), "invalid": t("staff_notices.when_invalid")}
        )
        validators = {
            "city": [Required(t("staff_notices.city_required"))],
            "starts_at": [when],
            "ends_at": [when],
            "text_pl": [Required(t("staff_notices.text_required"))],
            "text_en": [Required(t("staff_notices.text_required"))],
        }
        with Vertical():
            yield Static(Text(t("staff_notices.form_title"), style="bold"))
            with RadioSet(id="kind"):
                for kind in NOTICE_KINDS:
                    yield RadioButton(t(f"staff_notices.kind_{kind}"), id=f"kind-{kind}", value=kind == "failure")
            for field, limit in FIELDS.items():
                with Horizontal(classes="row"):
                    yield Label(t(f"staff_notices.field_{field}"))
                    yield Input(
                        id=field,
                        max_length=limit,
                        compact=True,
                        placeholder=t(f"staff_notices.hint_{field}"),
                        validators=validators.get(field, []),
                        validate_on=(),
                    )
                yield Static("", id=f"{field}-error", classes="field-error")
            with Horizontal(id="buttons"):
                yield Button(t("staff_notices.send"), id="send", variant="primary", action="screen.publish")
                yield Button(t("staff_notices.close"), id="close", action="screen.cancel")

    def on_mount(self) -> None:
        self.query_one("#city", Input).focus()

    def _input(self, field: str) -> Input:
        return self.query_one(f"#{field}", Input)

    def _error(self, field: str) -> Static:
        return self.query_one(f"#{field}-error", Static)

    def action_publish(self) -> None:
        if not check_fields((self._input(f), self._error(f)) for f in FIELDS):
            return
        starts = parse_local_datetime(self._input("starts_at").value)
        ends = parse_local_datetime(self._input("ends_at").value)
        assert starts is not None and ends is not None  # checked above
        if ends <= starts:
            show_field_error(self._error("ends_at"), self._input("ends_at"), self.t("staff_notices.ends_before"))
            self._input("ends_at").focus()
            return
        pressed = self.query_one("#kind", RadioSet).pressed_button
        kind = (pressed.id or "kind-failure").removeprefix("kind-") if pressed is not None else "failure"
        streets = [s.strip() for s in self._input("streets").value.split(",") if s.strip()]
        values = {f: self._input(f).value.strip() for f in ("city", "text_pl", "text_en")}

        async def publish() -> None:
            notice = await self.ebok.staff.api.publish_notice(
                kind=kind, streets=streets, starts_at=starts, ends_at=ends, **values
            )
            self.dismiss(notice)

        self.run_api(publish, group="publish")

    def on_api_error(self, error: ApiError) -> bool:
        if isinstance(error, ValidationFailed):
            fields = {k: v for k, v in self.field_messages(error).items() if k in FIELDS}
            for field, message in fields.items():
                show_field_error(self._error(field), self._input(field), message)
            if fields:
                self._input(next(iter(fields))).focus()
                return True
        return False
