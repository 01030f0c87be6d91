"""Zgoda klienta (the customer's consent to an e-FAKTURA change, art. 106n of the VAT act: given in
any form, withdrawable): how it was given — in writing, by phone, at the counter, electronically —
and a note; when consent is given, the terms version the customer accepted is named, and no code
is sent (the server mails the address a notice). The server records it with the change in the
audit log and the consent history. Dismisses with the
:class:`~ebok_tui.core.api.staff.Consent`, or None (nothing changes)."""

from __future__ import annotations

from textual import getters
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioSet, Static

from ebok_tui.core.api.staff import CONSENT_FORMS, Consent
from ebok_tui.ui.screens.base import BaseModal
from ebok_tui.ui.screens.staff.base import pressed_choice
from ebok_tui.ui.widgets.choice import Choice
from ebok_tui.ui.widgets.enter import EnterMovesOn


class ConsentModal(EnterMovesOn, BaseModal):
    ENTER = {"note": "save"}
    DEFAULT_CSS = """
    ConsentModal { align: center middle; }
    ConsentModal > Vertical { width: 64; height: auto; border: thick $accent; background: $panel;
                              padding: 0 1; }
    ConsentModal #title { text-style: bold; height: auto; }
    ConsentModal #why { height: auto; color: $text-muted; }
    ConsentModal #terms-note { height: auto; margin: 1 0 0 0; }
    ConsentModal RadioSet { width: 1fr; height: auto; margin: 1 0; }
    ConsentModal Horizontal#buttons { height: auto; align-horizontal: right; margin: 1 0 0 0; }
    ConsentModal Button { margin: 0 0 0 2; }
    """

    forms = getters.query_one("#forms", RadioSet)
    note = getters.query_one("#note", Input)

    def __init__(self, terms_version: str | None = None) -> None:
        """``terms_version``: consent given to these e-FAKTURA terms (None: consent withdrawn)."""
        super().__init__()
        self.terms_version = terms_version

    def compose(self) -> ComposeResult:
        t = self.t
        with Vertical():
            yield Label(t("staff_consent.title"), id="title")
            yield Static(t("staff_consent.why"), id="why")
            if self.terms_version is not None:
                yield Static(t("staff_consent.terms", version=self.terms_version), id="terms-note")
            with RadioSet(id="forms", compact=True):
                for index, form in enumerate(CONSENT_FORMS):
                    yield Choice(t(f"staff_consent.form_{form}"), id=f"form-{form}", value=index == 0)
            yield Input(placeholder=t("staff_consent.note_placeholder"), id="note", max_length=500, compact=True)
            with Horizontal(id="buttons"):
                yield Button(t("staff_consent.save"), id="save", variant="primary", action="screen.save")
                yield Button(t("bind.cancel"), id="cancel", action="screen.cancel")

    def on_mount(self) -> None:
        self.forms.focus()

    def action_save(self) -> None:
        form = pressed_choice(self.forms, CONSENT_FORMS)
        self.dismiss(Consent(form=form, note=self.note.value.strip() or None))  # type: ignore[arg-type]
