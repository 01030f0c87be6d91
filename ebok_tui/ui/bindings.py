"""Binding descriptions in the app's language.

A binding's description is a catalogue key (``Binding("r", "reload", "bind.reload")``); the
bindings themselves stay as Textual built them. What is worded is what a screen *reports* through
Textual's public ``Screen.active_bindings`` (read by the Footer and the key panel), so the
language can differ per app instance (tests run both languages in one process) and a language
switch needs no rebuilding.

Textual's own widgets describe their bindings in English; :data:`TEXTUAL_DESCRIPTIONS` gives each
one Textual 8.2.8 has on the widgets this app uses its catalogue key, so they are worded too."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.binding import ActiveBinding

    from ebok_tui.core.i18n import I18n


#: Textual's binding descriptions (command palette, Select's drop-down) -> catalogue keys.
TEXTUAL_DESCRIPTIONS = {
    "Exit the command palette": "textual.exit_palette",
    "Dismiss menu": "textual.dismiss_menu",
    "Next command": "textual.next_command",
    "Previous command": "textual.previous_command",
    "Next page": "textual.next_page",
    "Previous page": "textual.previous_page",
    "Go to top": "textual.go_top",
    "Go to bottom": "textual.go_bottom",
}


def describe(description: str, i18n: I18n) -> str:
    """A binding's description in the app's language: a catalogue key, or one of Textual's own
    descriptions, or (anything else) as it is."""
    return i18n.label(TEXTUAL_DESCRIPTIONS.get(description, description), description)


def translate_active(active: dict[str, ActiveBinding], i18n: I18n) -> dict[str, ActiveBinding]:
    """``active`` with every description that is a catalogue key replaced by its text (others,
    such as Textual's own, as they are)."""
    return {
        key: entry._replace(binding=replace(entry.binding, description=describe(desc, i18n)))
        if (desc := entry.binding.description)
        else entry
        for key, entry in active.items()
    }
