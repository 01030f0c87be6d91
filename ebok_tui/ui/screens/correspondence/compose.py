"""Nowa wiadomość: kind, subject, body, optional phone and location; ctrl+s sends.

A draft is never lost: every change is saved (debounced) to the app's DraftStore and once more
right before sending; the draft's id is the POST's ``Idempotency-Key`` and the draft is deleted
only after the server answered 201. A failed send keeps the form filled and the draft on disk; a
retry uses the same key, so the server creates exactly one thread.
"""

from __future__ import annotations

import uuid
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static, TextArea

from rich.console import Group
from rich.text import Text

from ebok_tui.core.api import THREAD_KINDS, ApiError, Conflict, Notices, ThreadDetail, ValidationFailed
from ebok_tui.core.drafts import DraftSaveError, new_draft
from ebok_tui.core.validation import MESSAGE_BODY_MAX as BODY_MAX
from ebok_tui.core.validation import phone_problem
from ebok_tui.ui.screens.base import SubScreen
from ebok_tui.ui.screens.correspondence.common import kind_label
from ebok_tui.ui.screens.correspondence.draft_dialogs import confirm_delete_draft
from ebok_tui.ui.screens.correspondence.drafting import DraftAutosave
from ebok_tui.ui.widgets.notices import emergency_line, notice_lines

SUBJECT_MAX = 200
FIELDS = ("kind", "subject", "body", "contact_phone", "location")


def blank_form(values: dict[str, Any]) -> bool:
    """Nothing typed worth keeping (the kind alone is not a draft)."""
    return not any((values.get(f) or "").strip() for f in ("subject", "body", "contact_phone", "location"))


