"""The base of the section screens that show one service point's data or every point's (invoices,
readings, contract): a :class:`SectionScreen` with :class:`PointChoice`, whose ``k`` (the point
picker) it binds and offers only to a customer with several points. Not a screen of its own."""

from __future__ import annotations

from ebok_tui.ui.screens.base import SectionScreen
from ebok_tui.ui.widgets.points import POINT_BINDING, PointChoice


class PointSectionScreen(PointChoice, SectionScreen):
    BINDINGS = [POINT_BINDING]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        picker = self.check_point_action(action)
        return picker if picker is not None else super().check_action(action, parameters)
