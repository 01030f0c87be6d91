"""Notices rendered as text: the Notices screen, the balance screen and the failure-report form
show them alike. A notice's text is written by staff: always plain text, never markup."""

from __future__ import annotations

from rich.text import Text

from ebok_tui.core.api import Notice, Notices


def notice_lines(notice: Notice, t, i18n) -> list[Text]:
    """A notice as text lines: kind and state, the period, the text (shared with the balance screen)."""
    if notice.active:
        state = t(f"notices.kind_{notice.kind}_active")
        style = "bold reverse red" if notice.kind == "failure" else "bold reverse yellow"
    else:
        state = t(f"notices.kind_{notice.kind}_coming")
        style = "bold"
    period = t("notices.period", start=i18n.datetime(notice.starts_at), end=i18n.datetime(notice.ends_at))
    return [
        Text.assemble((f" {state} ", style), "  ", (period, "")),
        Text(notice.text(i18n.lang)),
    ]


def emergency_line(notices: Notices, t) -> Text:
    return Text(t("notices.emergency", phone=notices.emergency_phone), style="bold")
