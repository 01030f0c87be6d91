"""What the thread list, the thread view and the composer share: reading the drafts file and the
thread kind/status labels. Not a screen; screens import it, it imports no screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ebok_tui.core.drafts import DraftStore

if TYPE_CHECKING:
    from ebok_tui.core.i18n import I18n

STATUS_STYLE = {"sent": "", "in_progress": "yellow", "answered": "bold green", "closed": "dim"}


# --- drafts ----------------------------------------------------------------------------------
def is_reply_draft(draft: dict[str, Any]) -> bool:
    return draft.get("reply_to") is not None


def pending_drafts(store: DraftStore | None) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """From one read of the drafts file: unsent new-thread drafts (newest change first) and
    unsent reply drafts by thread id (as str)."""
    return split_drafts(store.load() if store is not None else [])


def split_drafts(loaded: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Drafts as read (``DraftStore.load``): new-thread drafts (newest change first) and reply
    drafts by thread id (as str)."""
    threads = sorted(
        (d for d in loaded if not is_reply_draft(d)),
        key=lambda d: str(d.get("updated_at") or d.get("created_at") or ""),
        reverse=True,
    )
    replies = {str(d["reply_to"]): d for d in loaded if is_reply_draft(d)}
    return threads, replies


def kind_label(i18n: I18n, kind: str, *, short: bool = False) -> str:
    key = f"correspondence.kind_{'short_' if short else ''}{kind}"
    return i18n.label(key, kind)


def status_label(i18n: I18n, status: str) -> str:
    key = f"correspondence.status_{status}"
    return i18n.label(key, status)
