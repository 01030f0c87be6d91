"""Binding descriptions in the app's language."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from ebok_tui.core.i18n import I18n


def translate_bindings(node: DOMNode, i18n: I18n) -> None:
    """Replace catalogue keys in this node's binding descriptions (``"bind.reload"``) by text.

    Bindings are class attributes, but each node holds its own copy, so the language can differ
    per app instance (tests run both languages in one process).
    """
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(b, description=i18n.label(b.description, b.description))
            for b in bindings
        ]
