"""One correspondence thread: the messages (you / MPWiK, date, text), the contact phone and
location the resident gave, and a reply box that has the focus from the start (typing is never lost).

The reply is a draft like a new message: saved on every change (debounced) and before sending,
its id is the ``Idempotency-Key``, deleted only after the server's 201. Closed threads take no
replies (``n`` turns an unsent reply into a new message instead).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static, TextArea

from ebok_tui.core.api import ApiError, ObjectId, ThreadDetail, ValidationFailed
from ebok_tui.core.drafts import DraftSaveError, new_draft
from ebok_tui.core.validation import MESSAGE_BODY_MAX as BODY_MAX
from ebok_tui.ui.screens.base import SubScreen
from ebok_tui.ui.screens.correspondence.common import STATUS_STYLE, kind_label, pending_drafts, status_label
from ebok_tui.ui.screens.correspondence.drafting import DraftAutosave
from ebok_tui.ui.sections import load_screen


class MessageView(Static):
    DEFAULT_CSS = """
    MessageView { height: auto; margin: 0 0 1 0; padding: 0 1; border-left: thick $primary; }
    MessageView.-utility { border-left: thick $success; background: $success 8%; }
    """


class ThreadScreen(DraftAutosave[str], SubScreen):
    SECTION = "correspondence"
    TITLE_KEY = "thread.title"
    STATUS_ID = "reply-status"
    SEND_FAILED_KEY = "thread.send_failed"

    AUTO_FOCUS = "#reply"  # not the message list: typing must land in the reply

    # staff acting for the customer: a reply is the utility's (ActingClient.reply_thread)
    ACTING = {"send": "reply", "new_from_closed": "complaint"}

    BINDINGS = [
        Binding("ctrl+s", "send", "thread.bind_send", priority=True),
        Binding("n", "new_from_closed", "thread.bind_new"),
    ]

    DEFAULT_CSS = """
    ThreadScreen #thread-head { height: auto; }
    ThreadScreen #messages { height: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    ThreadScreen #reply-box { height: auto; }
    ThreadScreen #reply-label { height: 1; text-style: bold; }
    ThreadScreen #reply { height: 5; }
    ThreadScreen #reply.-invalid { border: tall $error; }
    ThreadScreen #reply-status { height: auto; max-height: 3; }
    ThreadScreen #reply-status.-error { color: $error; text-style: bold; }
    ThreadScreen #reply-status.-info { color: $text-muted; }
    ThreadScreen #closed-note { height: auto; color: $text-muted; display: none; }
    """

    def __init__(self, thread_id: ObjectId, status: str | None = None) -> None:
        """``status``: the thread's status as the list showed it, so the reply field can take the
        resident's typing from the first key (None: unknown, assume open until loaded)."""
        super().__init__()
        self.thread_id = thread_id
        self.listed_status = status
        if status == "closed":
            self.AUTO_FOCUS = ""  # no reply field to type into
        self.thread: ThreadDetail | None = None
        self.draft: dict[str, Any] | None = None
        self._saved = ""

    def compose_body(self) -> ComposeResult:
        yield Static(id="thread-head")
        yield VerticalScroll(id="messages")
        yield Static(id="closed-note")
        with Vertical(id="reply-box"):
            yield Label(self.t("thread.reply_label"), id="reply-label")
            yield TextArea(id="reply", soft_wrap=True)
            yield Static(self.t("thread.reply_hint"), id="reply-status", classes="-info")

    def on_mount(self) -> None:
        store = self.draft_store
        self.draft = pending_drafts(store)[1].get(str(self.thread_id))
        if self.draft is not None:
            self._saved = str(self.draft.get("body") or "")
            self.query_one("#reply", TextArea).load_text(self._saved)
            self.set_status(self.t("thread.draft_restored"), error=False)
        # Typing goes into the reply from the first key, also while the thread loads (only the
        # messages show the loading indicator); a closed thread says so instead.
        self._show_reply_box(self.listed_status != "closed", take_focus=True)

    def _show_reply_box(self, open_for_replies: bool, *, take_focus: bool = False) -> None:
        """Show the reply field (focused when ``take_focus`` or nothing else is) or, for a closed
        thread, why there is none."""
        self.query_one("#reply-box").display = open_for_replies
        note = self.query_one("#closed-note", Static)
        note.display = not open_for_replies
        if open_for_replies:
            if take_focus or self.focused is None:
                self.query_one("#reply", TextArea).focus()
        else:
            if self.focused is self.query_one("#reply", TextArea):
                self.set_focus(None)  # a hidden field must not swallow keys
            key = "thread.closed_with_draft" if self.draft else "thread.closed"
            note.update(self.t(key))

    # --- data ----------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.run_api(self.load, target=self.query_one("#messages"), group="load")

    async def load(self) -> None:
        self.show_thread(await self.api.thread(self.thread_id))

    def show_thread(self, thread: ThreadDetail) -> None:
        self.thread = thread
        i18n = self.i18n
        head = Text()
        head.append(thread.subject, style="bold")
        head.append("\n")
        head.append(f"{kind_label(i18n, thread.kind)} · ")
        head.append(
            self.t("thread.state", status=status_label(i18n, thread.status)), style=STATUS_STYLE.get(thread.status, "")
        )
        head.append(" · ")
        head.append(self.t("thread.opened", date=i18n.datetime(thread.created_at)), style="dim")
        given = []  # what the resident gave with the matter (plain text, never markup)
        if thread.contact_phone:
            given.append(self.t("thread.contact_phone", phone=thread.contact_phone))
        if thread.location:
            given.append(self.t("thread.location", location=thread.location))
        if given:
            head.append("\n" + " · ".join(given))
        self.query_one("#thread-head", Static).update(head)

        box = self.query_one("#messages", VerticalScroll)
        box.remove_children()
        views = []
        for message in thread.messages:
            who = self.t("thread.author_utility") if message.author == "utility" else self.t("thread.author_customer")
            text = Text()
            text.append(who, style="bold")
            text.append(f" · {i18n.datetime(message.created_at)}\n", style="dim")
            text.append(message.body)
            view = MessageView(text)
            if message.author == "utility":
                view.add_class("-utility")
            views.append(view)
        box.mount_all(views)
        box.call_after_refresh(box.scroll_end, animate=False)

        self._show_reply_box(thread.status != "closed")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.acting_allows(action):
            return False
        closed = self.thread is not None and self.thread.status == "closed"
        if action == "send":
            return self.thread is not None and not closed
        if action == "new_from_closed":
            return closed
        return True

    # --- reply draft ---------------------------------------------------------------------------
    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.text_area.remove_class("-invalid")
        self.draft_changed(event.text_area.text)

    def draft_values(self) -> str:
        return self.query_one("#reply", TextArea).text

    def draft_blank(self, values: str) -> bool:
        return not values.strip()

    def draft_update(self, values: str) -> dict[str, Any]:
        if self.draft is None:
            kind = self.thread.kind if self.thread else "other"
            self.draft = new_draft(kind, body=values, reply_to=self.thread_id)
        else:
            self.draft["body"] = values
        return self.draft

    def action_back(self) -> None:
        if not self._sending:
            self.save_draft()
        self.dismiss(None)

    # --- sending -------------------------------------------------------------------------------
    def action_send(self) -> None:
        if self._sending or self.thread is None or self.thread.status == "closed":
            return
        area = self.query_one("#reply", TextArea)
        text = area.text
        if not text.strip() or len(text) > BODY_MAX:
            area.add_class("-invalid")
            area.focus()
            key = "thread.reply_missing" if not text.strip() else "thread.reply_too_long"
            self.set_status(self.t(key, max=self.i18n.decimal(BODY_MAX, 0)), error=True)
            return
        self.save_draft()
        if self.draft is None:
            self.draft = new_draft(self.thread.kind, body=text, reply_to=self.thread_id)
        key = str(self.draft["id"])
        self._sending = True
        self.set_status(self.t("thread.sending"), error=False)
        self.run_api(lambda: self._send(text, key), target=self.query_one("#reply-box"), group="send")

    async def _send(self, text: str, key: str) -> None:
        if await self.post_draft(lambda: self.api.reply_thread(self.thread_id, text, key)) is None:
            return
        self.discard_sent_draft()
        self.draft = None
        self._saved = ""
        self._latest = ""
        self.query_one("#reply", TextArea).load_text("")
        self.set_status(self.t("thread.reply_hint"), error=False)
        self.notify(self.t("thread.sent"))
        await self.load()

    async def send_refused(self, error: ApiError) -> bool:
        if not isinstance(error, ValidationFailed):
            return False
        if error.code == "thread_closed":
            self.set_status(self.error_message(error), error=True)
            await self.load()
            return True
        fields = self.field_messages(error)
        self.set_status(fields.get("body") or self.error_message(error), error=True)
        return True

    def action_new_from_closed(self) -> None:
        """A closed thread: continue in a new message (carrying over an unsent reply)."""
        if self.thread is None or self.thread.status != "closed":
            return
        body = str(self.draft.get("body") or "") if self.draft else ""
        subject = self.t("thread.followup_subject", subject=self.thread.subject)[:200]
        draft = new_draft(self.thread.kind, subject=subject, body=body)
        store = self.draft_store
        if self.draft is not None and store is not None:
            try:
                store.save(draft)
                store.discard(self.draft["id"])
                self.draft = None
            except DraftSaveError:
                pass
        if self.draft is None:
            self._saved = ""
            self._latest = ""
            self.query_one("#reply", TextArea).load_text("")
        self.app.push_screen(load_screen("compose")(draft, save_now=True), callback=lambda _: self.dismiss(None))
