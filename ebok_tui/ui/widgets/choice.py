"""A check box and a radio button whose state shows as a mark, not only as a colour: ticked shows
``X`` / a chosen option ``●``, the others a blank box (as the login's "remember me")."""

from __future__ import annotations

from textual.content import Content
from textual.style import Style
from textual.widgets import Checkbox, RadioButton


def _button(widget: Checkbox | RadioButton) -> Content:
    button_style = widget.get_visual_style("toggle--button")
    side_style = Style(foreground=button_style.background, background=widget.background_colors[1])
    inner = widget.BUTTON_INNER if widget.value and not widget.disabled else " "
    return Content.assemble((widget.BUTTON_LEFT, side_style), (inner, button_style), (widget.BUTTON_RIGHT, side_style))


class TickBox(Checkbox):
    @property
    def _button(self) -> Content:
        return _button(self)


class Choice(RadioButton):
    @property
    def _button(self) -> Content:
        return _button(self)
