"""80x24 snapshots of the tariff screen (from the contract, ``t``) and of an invoice line's
calculation (``k`` on the invoice detail) in Polish and English (issue 12, feature 4).

The real server in-process on this module's own demo database (``--today 2026-11-15``)."""

from __future__ import annotations

import pytest

from tests.tui_support import opener, snapshot


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_tariff(snap_compare, server, lang):
    assert snapshot(snap_compare, server, lang, opener("10001", "contract", "t"))


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_line_calculation(snap_compare, server, lang):
    assert snapshot(snap_compare, server, lang, opener("10002", "invoices", "enter", "k"))
