"""Binding descriptions in the app's language.

A binding's description is a catalogue key (``Binding("r", "reload", "bind.reload")``); the
bindings themselves stay as Textual built them. What is worded is what a screen *reports* through
Textual's public ``Screen.active_bindings`` (read by the Footer and the key panel), so the
language can differ per app instance (tests run both languages in one process) and a language
switch needs no rebuilding."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.binding import ActiveBinding

    from ebok_tui.core.i18n import I18n


def translate_active(active: dict[str, ActiveBinding], i18n: I18n) -> dict[str, ActiveBinding]:
    """``active`` with every description that is a catalogue key replaced by its text (others,
    such as Textual's own, as they are)."""
    return {
        key: entry._replace(binding=replace(entry.binding, description=i18n.label(desc, desc)))
        if (desc := entry.binding.description)
        else entry
        for key, entry in active.items()
    }
