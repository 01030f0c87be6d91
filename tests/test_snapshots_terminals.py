"""The login and balance screens as other terminals show them (80x24, Polish): NO_COLOR (greys,
emphasis by bold/reverse/underline), 16 colours (the terminal's ANSI colours: the demo panel's
border is not an alarm red), a Linux console (16 colours, code page 437 glyphs: no ``▔▁▊▎╭⏎``);
plus a non-UTF-8 locale, where the QR code gives way to a sentence. The terminal is decided by
``ebok_tui.ui.terminal.detect`` from the environment; its own tests are in
``test_tui_terminal.py``."""

from __future__ import annotations

import pytest

from ebok_tui.ui.terminal import Terminal
from tests.tui_support import opener, settle, snapshot

TERMINALS = {
    "no_color": Terminal("none", "unicode"),
    "16": Terminal("16", "unicode"),
    "linux": Terminal("16", "console"),
}


@pytest.mark.parametrize("name", list(TERMINALS))
def test_login(snap_compare, server, name):
    assert snapshot(snap_compare, server, "pl", settle, terminal=TERMINALS[name])


@pytest.mark.parametrize("name", list(TERMINALS))
def test_balance(snap_compare, server, name):
    assert snapshot(snap_compare, server, "pl", opener("10001", "balance"), terminal=TERMINALS[name])


def test_balance_ascii(snap_compare, server):
    """A pl_PL.ISO-8859-2 locale: Polish letters, ASCII lines, no QR code (it would not scan)."""
    terminal = Terminal("16", "ascii", "iso8859-2")
    assert snapshot(snap_compare, server, "pl", opener("10001", "balance"), terminal=terminal)
