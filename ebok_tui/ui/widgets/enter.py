"""Enter in a form's one-line fields: data instead of one ``Input.Submitted`` handler per field.

A screen mixes in :class:`EnterMovesOn` and lists, per field id, where Enter goes: ``"#other"``
focuses that widget, any other name runs the screen's ``action_<name>`` (e.g. ``"send"``) at once.
Fields not listed are left alone.

Enter is the app's priority binding (``EbokApp.BINDINGS``, enabled while the focused field is in
the table): it moves on before the keys typed behind it are handed out. ``Input.Submitted`` came
only after the key had bubbled up from the field, while the keys typed ahead ("number, Enter,
password", a password manager's auto-type) still went to the field being left."""

from __future__ import annotations

from typing import ClassVar

from textual.widgets import Input


class EnterMovesOn:
    ENTER: ClassVar[dict[str, str]] = {}

    def enter_target(self) -> str | None:
        """Where Enter goes from the focused field (None: not a field of the table)."""
        focused = self.focused  # type: ignore[attr-defined]
        return self.ENTER.get(focused.id or "") if isinstance(focused, Input) else None

    def enter_moves_on(self) -> None:
        target = self.enter_target()
        if target is None:
            return
        if target.startswith("#"):
            self.set_focus(self.query_one(target))  # type: ignore[attr-defined]  # at once, not queued
        else:
            getattr(self, f"action_{target}")()
