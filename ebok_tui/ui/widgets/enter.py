"""Enter in a form's one-line fields: data instead of one ``Input.Submitted`` handler per field.

A screen mixes in :class:`EnterMovesOn` and lists, per field id, where Enter goes: ``"#other"``
focuses that widget, any other name runs the screen's ``action_<name>`` (e.g. ``"send"``) at once,
as the handlers this replaces did. Fields not listed are left alone."""

from __future__ import annotations

from typing import ClassVar

from textual.widgets import Input


class EnterMovesOn:
    ENTER: ClassVar[dict[str, str]] = {}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        target = self.ENTER.get(event.input.id or "")
        if target is None:
            return
        if target.startswith("#"):
            self.query_one(target).focus()  # type: ignore[attr-defined]
        else:
            getattr(self, f"action_{target}")()
