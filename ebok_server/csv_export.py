"""What every CSV the server writes shares (the audit export, the resident's exports)."""

from __future__ import annotations

# A cell a spreadsheet would take for a formula is prefixed with an apostrophe (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """``value`` as CSV cell text: None empty, a would-be formula neutralised by a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