class ComposeScreen(DraftAutosave[dict[str, str]], SubScreen):
    SECTION = "correspondence"
    TITLE_KEY = "compose.title"
    STATUS_ID = "form-status"
    SEND_FAILED_KEY = "compose.send_failed"

    # staff writing up a complaint for the customer keep no draft on this machine
    ACTING = {"delete_draft": None}

    BINDINGS = [
        Binding("ctrl+s", "send", "bind.submit", priority=True),
        # ctrl+t: the text fields keep their own ctrl+d (delete right); shown once a draft exists
        Binding("ctrl+t", "delete_draft", "compose.bind_delete_draft", priority=True),
    ]

    DEFAULT_CSS = """
    ComposeScreen .row { height: 3; }
    ComposeScreen .row-label { width: 16; padding: 1 1 0 0; text-style: bold; }
    ComposeScreen #kind, ComposeScreen #subject { width: 1fr; }
    ComposeScreen #failure-info { height: auto; max-height: 5; display: none; }
    ComposeScreen #failure-info.-shown { display: block; }
    ComposeScreen #body-label { height: 1; text-style: bold; }
    ComposeScreen #body-text { height: 1fr; min-height: 4; }
    ComposeScreen #extra-labels { height: 1; }
    ComposeScreen #extra-labels Label { width: 1fr; text-style: bold; }
    ComposeScreen #contact_phone, ComposeScreen #location { width: 1fr; }
    ComposeScreen #form-status { height: auto; max-height: 3; }
    ComposeScreen #form-status.-error { color: $error; text-style: bold; }
    ComposeScreen #form-status.-info { color: $text-muted; }
    ComposeScreen TextArea.-invalid, ComposeScreen Select.-invalid > SelectCurrent { border: tall $error; }
    """

    def __init__(self, draft: dict[str, Any] | None = None, *, save_now: bool = False) -> None:
        super().__init__()
        self.draft: dict[str, Any] | None = dict(draft) if draft else None
        self._save_now = save_now
        self._saved = self._form_fields(self.draft) if (draft and not save_now) else self._form_fields(None)
        self.notices: Notices | None = None
        # a failure report: the emergency number and the failures in force at the address, first
        self._failure_info = Static(id="failure-info")

    # --- layout --------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        d = self.draft or {}
        options = [(kind_label(self.i18n, k), k) for k in THREAD_KINDS]
        kind = d.get("kind") if d.get("kind") in THREAD_KINDS else Select.NULL
        with Vertical(id="form"):
            with Horizontal(classes="row"):
                yield Label(self.t("compose.kind"), classes="row-label")
                yield Select(options, prompt=self.t("compose.kind_prompt"), value=kind, id="kind")
            yield self._failure_info
            with Horizontal(classes="row"):
                yield Label(self.t("compose.subject"), classes="row-label")
                yield Input(
                    d.get("subject") or "",
                    placeholder=self.t("compose.subject_placeholder"),
                    max_length=SUBJECT_MAX,
                    id="subject",
                )
            yield Label(self.t("compose.body"), id="body-label")
            yield TextArea(d.get("body") or "", id="body-text", soft_wrap=True, show_line_numbers=False)
            with Horizontal(id="extra-labels"):
                yield Label(self.t("compose.contact_phone"))
                yield Label(self.t("compose.location"))
            with Horizontal(classes="row"):
                yield Input(
                    d.get("contact_phone") or "",
                    placeholder=self.t("compose.phone_placeholder"),
                    max_length=40,
                    id="contact_phone",
                )
                yield Input(
                    d.get("location") or "",
                    placeholder=self.t("compose.location_placeholder"),
                    max_length=200,
                    id="location",
                )
        yield Static(self.t("compose.hint"), id="form-status", classes="-info")

    def on_mount(self) -> None:
        self._show_failure_info()
        if self.draft is not None:
            self.set_status(self.t("compose.draft_restored"), error=False)
        if self._save_now:
            self.save_draft()

    # --- a failure report: 994 and the notices -----------------------------------------------------
    @on(Select.Changed, "#kind")
    def _show_failure_info(self) -> None:
        failure = self.query_one("#kind", Select).value == "failure_report"
        self._failure_info.set_class(failure, "-shown")
        if failure and self.notices is None:
            self.run_api(self._load_notices, target=self._failure_info, group="notices")

    async def _load_notices(self) -> None:
        try:
            notices = await self.api.notices()
        except ApiError:
            self._failure_info.update(Text(self.t("compose.emergency_fallback"), style="bold"))
            return
        self.notices = notices
        parts = [emergency_line(notices, self.t)]
        for notice in notices.active:
            parts.extend(notice_lines(notice, self.t, self.i18n))
        if not notices.active:
            parts.append(Text(self.t("compose.no_active_notices"), style="dim"))
        self._failure_info.update(Group(*parts))

    # --- values --------------------------------------------------------------------------------
    @staticmethod
    def _form_fields(draft: dict[str, Any] | None) -> dict[str, str]:
        d = draft or {}
        return {f: str(d.get(f) or "") for f in FIELDS}

    def values(self) -> dict[str, str]:
        kind = self.query_one("#kind", Select).value
        return {
            "kind": "" if kind is Select.NULL else str(kind),
            "subject": self.query_one("#subject", Input).value,
            "body": self.query_one("#body-text", TextArea).text,
            "contact_phone": self.query_one("#contact_phone", Input).value,
            "location": self.query_one("#location", Input).value,
        }

    # --- drafts --------------------------------------------------------------------------------
    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        if self._sent:
            return
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
        self.draft_changed(self.values())

    def draft_values(self) -> dict[str, str]:
        return self.values()

    def draft_blank(self, values: dict[str, str]) -> bool:
        return blank_form(values)

    def draft_update(self, values: dict[str, str]) -> dict[str, Any]:
        clean = {
            "kind": values["kind"],
            "subject": values["subject"],
            "body": values["body"],
            "contact_phone": values["contact_phone"].strip() or None,
            "location": values["location"].strip() or None,
        }
        if self.draft is None:
            self.draft = new_draft(**clean)
        else:
            self.draft.update(clean)
        return self.draft

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.acting_allows(action):
            return False
        if action == "delete_draft":
            return self.draft is not None and not self._sent and not self._sending
        return super().check_action(action, parameters)

    def action_delete_draft(self) -> None:
        """Delete this draft from the computer (after asking) and leave the composer."""
        if self.draft is None or self._sent or self._sending:
            return

        def answered(yes: bool | None) -> None:
            if not yes or self.draft is None:
                return
            if not self.delete_draft_now():
                return
            self._sent = True  # nothing more is saved, also not on the way out
            self.notify(self.t("compose.draft_deleted"))
            self.dismiss(None)

        self.app.push_screen(confirm_delete_draft(self, self.values()["subject"].strip()), callback=answered)

    def action_back(self) -> None:
        if not self._sending:
            self.save_draft()
            if self.draft is not None and not self._sent:
                self.notify(self.t("compose.kept_as_draft"))
        self.dismiss(None)

    # --- sending -------------------------------------------------------------------------------
    def validate(self, values: dict[str, str]) -> list[tuple[str, str]]:
        """(widget id, message) for everything that must be fixed before sending."""
        problems: list[tuple[str, str]] = []
        if not values["kind"]:
            problems.append(("kind", self.t("compose.kind_missing")))
        if not values["subject"].strip():
            problems.append(("subject", self.t("compose.subject_missing")))
        if not values["body"].strip():
            problems.append(("body-text", self.t("compose.body_missing")))
        elif len(values["body"]) > BODY_MAX:
            problems.append(
                (
                    "body-text",
                    self.t(
                        "compose.body_too_long",
                        max=self.i18n.decimal(BODY_MAX, 0),
                        length=self.i18n.decimal(len(values["body"]), 0),
                    ),
                )
            )
        if phone_problem(values["contact_phone"]):
            problems.append(("contact_phone", self.t("compose.phone_invalid")))
        return problems

    def action_send(self) -> None:
        if self._sending or self._sent:
            return
        values = self.values()
        problems = self.validate(values)
        if problems:
            for widget_id, _ in problems:
                self.query_one(f"#{widget_id}").add_class("-invalid")
            self.query_one(f"#{problems[0][0]}").focus()
            self.set_status("\n".join(message for _, message in problems), error=True)
            return
        saved = self.save_draft()
        if self.draft is None:  # no store (should not happen when logged in): still send once
            self.draft = new_draft(**{k: values[k] for k in ("kind", "subject", "body")})
        self._sending = True
        self.set_status(self.t("compose.sending"), error=False)
        if not saved:
            self.set_status(self.t("compose.sending_unsaved"), error=True)
        key = str(self.draft["id"])
        self.run_api(lambda: self._send(values, key), target=self.query_one("#form"), group="send")

    async def _send(self, values: dict[str, str], key: str) -> None:
        thread = await self.post_draft(
            lambda: self.api.create_thread(
                values["kind"],
                values["subject"].strip(),
                values["body"],
                values["contact_phone"].strip() or None,
                values["location"].strip() or None,
                idempotency_key=key,
            )
        )
        if thread is not None:
            self._delivered(thread)

    async def send_refused(self, error: ApiError) -> bool:
        if isinstance(error, ValidationFailed):
            self._show_server_problems(error)
            return True
        if isinstance(error, Conflict):
            self._rotate_key()
            self.set_status(self.t("compose.conflict"), error=True)
            return True
        return False

    def _delivered(self, thread: ThreadDetail) -> None:
        self._sent = True
        self.discard_sent_draft()
        self.notify(self.t("compose.sent", subject=thread.subject), markup=False)
        self.finish(thread)

    def _show_server_problems(self, error: ApiError) -> None:
        fields = self.field_messages(error)
        ids = {"body": "body-text"}
        for name in fields:
            widget_id = ids.get(name, name)
            if self.query(f"#{widget_id}"):
                self.query_one(f"#{widget_id}").add_class("-invalid")
        messages = list(dict.fromkeys(fields.values())) or [self.error_message(error)]
        self.set_status("\n".join(messages + [self.t("compose.kept")]), error=True)

    def _rotate_key(self) -> None:
        """After 409 (an earlier version of this draft reached the server under this key), the
        edited text can only go out as a new message: give the draft a new key, keep the text."""
        store = self.draft_store
        if self.draft is None:
            return
        old_id = self.draft["id"]
        self.draft = {**self.draft, "id": str(uuid.uuid4())}
        if store is not None:
            try:
                store.save(self.draft)
                store.discard(old_id)
            except DraftSaveError:
                self.set_status(self.t("drafts.save_failed"), error=True)
