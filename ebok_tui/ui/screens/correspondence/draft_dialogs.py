"""Asking before a draft is deleted: one draft (list or composer), or the old / orphaned drafts the
store found (:meth:`~ebok_tui.core.drafts.DraftStore.orphans`). Nothing is deleted without a "yes";
the safe button has the focus."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from ebok_tui.core.drafts import ORPHAN_AFTER_DAYS, OrphanDraft
from ebok_tui.ui.screens.base import BaseModal


class ConfirmDraftsModal(BaseModal):
    """Title, text, optional list of lines, then Delete / Keep. Dismisses with True or None."""

    DEFAULT_CSS = """
    ConfirmDraftsModal { align: center middle; }
    ConfirmDraftsModal #dialog {
        width: 70; height: auto; max-height: 20; padding: 1 2; border: thick $warning; background: $panel;
    }
    ConfirmDraftsModal #dialog-title { text-style: bold; margin-bottom: 1; }
    ConfirmDraftsModal #dialog-list { height: auto; max-height: 8; margin-top: 1; color: $text-muted; }
    ConfirmDraftsModal #dialog-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmDraftsModal Button { margin-left: 2; }
    """

    def __init__(self, title: str, text: str, lines: list[str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.body_text = text
        self.lines = lines or []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.title_text), id="dialog-title")
            yield Static(Text(self.body_text), id="dialog-text")
            if self.lines:
                with VerticalScroll(id="dialog-list"):
                    yield Static(Text("\n".join(self.lines)))
            with Horizontal(id="dialog-buttons"):
                yield Button(
                    self.t("correspondence.confirm_delete"),
                    id="confirm-yes",
                    variant="error",
                    action="screen.dismiss(True)",
                )
                yield Button(
                    self.t("correspondence.confirm_keep"), id="confirm-no", variant="primary", action="screen.dismiss"
                )

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()


def confirm_delete_draft(screen, subject: str, *, reply: bool = False) -> ConfirmDraftsModal:
    key = "correspondence.delete_reply_draft_text" if reply else "correspondence.delete_draft_text"
    return ConfirmDraftsModal(
        screen.t("correspondence.delete_draft_title"),
        screen.t(key, subject=subject or screen.t("correspondence.no_subject")),
    )


def confirm_delete_orphans(screen, orphans: list[OrphanDraft]) -> ConfirmDraftsModal:
    i18n = screen.i18n
    lines = []
    for o in orphans:
        when = i18n.datetime(o.changed_at) if o.changed_at else "—"
        if o.own:
            lines.append(
                screen.t(
                    "correspondence.orphan_own", date=when, subject=o.subject or screen.t("correspondence.no_subject")
                )
            )
        else:
            lines.append(screen.t("correspondence.orphan_other", date=when))
    return ConfirmDraftsModal(
        screen.t("correspondence.orphans_title", count=len(orphans)),
        screen.t("correspondence.orphans_text", days=ORPHAN_AFTER_DAYS),
        lines,
    )
