"""The style of a form laid out as labelled rows (a ``Label`` then its ``Input``, one row each),
each field followed by its error line (a ``Static`` with class ``field-error``, shown by
:func:`ebok_tui.ui.widgets.forms.show_field_error` with the ``-shown`` class)."""

from __future__ import annotations


def field_rows_css(screen: str, row: str, label: int) -> str:
    """``screen``: the class the rules apply in; ``row``: the rows' class; ``label``: the labels'
    width (the error lines start under the inputs)."""
    return f"""
    {screen} .{row} {{ height: 3; }}
    {screen} .{row} Label {{ width: {label}; padding: 1 1 0 0; }}
    {screen} .{row} Input {{ width: 1fr; }}
    {screen} .field-error {{ padding: 0 0 0 {label}; display: none; }}
    {screen} .field-error.-shown {{ display: block; }}
    """
